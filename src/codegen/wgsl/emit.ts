import Handlebars from 'handlebars';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { add, div, flatten, idx, key, mod, scale, type Index } from '../../compile/index-expr.js';
import { DEFAULT_TILE, findMatmulTile, replaceScalar, substituteVar, type MatmulTile } from '../../compile/tile.js';
import type { Scalar, ScalarType } from '../../compile/kernel-ir.js';
import type { Dispatch, Plan, PlannedTensor } from '../../compile/plan.js';
import { workItems, type AttentionBody, type Kernel } from '../../compile/kernel-ir.js';
import { Placement } from '../placement.js';
import { installRoot } from '../../paths.js';
import { WGSL_HELPERS } from './helpers.js';

/** What a binding of a compiled kernel is bound to at run time. */
export type BindingSource = { readonly kind: 'tensor'; readonly id: number } | { readonly kind: 'arena'; readonly index: number };

/** A kernel as WGSL source plus how to bind and dispatch it. */
export interface WgslKernel {
  readonly name: string;
  readonly source: string;
  readonly bindings: readonly BindingSource[];
  readonly workgroups: readonly [number, number];
}

const templates = new Map<string, HandlebarsTemplateDelegate>();
/** A kernel skeleton from kernels/wgsl/ (noEscape: this is code, not HTML). */
function skeleton(name: 'pointwise' | 'owner-phases'): HandlebarsTemplateDelegate {
  let t = templates.get(name);
  if (!t) {
    t = Handlebars.compile(readFileSync(join(installRoot('kernels/wgsl/pointwise.wgsl.hbs'), 'kernels', 'wgsl', `${name}.wgsl.hbs`), 'utf8'), { noEscape: true, strict: true });
    templates.set(name, t);
  }
  return t;
}

/** A WGSL literal of the given scalar type. */
function literal(v: number, type: ScalarType): string {
  if (type === 'i32') return `i32(${v})`;
  if (v === Infinity) return 'bitcast<f32>(0x7f800000u)';
  if (v === -Infinity) return 'bitcast<f32>(0xff800000u)';
  if (Number.isNaN(v)) return 'bitcast<f32>(0x7fc00000u)';
  const s = String(v);
  return `f32(${/[.e]/.test(s) ? s : `${s}.0`})`;
}

/** The bindings and helper functions of one shader, shared by all its phases. */
class ShaderResources {
  readonly sources: BindingSource[] = [];
  readonly decls: { binding: number; access: string; name: string; type: string }[] = [];
  readonly helpers = new Set<string>();
  private readonly names = new Map<string, string>();

  /** `ownerPhased`: inside an owner-phased dispatch, replicated tensors are addressed per owner. */
  constructor(
    private readonly plan: Plan,
    private readonly ownerPhased: boolean,
  ) {}

  private bind(source: BindingSource, type: ScalarType, access: 'read' | 'read_write'): string {
    const name = source.kind === 'arena' ? `arena${source.index}` : `buf${source.id}`;
    if (!this.names.has(name)) {
      this.names.set(name, name);
      this.decls.push({ binding: this.sources.length, access, name, type });
      this.sources.push(source);
    }
    return name;
  }

  /**
   * Where tensor `id` lives: a binding, and the WGSL prefix (`128 + `) that offsets an
   * element index into it. Scratch and output arenas are read-write. Replicated tensors are addressed in
   * the current owner's copy.
   */
  location(id: number, write = false): { name: string; base: string } {
    const t = this.plan.tensors.get(id)!;
    if (t.workgroup) {
      // The workgroup's own copy of its owner's part: indices are global, so the owner's start is subtracted.
      const { offset, length, perOwner } = t.workgroup;
      return { name: `fib_wg_${t.ref.type}`, base: `${offset ? `${offset} + ` : ''}${perOwner ? `-owner * ${length} + ` : ''}` };
    }
    if (t.arena) {
      const role = this.plan.arenas[t.arena.index]!.role;
      const name = this.bind({ kind: 'arena', index: t.arena.index }, t.ref.type, role === 'params' ? 'read' : 'read_write');
      const copy = this.ownerPhased && t.replicas > 1 ? `owner * ${t.ref.node.shape.reduce((a, b) => a * b, 1)} + ` : '';
      return { name, base: `${t.arena.offset ? `${t.arena.offset} + ` : ''}${copy}` };
    }
    return { name: this.bind({ kind: 'tensor', id }, t.ref.type, write || t.kind === 'output' ? 'read_write' : 'read'), base: '' };
  }

  /**
   * Bindings declared as arrays of vec4 (see `vectorize`); their scalar elements are
   * addressed as components.
   */
  private readonly vectorized = new Set<string>();

  /**
   * Declares a binding as an array of vec4 so that aligned runs of four elements load as one
   * vector. Must be called before any access to the binding is rendered.
   */
  vectorize(name: string): void {
    this.vectorized.add(name);
    for (const d of this.decls) if (d.name === name && !d.type.startsWith('vec4')) d.type = `vec4<${d.type}>`;
  }

  /** A scalar element `i` of a binding, as a WGSL reference. */
  element(name: string, i: string): string {
    return this.vectorized.has(name) ? `${name}[(${i}) >> 2u][(${i}) & 3]` : `${name}[${i}]`;
  }

  /** The vec4 at vector index `i` (element index / 4) of a vectorized binding. */
  vector(name: string, i: string): string {
    return `${name}[${i}]`;
  }

  /** The plan's record of tensor `id`. */
  planned(id: number): PlannedTensor {
    return this.plan.tensors.get(id)!;
  }

  /** True when the tensor is computed whole by every workgroup of an owner-phased dispatch. */
  replicated(id: number): boolean {
    return this.ownerPhased && this.plan.tensors.get(id)!.replicas > 1;
  }
}

/**
 * The statements computing one kernel's value for the element at row-major index `flat`
 * (a WGSL i32 already in scope), ending with the store. Every distinct scalar becomes a
 * `let`; a reduction becomes a `for` loop whose body holds exactly the scalars that depend
 * on its loop variable (the rest are hoisted above it).
 */
function phaseStatements(k: Kernel, res: ShaderResources, tile?: MatmulTile, subgroup?: number): string[] {
  const place = new Placement(k.values);
  const { blocks } = place;
  const names = new Map<Scalar, string>();
  const valueNames = new Map<number, string>();
  let counter = 0;
  const depthOfVars = (vars: Set<string>): number => place.depthOf(vars);
  const scalarVars = (s: Scalar): Set<string> => place.scalarVars(s);

  const ix = (i: Index): string => {
    const parts: string[] = [];
    for (const t of i.terms) {
      const a = t.atom;
      const atom = a.k === 'var' ? a.name : a.k === 'value' ? value(a.id) : `((${ix(a.of)}) ${a.k === 'div' ? '/' : '%'} ${a.by})`;
      parts.push(t.coef === 1 ? atom : `${atom} * ${t.coef}`);
    }
    if (i.constant !== 0 || parts.length === 0) parts.push(String(i.constant));
    return parts.join(' + ').replace(/\+ -/g, '- ');
  };
  const value = (id: number): string => {
    const known = valueNames.get(id);
    if (known) return known;
    const s = k.values.get(id)!;
    const name = `v${id}`;
    const expr = scalar(s);
    blocks[depthOfVars(scalarVars(s))]!.push(`let ${name} = ${s.type === 'i32' ? expr : `i32(${expr})`};`);
    valueNames.set(id, name);
    return name;
  };
  const zero = (t: ScalarType): string => (t === 'i32' ? '0i' : '0.0');
  const one = (t: ScalarType): string => (t === 'i32' ? '1i' : '1.0');

  const scalar = (s: Scalar): string => {
    if (s.k === 'const') return literal(s.value, s.type);
    if (s.k === 'named') return s.name;
    const known = names.get(s);
    if (known) return known;
    let expr: string;
    switch (s.k) {
      case 'load': {
        const loc = res.location(s.tensor);
        expr = res.element(loc.name, `${loc.base}${ix(s.index)}`);
        break;
      }
      case 'index':
        expr = s.type === 'i32' ? `(${ix(s.index)})` : `f32(${ix(s.index)})`;
        break;
      case 'unary': {
        const a = scalar(s.a);
        switch (s.fn) {
          case 'neg': expr = `-(${a})`; break;
          case 'recip': expr = `1.0 / ${a}`; break;
          case 'rsqrt': expr = `inverseSqrt(${a})`; break;
          case 'sigmoid': expr = `1.0 / (1.0 + exp(-(${a})))`; break;
          case 'erf': res.helpers.add('fib_erf'); expr = `fib_erf(${a})`; break;
          case 'tanh': res.helpers.add('fib_tanh'); expr = `fib_tanh(${a})`; break;
          default: expr = `${s.fn}(${a})`;
        }
        break;
      }
      case 'binary': {
        const a = scalar(s.a);
        const b = scalar(s.b);
        const cmp: Record<string, string> = { lt: '<', le: '<=', gt: '>', ge: '>=', eq: '==', ne: '!=' };
        const arith: Record<string, string> = { add: '+', sub: '-', mul: '*', div: '/' };
        if (cmp[s.fn]) expr = `select(${zero(s.type)}, ${one(s.type)}, ${a} ${cmp[s.fn]} ${b})`;
        else if (s.fn === 'div' && s.type === 'i32') { res.helpers.add('fib_idiv'); expr = `fib_idiv(${a}, ${b})`; }
        else if (s.fn === 'mod') { res.helpers.add('fib_imod'); expr = `fib_imod(${a}, ${b})`; }
        else if (arith[s.fn]) expr = `${a} ${arith[s.fn]} ${b}`;
        else expr = `${s.fn}(${a}, ${b})`;
        break;
      }
      case 'where':
        expr = `select(${scalar(s.b)}, ${scalar(s.a)}, ${scalar(s.c)} != ${zero(s.c.type)})`;
        break;
      case 'cast':
        expr = `${s.type}(${scalar(s.a)})`;
        break;
      case 'guard': {
        const conds = s.bounds.map((b) => {
          const i = ix(b.index);
          return `(${i}) >= ${b.lo} && (${i}) < ${b.hi}`;
        });
        expr = `select(${zero(s.type)}, ${scalar(s.a)}, ${conds.join(' && ')})`;
        break;
      }
      case 'reduce': {
        const acc = `acc${counter++}`;
        const depth = depthOfVars(scalarVars(s));
        const init = s.fn === 'sum' ? zero(s.type) : s.type === 'i32' ? 'i32(-2147483647)' : 'bitcast<f32>(0xff7fffffu)';
        blocks[depth]!.push(`var ${acc}: ${s.type} = ${init};`);
        // Everything the body needs that does not depend on the loop var is emitted above the loop.
        place.open(s.loop.name);
        const body = scalar(s.body);
        const inner = place.close();
        const update = s.fn === 'sum' ? `${acc} = ${acc} + ${body};` : `${acc} = max(${acc}, ${body});`;
        blocks[depth]!.push(`for (var ${s.loop.name}: i32 = 0; ${s.loop.name} < ${s.loop.size} + fib_z; ${s.loop.name}++) {`, ...inner.map((l) => `  ${l}`), `  ${update}`, '}');
        names.set(s, acc);
        return acc;
      }
    }
    const name = `s${counter++}`;
    blocks[depthOfVars(scalarVars(s))]!.push(`let ${name}: ${s.type} = ${expr};`);
    names.set(s, name);
    return name;
  };

  const shape = k.output.node.shape;
  const out = res.location(k.output.id, true);
  if (k.attention) return attentionStatements(k.attention);
  if (tile) return subgroup ? subgroupTiledStatements(tile, subgroup) : tiledStatements(tile);
  const indexLines: string[] = [];
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i]! > 1) indexLines.unshift(`let i${i} = ${stride === 1 ? 'flat' : `flat / ${stride}`}${i > 0 ? ` % ${shape[i]}` : ''};`);
    stride *= shape[i]!;
  }
  const result = scalar(k.value);
  return [...indexLines, ...blocks[0]!, `${res.element(out.name, `${out.base}flat`)} = ${result};`];

  /**
   * The attention template: `flat` numbers query rows. One pass over the keys keeps a running
   * max, a running sum of exponentials and one accumulator per value column, rescaling them
   * when the max grows (online softmax). A row whose every score is -inf gives 0, not NaN.
   */
  function attentionStatements(a: AttentionBody): string[] {
    const r = shape.length;
    const lines: string[] = [];
    let stride = 1;
    for (let i = r - 2; i >= 0; i--) {
      if (shape[i]! > 1) lines.unshift(`let i${i} = ${stride === 1 ? 'flat' : `flat / ${stride}`}${i > 0 ? ` % ${shape[i]}` : ''};`);
      stride *= shape[i]!;
    }
    const acc = (d: number): string => `acc_${d}`;
    blocks[0]!.push('var run_max: f32 = bitcast<f32>(0xff7fffffu);', 'var run_sum: f32 = 0.0;');
    for (let d = 0; d < a.columns; d++) blocks[0]!.push(`var ${acc(d)}: f32 = 0.0;`);
    place.open(a.keys.name);
    const score = scalar(a.score);
    const update = [`let new_max = max(run_max, ${score});`, 'let rescale = exp(run_max - new_max);', `let weight = exp(${score} - new_max);`, 'run_sum = run_sum * rescale + weight;'];
    const columnVar = `i${r - 1}`;
    const values = [...Array(a.columns).keys()].map((d) => scalar(substituteVar(a.value, columnVar, idx.constant(d))));
    const inner = place.close();
    const accumulate = values.map((v, d) => `${acc(d)} = ${acc(d)} * rescale + weight * ${v};`);
    blocks[0]!.push(`for (var ${a.keys.name}: i32 = 0; ${a.keys.name} < ${a.keys.size} + fib_z; ${a.keys.name}++) {`, ...[...inner, ...update, ...accumulate, 'run_max = new_max;'].map((l) => `  ${l}`), '}');
    blocks[0]!.push('let inv_sum = select(0.0, 1.0 / run_sum, run_sum > 0.0);');
    const stores = [...Array(a.columns).keys()].map((d) => `${res.element(out.name, `${out.base}flat * ${a.columns} + ${d}`)} = ${acc(d)} * inv_sum;`);
    return [...lines, ...blocks[0]!, ...stores];
  }

  /**
   * A TM x TN register tile per invocation: `flat` numbers tiles, not elements. The k loop
   * advances K_UNROLL steps at a time when its trip count allows: each operand's values for
   * those steps are gathered into one vector and each accumulator takes one `dot`, which on
   * lavapipe halves the cost of a multiply-add (see K_UNROLL).
   */
  function tiledStatements(t: MatmulTile, sg?: { size: number }): string[] {
    const r = shape.length;
    const [mSize, nSize] = [shape[r - 2]!, shape[r - 1]!];
    const tileShape = tileGrid(shape, t, sg?.size);
    const lines: string[] = [];
    let stride = 1;
    for (let i = r - 1; i >= 0; i--) {
      const name = i === r - 2 ? 'tile_m' : i === r - 1 ? 'tile_n' : `i${i}`;
      if (tileShape[i]! > 1) lines.unshift(`let ${name} = ${stride === 1 ? 'flat' : `flat / ${stride}`}${i > 0 ? ` % ${tileShape[i]}` : ''};`);
      else if (i >= r - 2) lines.unshift(`let ${name} = 0;`);
      stride *= tileShape[i]!;
    }
    lines.push(`let m0 = tile_m * ${t.tm};`, `let n0 = tile_n * ${t.tn};`);
    const rowAt = (i: number): Index => add(idx.variable('m0', mSize), idx.constant(i));
    const colAt = (j: number): Index => add(idx.variable('n0', nSize), idx.constant(j));
    const accs = (i: number, j: number): string => `acc_${i}_${j}`;
    const type = t.reduce.type;
    const zeroInit = type === 'i32' ? '0i' : '0.0';
    for (let i = 0; i < t.tm; i++) for (let j = 0; j < t.tn; j++) blocks[0]!.push(`var ${accs(i, j)}: ${type} = ${zeroInit};`);
    const loop = t.reduce.loop;
    // Lanes sharing rows: per iteration, `blocks` blocks of `unroll` steps of k each.
    // Lanes sharing rows: lane L loads rows g*R + L % R (for each of G groups) at block L / R.
    const R = sg ? Math.min(t.tm, sg.size) : t.tm;
    const G = t.tm / R;
    const blocksPerStep = sg ? sg.size / R : 1;
    const unroll = loop.size % (blocksPerStep * K_UNROLL) === 0 ? K_UNROLL : 1;
    const step = blocksPerStep * unroll;
    const kv = `${loop.name}_${step}`;
    // k at block b, step u of the current iteration.
    const kAt = (b: Index, u: number): Index => add(add(scale(idx.variable(kv, loop.size / step), step), scale(b, unroll)), idx.constant(u));
    const steps = (operand: Scalar, v: string, at: Index, b: Index): Scalar[] =>
      [...Array(unroll).keys()].map((u) => substituteVar(substituteVar(operand, v, at), loop.name, kAt(b, u)));
    // Operands read as aligned runs of four are loaded as one vec4 from a vec4 view of their
    // binding; decided for every operand before any access to a binding is rendered.
    const mRange = [...Array(t.tm).keys()];
    const nRange = [...Array(t.tn).keys()];
    const laneRow = (g: number): Index => add(add(idx.variable('m0', mSize), idx.constant(g * R)), mod(idx.variable('lane', sg!.size), R));
    const laneBlock = sg ? div(idx.variable('lane', sg.size), R) : undefined;
    const groups = [...Array(G).keys()];
    const operandSteps = sg
      ? [...groups.map((g) => steps(t.a, t.mVar, laneRow(g), laneBlock!)), ...[...Array(blocksPerStep).keys()].flatMap((b) => nRange.map((j) => steps(t.b, t.nVar, colAt(j), idx.constant(b))))]
      : [...mRange.map((i) => steps(t.a, t.mVar, rowAt(i), idx.constant(0))), ...nRange.map((j) => steps(t.b, t.nVar, colAt(j), idx.constant(0)))];
    const aligned = new Map<number, boolean>();
    for (const run of operandSteps) {
      const tensor = scaledLoad(run[0]!)?.load.tensor ?? -1;
      if (tensor >= 0) aligned.set(tensor, (aligned.get(tensor) ?? true) && alignedRun(run) !== undefined);
    }
    for (const [tensor, ok] of aligned) if (ok) res.vectorize(res.location(tensor).name);
    // One operand's values over the unrolled steps, as a vector (or a scalar when not unrolled).
    const gather = (operand: Scalar, v: string, at: Index, b: Index): string => {
      const run = steps(operand, v, at, b);
      const vec = alignedRun(run);
      if (vec && aligned.get(vec.load.tensor)) {
        // The vec4 index is the element index / 4, written term by term (every coefficient is a
        // multiple of 4) so that the part not depending on k is visibly loop-invariant.
        const { load, factor } = vec;
        const t = res.planned(load.tensor);
        const offset = (t.arena?.offset ?? 0) + load.index.constant;
        const quarter: Index = { constant: offset / 4, terms: load.index.terms.map((term) => ({ ...term, coef: term.coef / 4 })) };
        const loaded = res.vector(res.location(load.tensor).name, ix(quarter));
        return factor === undefined ? loaded : `${loaded} * ${literal(factor, type)}`;
      }
      const parts = run.map(scalar);
      return unroll === 1 ? parts[0]! : `vec${unroll}<${type}>(${parts.join(', ')})`;
    };
    const madd = (acc: string, x: string, y: string): string => `${acc} = ${acc} + ${unroll === 1 ? `${x} * ${y}` : `dot(${x}, ${y})`};`;
    const updates: string[] = [];
    const vectors: string[] = [];
    let vectorCount = 0;
    const vector = (expr: string): string => {
      if (unroll === 1) return expr;
      const name = `vk${vectorCount++}`;
      vectors.push(`let ${name} = ${expr};`);
      return name;
    };
    place.open(kv);
    if (!sg) {
      const aVecs = [...Array(t.tm).keys()].map((i) => vector(gather(t.a, t.mVar, rowAt(i), idx.constant(0))));
      const bVecs = [...Array(t.tn).keys()].map((j) => vector(gather(t.b, t.nVar, colAt(j), idx.constant(0))));
      for (let i = 0; i < t.tm; i++) for (let j = 0; j < t.tn; j++) updates.push(madd(accs(i, j), aVecs[i]!, bVecs[j]!));
    } else {
      // Lane L loads a(m0 + L % TM, k at block L / TM) and every lane takes the rows of each
      // block from the lane that loaded them.
      const own = groups.map((g) => vector(gather(t.a, t.mVar, laneRow(g), laneBlock!)));
      for (let b = 0; b < blocksPerStep; b++) {
        const bVecs = [...Array(t.tn).keys()].map((j) => vector(gather(t.b, t.nVar, colAt(j), idx.constant(b))));
        for (let i = 0; i < t.tm; i++) {
          vectors.push(`let sh_${b}_${i} = subgroupBroadcast(${own[Math.floor(i / R)]}, ${b * R + (i % R)}u);`);
          for (let j = 0; j < t.tn; j++) updates.push(madd(accs(i, j), `sh_${b}_${i}`, bVecs[j]!));
        }
      }
    }
    const inner = [...place.close(), ...vectors];
    const header = `for (var ${kv}: i32 = 0; ${kv} < ${loop.size / step} + fib_z; ${kv}++) {`;
    blocks[0]!.push(header, ...[...inner, ...updates].map((l) => `  ${l}`), '}');
    // The epilogue is a loop over the tile's rows, its code written once per column: written
    // out for all TM x TN elements, a 32x4 tile's epilogue (a residual read through a window
    // reverse and a roll) took lavapipe 16 s to compile.
    const tileRows = `array<${type}, ${t.tn}>`;
    blocks[0]!.push(`var tile_acc: array<${tileRows}, ${t.tm}>;`);
    for (let i = 0; i < t.tm; i++) blocks[0]!.push(`tile_acc[${i}] = ${tileRows}(${nRange.map((j) => accs(i, j)).join(', ')});`);
    const row = add(idx.variable('m0', mSize), idx.variable('ti', t.tm));
    place.open('ti');
    const stores: string[] = [];
    for (let j = 0; j < t.tn; j++) {
      const element = replaceScalar(k.value, t.reduce, { k: 'named', name: `tile_acc[ti][${j}]`, type, vars: ['ti'] });
      const value = scalar(substituteVar(substituteVar(element, t.mVar, row), t.nVar, colAt(j)));
      const at = ix(flatten([...shape.slice(0, r - 2).map((d, a) => idx.variable(`i${a}`, d)), row, colAt(j)], shape));
      stores.push(`if (${sg ? 'in_range && ' : ''}m0 + ti < ${mSize} && n0 + ${j} < ${nSize}) {`, `  ${res.element(out.name, `${out.base}${at}`)} = ${value};`, '}');
    }
    const epilogue = [...place.close(), ...stores];
    blocks[0]!.push(`for (var ti: i32 = 0; ti < ${t.tm} + fib_z; ti++) {`, ...epilogue.map((l) => `  ${l}`), '}');
    return [...lines, ...blocks[0]!];
  }

  /**
   * The first load of `run` when the run is four loads of consecutive elements of one tensor
   * starting at a multiple of 4 (counting the tensor's arena offset) for every value of the
   * index variables: then it is one vec4 load.
   */
  function alignedRun(run: readonly Scalar[]): ScaledLoad | undefined {
    const peeled = run.map(scaledLoad);
    const first = peeled[0];
    if (run.length !== 4 || !first || peeled.some((p) => p?.factor !== first.factor)) return undefined;
    const t = res.planned(first.load.tensor);
    if (t.replicas > 1) return undefined;
    const consecutive = peeled.every((p, u) => p && p.load.tensor === first.load.tensor && key(p.load.index) === key(add(first.load.index, idx.constant(u))));
    const offset = (t.arena?.offset ?? 0) + first.load.index.constant;
    return consecutive && offset % 4 === 0 && first.load.index.terms.every((term) => term.coef % 4 === 0) ? first : undefined;
  }

  /**
   * The register tile with operand `a` shared across the subgroup: the lanes of a subgroup
   * hold tiles of the same rows (consecutive invocations differ in tile_n), so per block of
   * S/TM steps of k, lane L loads a(m0 + L % TM, k + L / TM) and every lane takes the TM x S/TM
   * values it needs by subgroupBroadcast instead of gathering them itself.
   */
  function subgroupTiledStatements(t: MatmulTile, size: number): string[] {
    return tiledStatements(t, { size });
  }
}

/**
 * Steps of k per iteration of a tiled matmul loop. Measured on lavapipe (576x2048 @ 2048x512,
 * 8x4 tiles with rows shared across the subgroup): 8.7 GFLOP/s one step at a time, 20 with
 * four steps as vec4 operands combined by `dot` (fewer broadcasts, loop overhead and
 * accumulator spills per multiply-add).
 */
const K_UNROLL = 4;

/** A load, or a load times a constant (attention's query scaled by 1/sqrt(d)). */
interface ScaledLoad {
  readonly load: Extract<Scalar, { k: 'load' }>;
  readonly factor?: number;
}

function scaledLoad(s: Scalar): ScaledLoad | undefined {
  if (s.k === 'load') return { load: s };
  if (s.k !== 'binary' || s.fn !== 'mul') return undefined;
  if (s.a.k === 'load' && s.b.k === 'const') return { load: s.a, factor: s.b.value };
  if (s.b.k === 'load' && s.a.k === 'const') return { load: s.b, factor: s.a.value };
  return undefined;
}

/** Renders one dispatch of a plan as a WGSL compute shader. */
export function emitWgsl(d: Dispatch, plan: Plan): WgslKernel {
  const res = new ShaderResources(plan, d.owners !== null);
  // Plain matmul kernels compute a register tile per invocation (see compile/tile.ts).
  const first = d.phases[0]!.kernel;
  const { tile, subgroup } = d.owners === null && !first.attention ? chooseTile(first, plan, d.workgroupSize) : {};
  const phases = d.phases.map((p) => ({ p, lines: phaseStatements(p.kernel, res, tile, subgroup) }));
  const helpers = [...res.helpers].sort().map((h) => WGSL_HELPERS[h]).join('\n\n');
  const name = d.phases.length === 1 ? d.phases[0]!.kernel.name : `${d.phases[0]!.kernel.name}__${d.phases[d.phases.length - 1]!.kernel.name.split('_')[0]}`;
  let source: string;
  let workgroups = d.workgroups;
  if (d.owners === null) {
    const k = d.phases[0]!.kernel;
    const shape = k.output.node.shape;
    const count = tile ? numel(tileGrid(shape, tile, subgroup)) : workItems(k);
    if (tile) {
      const groups = Math.ceil(count / d.workgroupSize);
      const x = Math.min(groups, plan.limits.maxComputeWorkgroupsPerDimension);
      workgroups = [Math.max(1, x), Math.max(1, Math.ceil(groups / x))];
    }
    source = skeleton('pointwise')({
      name, summary: `${d.reason}; fuses ${k.fused.length} op(s)${tile ? `; ${tile.tm}x${tile.tn} register tile per invocation${subgroup ? `, rows shared across a subgroup of ${subgroup}` : ''}` : ''}`,
      bindings: res.decls, helpers, workgroupSize: d.workgroupSize, count, statements: phases[0]!.lines, tiled: !!tile, subgroups: !!subgroup,
    });
  } else {
    const workgroupArrays = Object.entries(d.workgroupWords ?? {}).filter(([, n]) => n > 0).map(([type, length]) => ({ name: `fib_wg_${type}`, type, length }));
    source = skeleton('owner-phases')({
      name, summary: d.reason, bindings: res.decls, helpers, workgroupSize: d.workgroupSize, owners: d.owners, workgroupArrays,
      phases: phases.map(({ p, lines }, index) => {
        const whole = res.replicated(p.kernel.output.id);
        const chunk = workItems(p.kernel) / (whole ? 1 : d.owners!);
        return {
          index, name: p.kernel.name, chunk, statements: lines,
          summary: `${p.kernel.fused.length} op(s)${whole ? '; depends on no input: every workgroup computes its own copy' : ''}; alone it would end because: ${p.reason}`,
          flat: whole ? 'e' : `owner * ${chunk} + e`,
        };
      }),
    });
  }
  return { name, source, bindings: res.sources, workgroups };
}

const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** The `tile` a wgsl schedule sets for the module that produced the kernel's output, if any. */
function scheduledTile(plan: Plan, k: Kernel): readonly number[] | undefined {
  const module = k.output.node.module;
  const s = plan.graph.schedules.find((x) => x.target === 'wgsl' && x.module === module && Array.isArray(x.settings.tile));
  const tile = s?.settings.tile as readonly number[] | undefined;
  return tile && tile.length === 2 ? tile : undefined;
}

/**
 * The grid of register tiles over an output: its batch axes, then row tiles and column
 * tiles. With rows shared across a subgroup, the column tiles are padded to whole subgroups
 * so that a subgroup never straddles two row tiles (the padding lanes compute and do not store).
 */
function tileGrid(shape: readonly number[], tile: MatmulTile, subgroup?: number): number[] {
  const r = shape.length;
  const tilesN = Math.ceil(shape[r - 1]! / tile.tn);
  return [...shape.slice(0, r - 2), Math.ceil(shape[r - 2]! / tile.tm), subgroup ? Math.ceil(tilesN / subgroup) * subgroup : tilesN];
}

/**
 * Largest share of padding lanes a subgroup-shared tile grid may have (see tileGrid); above
 * it the tile is computed without sharing. FIBER-B's window attention scores (144 keys, 36
 * column tiles padded to 40) ran 2.6x faster shared.
 */
const MAX_SUBGROUP_PADDING = 0.25;

/**
 * The subgroup size to share the tile's rows with, when the layout allows: a fixed subgroup
 * size S, a tile height that is a multiple or a divisor of S (lanes then load rows in
 * min(TM, S)-row groups, S / min(TM, S) blocks of k at a time), column tiles that fill whole
 * subgroups with little padding (see tileGrid), and k in whole blocks.
 */
function subgroupFits(tile: MatmulTile, k: Kernel, size: number | undefined, workgroupSize: number): number | undefined {
  if (!size) return undefined;
  const shape = k.output.node.shape;
  const tilesN = Math.ceil(shape[shape.length - 1]! / tile.tn);
  const padded = Math.ceil(tilesN / size) * size;
  const rows = Math.min(tile.tm, size);
  const kb = size / rows;
  const fits = tile.tm % rows === 0 && Number.isInteger(kb) && padded - tilesN <= MAX_SUBGROUP_PADDING * padded && tile.reduce.loop.size % kb === 0 && workgroupSize % size === 0;
  return fits ? size : undefined;
}

/**
 * Tile heights tried, tallest first, when rows are shared across a subgroup: each lane then
 * gathers one vec4 of the TM rows per four steps of k and only its TN columns, so taller tiles
 * need fewer gathers per multiply-add; past 32 the accumulators spill too much. Measured on
 * lavapipe with 4 columns and vec4 operands (576x512 @ 512x1536 / 576x2048 @ 2048x512):
 * 8 rows 23 / 21 GFLOP/s, 16 rows 30 / 27, 32 rows 41 / 34, 48 rows 26 / 27.
 */
const SHARED_TILE_ROWS = [32, 16, 8];

/** Largest share of padding rows (past the last row) a tile height may add. */
const MAX_ROW_PADDING = 0.25;

/**
 * The register tile of a plain kernel, if it has a contraction: a schedule's `tile` when one
 * is set; else, with a fixed subgroup size, the tallest subgroup-shared tile (SHARED_TILE_ROWS)
 * that pads the rows little; else DEFAULT_TILE.
 */
function chooseTile(k: Kernel, plan: Plan, workgroupSize: number): { tile?: MatmulTile; subgroup?: number } {
  const size = plan.limits.subgroupSize;
  const scheduled = scheduledTile(plan, k);
  if (size && !scheduled) {
    const shape = k.output.node.shape;
    const m = shape[shape.length - 2] ?? 1;
    for (const rows of SHARED_TILE_ROWS) {
      const tile = findMatmulTile(k, [rows, DEFAULT_TILE[1]!]);
      if (!tile) return {};
      const padded = Math.ceil(m / tile.tm) * tile.tm;
      const subgroup = padded - m <= MAX_ROW_PADDING * padded ? subgroupFits(tile, k, size, workgroupSize) : undefined;
      if (subgroup) return { tile, subgroup };
    }
  }
  const tile = findMatmulTile(k, scheduled);
  return tile ? { tile, subgroup: subgroupFits(tile, k, size, workgroupSize) } : {};
}

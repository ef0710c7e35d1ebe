import Handlebars from 'handlebars';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { idx, type Index } from '../../compile/index-expr.js';
import { substituteVar, type MatmulTile } from '../../compile/tile.js';
import type { Scalar, ScalarType } from '../../compile/kernel-ir.js';
import type { Plan } from '../../compile/plan.js';
import { numel } from '../../ir/shape.js';
import { tileGrid } from '../../compile/tile-choice.js';
import { workItems, type AttentionBody, type Kernel } from '../../compile/kernel-ir.js';
import { Placement } from '../placement.js';
import { installRoot } from '../../paths.js';
import { flatIndexLets, WGSL_HELPERS } from './helpers.js';
import { literal, ShaderResources } from './resources.js';
import type { Binding } from '../../compile/bindings.js';
import { tiledStatements, type PhaseContext } from './tiled.js';
import { declareVectors, vectorOf, VECTOR_WIDTH } from './vectorize.js';
import type { PointwiseVector, VectorReduction } from '../../compile/vector-choice.js';
import type { ScheduledDispatch } from '../../compile/schedule.js';
import { segmentBody } from '../../compile/segments.js';

export type { Binding } from '../../compile/bindings.js';

/** A kernel as WGSL source plus how to bind and dispatch it. */
export interface WgslKernel {
  readonly name: string;
  readonly source: string;
  /** The dispatch's binding table: `@binding(i)` is entry i. */
  readonly bindings: readonly Binding[];
  /**
   * Where the shader's arena tensors start (elements), bound as the uniform `fib_bases` at
   * `@binding(bindings.length)` (as vec4<i32> rows); empty when it addresses none and declares
   * no uniform. Dispatches with one source and different bases share a pipeline.
   */
  readonly bases: readonly number[];
  readonly workgroups: readonly [number, number];
}

const templates = new Map<string, HandlebarsTemplateDelegate>();
/** A kernel skeleton from kernels/wgsl/ (noEscape: this is code, not HTML). */
function skeleton(name: 'pointwise' | 'owner-phases' | 'independent-phases'): HandlebarsTemplateDelegate {
  let t = templates.get(name);
  if (!t) {
    // Every skeleton declares its start offsets (ShaderResources.bases) the same way.
    Handlebars.registerPartial('bases', readFileSync(join(installRoot('kernels/wgsl/pointwise.wgsl.hbs'), 'kernels', 'wgsl', 'bases.wgsl.hbs'), 'utf8'));
    t = Handlebars.compile(readFileSync(join(installRoot('kernels/wgsl/pointwise.wgsl.hbs'), 'kernels', 'wgsl', `${name}.wgsl.hbs`), 'utf8'), { noEscape: true, strict: true });
    templates.set(name, t);
  }
  return t;
}

/**
 * The statements computing one kernel's value for the element at row-major index `flat`
 * (a WGSL i32 already in scope), ending with the store. Every distinct scalar becomes a
 * `let`; a reduction becomes a `for` loop whose body holds exactly the scalars that depend
 * on its loop variable (the rest are hoisted above it).
 */
function phaseStatements(k: Kernel, res: ShaderResources, tile?: MatmulTile, subgroup?: number, vector?: PointwiseVector, reductions: ReadonlyMap<Scalar, VectorReduction> = new Map(), compactTile = false, segment?: SegmentAccess): string[] {
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
        const shared = segment?.loads.get(s);
        if (shared !== undefined) {
          expr = shared;
          break;
        }
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
        else if (s.type === 'i32') expr = `${s.fn}(${a}, ${b})`;
        else { res.helpers.add(`fib_${s.fn}`); expr = `fib_${s.fn}(${a}, ${b})`; }
        break;
      }
      case 'where': {
        const c = `${scalar(s.c)} != ${zero(s.c.type)}`;
        if (readsMemory(s.a) || readsMemory(s.b)) return branches(s, c, s.a, s.b);
        expr = `select(${scalar(s.b)}, ${scalar(s.a)}, ${c})`;
        break;
      }
      case 'cast':
        expr = `${s.type}(${scalar(s.a)})`;
        break;
      case 'guard': {
        const conds = s.bounds.map((b) => {
          const i = ix(b.index);
          return `(${i}) >= ${b.lo} && (${i}) < ${b.hi}`;
        }).join(' && ');
        if (readsMemory(s.a)) return branches(s, conds, s.a);
        expr = `select(${zero(s.type)}, ${scalar(s.a)}, ${conds})`;
        break;
      }
      case 'reduce': {
        const vectorized = reductions.get(s);
        if (vectorized) return vectorReduce(s, vectorized);
        const acc = `acc${counter++}`;
        const depth = depthOfVars(scalarVars(s));
        if (s.fn === 'max' && s.type === 'f32') res.helpers.add('fib_max').add('fib_neg_inf');
        const init = s.fn === 'sum' ? zero(s.type) : s.type === 'i32' ? 'i32(-2147483648)' : 'fib_neg_inf()';
        blocks[depth]!.push(`var ${acc}: ${s.type} = ${init};`);
        // Everything the body needs that does not depend on the loop var is emitted above the loop.
        place.open(s.loop.name);
        const body = scalar(s.body);
        const inner = place.close();
        const update = s.fn === 'sum' ? `${acc} = ${acc} + ${body};` : `${acc} = ${s.type === 'i32' ? 'max' : 'fib_max'}(${acc}, ${body});`;
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

  /**
   * A choice whose sides read memory — a concat's parts (a chain of `where`s over guards), a
   * pad's interior (a guard) — as `if`/`else`: only the side taken is loaded, where `select`
   * loads every part for every element. A weight gradient of FiberTiny's fused key/value
   * projection (the sum of two padded gradients) took 2.2-2.5 ms against 3.2-3.6 ms with
   * `select` (lavapipe, fastest of 30). Names a side defines are forgotten after it (WGSL scopes
   * them to the branch); a later use computes its value again.
   */
  function branches(s: Scalar, cond: string, then: Scalar, otherwise?: Scalar): string {
    const block = blocks[depthOfVars(scalarVars(s))]!;
    const side = (x: Scalar | undefined): { lines: string[]; value: string } => {
      if (!x) return { lines: [], value: zero(s.type) };
      const start = block.length;
      const value = scalar(x);
      const lines = block.splice(start);
      // Every name is fresh (a counter), so those these lines define belong to no earlier line.
      // Nested ones too (a reduction's loop body inside the branch): a later reduction over the
      // same body would otherwise name its terms from a loop that is out of scope.
      const defined = new Set(lines.map((l) => /^\s*(?:let|var) (\w+)/.exec(l)?.[1]).filter((n) => n !== undefined));
      for (const [key, n] of names) if (defined.has(n)) names.delete(key);
      for (const [key, n] of valueNames) if (defined.has(n)) valueNames.delete(key);
      return { lines, value };
    };
    const [yes, no] = [side(then), side(otherwise)];
    const name = `s${counter++}`;
    if (yes.lines.length + no.lines.length === 0) {
      block.push(`let ${name}: ${s.type} = select(${no.value}, ${yes.value}, ${cond});`);
      names.set(s, name);
      return name;
    }
    const indent = (lines: string[]): string[] => lines.map((l) => `  ${l}`);
    block.push(`var ${name}: ${s.type} = ${zero(s.type)};`, `if (${cond}) {`, ...indent(yes.lines), `  ${name} = ${yes.value};`);
    if (otherwise) block.push('} else {', ...indent(no.lines), `  ${name} = ${no.value};`);
    block.push('}');
    names.set(s, name);
    return name;
  }

  /**
   * A reduction four steps at a time (see vectorReductions): a vec4 accumulator, one vector
   * body per iteration, the four lanes combined after the loop.
   */
  function vectorReduce(s: Extract<Scalar, { k: 'reduce' }>, v: VectorReduction): string {
    const acc = `acc${counter++}`;
    const depth = depthOfVars(scalarVars(s));
    const vec = `vec${VECTOR_WIDTH}<f32>`;
    if (s.fn === 'max') res.helpers.add('fib_max').add('fib_max4').add('fib_neg_inf');
    blocks[depth]!.push(`var ${acc}: ${vec} = ${vec}(${s.fn === 'sum' ? '0.0' : 'fib_neg_inf()'});`);
    place.open(v.loopVar);
    const body = vectorOf({ res, aligned: v.aligned, scalar, index: ix }, v.run)!;
    const inner = place.close();
    const update = s.fn === 'sum' ? `${acc} = ${acc} + ${body};` : `${acc} = fib_max4(${acc}, ${body});`;
    blocks[depth]!.push(`for (var ${v.loopVar}: i32 = 0; ${v.loopVar} < ${s.loop.size / VECTOR_WIDTH} + fib_z; ${v.loopVar}++) {`, ...inner.map((l) => `  ${l}`), `  ${update}`, '}');
    const name = `s${counter++}`;
    const combined = s.fn === 'sum' ? `dot(${acc}, ${vec}(1.0))` : `fib_max(fib_max(${acc}.x, ${acc}.y), fib_max(${acc}.z, ${acc}.w))`;
    blocks[depth]!.push(`let ${name}: f32 = ${combined};`);
    names.set(s, name);
    return name;
  }

  const shape = k.output.node.shape;
  const axisNames = shape.map((_, i) => `i${i}`);
  // A shared body stores through its table's output start, not the kernel's own offset.
  if (segment) {
    // Inside the element loop goes only what depends on the element (its flat loads); the
    // rest — a kernel's scalar inputs and what follows from them alone, such as AdamW's bias
    // corrections — is written above it, once per chunk: the shader compiler cannot move a
    // load of one binding across a store to another, which may alias it.
    axisNames.forEach((a) => place.open(a));
    const result = scalar(k.value);
    const perElement = axisNames.map(() => place.close()).reverse().flat();
    segment.perChunk.push(...blocks[0]!);
    return [...perElement, `${segment.store} = ${result};`];
  }
  const out = res.location(k.output.id, true);
  if (k.attention) return attentionStatements(k.attention);
  const ctx: PhaseContext = { k, res, out, place, scalar, ix };
  if (tile) return tiledStatements(ctx, tile, subgroup ? { size: subgroup } : undefined, compactTile);
  if (vector) return vectorStatements(vector);
  const indexLines = flatIndexLets(shape, axisNames);
  const result = scalar(k.value);
  return [...indexLines, ...blocks[0]!, `${res.element(out.name, `${out.base}flat`)} = ${result};`];

  /** Four consecutive output elements per invocation (see pointwiseVector): `flat` numbers them. */
  function vectorStatements({ run, aligned }: PointwiseVector): string[] {
    const grid = [...shape.slice(0, -1), shape[shape.length - 1]! / VECTOR_WIDTH];
    const lines = flatIndexLets(grid, [...axisNames.slice(0, -1), 'q4']);
    const value = vectorOf({ res, aligned, scalar, index: ix }, run)!;
    return [...lines, ...blocks[0]!, `${res.vector(out.name, `${res.vectorBase(k.output.id)}flat`)} = ${value};`];
  }

  /**
   * The attention template: `flat` numbers query rows. One pass over the keys keeps a running
   * max, a running sum of exponentials and one accumulator per value column, rescaling them
   * when the max grows (online softmax). A row whose every score is -inf gives 0, not NaN.
   */
  function attentionStatements(a: AttentionBody): string[] {
    const r = shape.length;
    const lines = flatIndexLets(shape.slice(0, -1), axisNames);
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

}

/**
 * Renders one dispatch of a plan as a WGSL compute shader, as its schedule says (register
 * tile, vec4, attention template, owner phases, independent phases).
 */
export function emitWgsl(d: ScheduledDispatch, plan: Plan): WgslKernel {
  const res = new ShaderResources(plan, d.owners !== null, d.schedule.bindings);
  const { strategy, vectorReductions: reductions } = d.schedule;
  const tile = strategy.kind === 'register-tile' ? strategy.tile : undefined;
  const subgroup = strategy.kind === 'register-tile' ? strategy.subgroup : undefined;
  const vector = strategy.kind === 'vec4' ? strategy.vector : undefined;
  // Bindings viewed as vec4 are declared before any access is rendered.
  if (vector) {
    res.vectorize(res.bindingOf(d.phases[0]!.kernel.output.id, true));
    declareVectors(res, vector.aligned);
  }
  for (const r of reductions.values()) declareVectors(res, r.aligned);
  // A plain dispatch's tile, or each owner phase's own (scalar operand loads: a binding's vec4
  // view must be known before any phase is written).
  const phaseTile = (i: number): MatmulTile | undefined => tile ?? d.schedule.phaseTiles?.[i];
  // Independent phases are written by independentPhases (some share one body).
  // An owner phase tiled over a view of its kernel (owners' bands of rows) is written as that view.
  const phaseKernel = (i: number): Kernel => d.schedule.phaseViews?.[i] ?? d.phases[i]!.kernel;
  // A plain dispatch's subgroup, or each owner phase's own.
  const phaseSubgroup = (i: number): number | undefined => subgroup ?? d.schedule.phaseSubgroups?.[i];
  const phases = d.independent ? [] : d.phases.map((p, i) => ({ p, lines: phaseStatements(phaseKernel(i), res, phaseTile(i), phaseSubgroup(i), vector, reductions, d.owners !== null) }));
  const helpers = helpersOf(res);
  const name = d.phases.length === 1 ? d.phases[0]!.kernel.name : `${d.phases[0]!.kernel.name}__${d.phases[d.phases.length - 1]!.kernel.name.split('_')[0]}`;
  // Rendered before the skeleton, which declares the start offsets its statements asked for.
  const independent = d.independent ? independentPhases(d, res) : undefined;
  const bases = res.bases();
  let source: string;
  if (independent) {
    source = skeleton('independent-phases')({
      name, summary: d.reason, bindings: res.decls, bases, helpers: helpersOf(res), workgroupSize: d.workgroupSize, tables: independent.tables, phases: independent.phases,
    });
  } else if (d.owners === null) {
    const k = d.phases[0]!.kernel;
    const count = d.schedule.items;
    source = skeleton('pointwise')({
      name, summary: `${d.reason}; fuses ${k.fused.length} op(s)${vector ? `; ${VECTOR_WIDTH} elements per invocation as a vec${VECTOR_WIDTH}` : ''}${tile ? `; ${tile.tm}x${tile.tn} register tile per invocation${tile.mAxis > tile.nAxis ? ' (transposed: its rows run along the last axis)' : ''}${subgroup ? `, rows shared across a subgroup of ${subgroup}` : ''}` : ''}`,
      bindings: res.decls, bases, helpers, workgroupSize: d.workgroupSize, count, statements: phases[0]!.lines, tiled: !!tile, subgroups: !!subgroup,
    });
  } else {
    const workgroupArrays = Object.entries(d.workgroupWords ?? {}).filter(([, n]) => n > 0).map(([type, length]) => ({ name: `fib_wg_${type}`, type, length }));
    source = skeleton('owner-phases')({
      name, summary: d.reason, bindings: res.decls, bases, helpers, workgroupSize: d.workgroupSize, owners: d.owners, workgroupArrays,
      subgroups: d.schedule.phaseSubgroups?.some((sg) => sg) ?? false,
      phases: phases.map(({ p, lines }, index) => {
        const whole = res.replicated(p.kernel.output.id);
        const tiled = phaseTile(index);
        const sg = phaseSubgroup(index);
        const chunk = (tiled ? numel(tileGrid(phaseKernel(index).output.node.shape, tiled, sg)) : workItems(p.kernel)) / (whole ? 1 : d.owners!);
        return {
          index, name: p.kernel.name, chunk, statements: lines,
          summary: `${p.kernel.fused.length} op(s)${tiled ? `; a ${tiled.tm}x${tiled.tn} register tile per invocation${sg ? `, rows shared across a subgroup of ${sg}` : ''}` : ''}${whole ? '; depends on no input: every workgroup computes its own copy' : ''}; alone it would end because: ${p.reason}`,
          flat: whole ? 'e' : `owner * ${chunk} + e`,
        };
      }),
    });
  }
  return { name, source, bindings: d.schedule.bindings, bases: bases.values, workgroups: d.schedule.grid };
}

/** The helper functions a shader's statements asked for, after they are all written. */
function helpersOf(res: ShaderResources): string {
  return [...[...res.helpers].sort().map((h) => WGSL_HELPERS[h]), ...res.functions.values()].join('\n\n');
}

/** Loads replaced by segment-table reads, and the store of a phase whose body is shared. */
interface SegmentAccess {
  readonly loads: ReadonlyMap<Scalar, string>;
  readonly store: string;
  /** Filled by phaseStatements: the lines that do not depend on the element, run once per chunk. */
  readonly perChunk: string[];
}

/** One phase of a merged dispatch as the independent-phases skeleton takes it. */
interface IndependentPhase {
  readonly index: number;
  readonly name: string;
  readonly summary: string;
  readonly count: number;
  readonly statements: readonly string[];
  readonly segments?: { readonly rows: number; readonly lets: readonly string[] };
}

/**
 * A shared phase's segment table as the skeleton describes it: read from the uniform
 * `fib_bases` (ShaderResources.uniformTable), or, where the uniform has no room left, written
 * as a WGSL constant array (`constant`).
 */
interface SegmentTable {
  readonly phase: number;
  readonly rows: number;
  /** What the columns hold, in order. */
  readonly columns: string;
  readonly constant?: { readonly name: string; readonly length: number; readonly values: string };
}

/**
 * Elements per row of a segment table. Rows are dealt to workgroups in turn, so a chunk is the
 * unit of balance: a long segment spreads over many workgroups, and an invocation reads only
 * its workgroup's rows (when every invocation walked every row, most of the update's time was
 * reading tables of segments too short to reach it).
 */
export const SEGMENT_CHUNK = 4096;

function chunkStarts(count: number): number[] {
  return Array.from({ length: Math.max(1, Math.ceil(count / SEGMENT_CHUNK)) }, (_, c) => c * SEGMENT_CHUNK);
}

/**
 * The phases of a merged dispatch. Kernels with the same shareable body (compile/segments.ts)
 * become one phase at the place of the first, looping over a table with a row per chunk of
 * each kernel's elements: the chunk's element count, where its output starts, and where each
 * load starts; the body reads `seg_count`, `seg_out` and `seg_in<j>`, a workgroup a row at a
 * time. The others are written as they are.
 */
function independentPhases(d: ScheduledDispatch, res: ShaderResources): { phases: IndependentPhase[]; tables: SegmentTable[] } {
  const binding = (id: number): string | undefined => (res.planned(id).split ? undefined : res.bindingOf(id));
  const start = (id: number): number => res.planned(id).arena?.offset ?? 0;
  const bodies = d.phases.map((p) => segmentBody(p.kernel, binding));
  const groups = new Map<string, number[]>();
  bodies.forEach((b, i) => {
    if (b) groups.set(b.key, [...(groups.get(b.key) ?? []), i]);
  });
  const phases: IndependentPhase[] = [];
  const tables: SegmentTable[] = [];
  d.phases.forEach((p, i) => {
    const body = bodies[i];
    const members = body ? groups.get(body.key)! : [i];
    if (members.length < 2) {
      const statements = phaseStatements(p.kernel, res);
      phases.push({ index: phases.length, name: p.kernel.name, count: workItems(p.kernel), statements, summary: `${p.kernel.fused.length} op(s); alone it would end because: ${p.reason}` });
      return;
    }
    if (members[0] !== i) return;
    const table = `fib_seg${phases.length}`;
    const columns = 2 + body!.loads.length;
    // A row per chunk: a flat load moves with the chunk, a fixed one stays where it is.
    const rows = members.flatMap((m) => {
      const k = d.phases[m]!.kernel;
      const loads = bodies[m]!.loads;
      const count = workItems(k);
      return chunkStarts(count).map((at) => [Math.min(SEGMENT_CHUNK, count - at), start(k.output.id) + at, ...loads.map((l) => start(l.load.tensor) + l.offset + (l.kind === 'flat' ? at : 0))]);
    });
    const loads = new Map<Scalar, string>(body!.loads.map((l, j) => {
      const name = res.bindingOf(l.load.tensor);
      return [l.load, res.element(name, l.kind === 'flat' ? `seg_in${j} + flat` : `seg_in${j}`)];
    }));
    const out = res.bindingOf(p.kernel.output.id, true);
    const perChunk: string[] = [];
    const statements = phaseStatements(p.kernel, res, undefined, undefined, undefined, undefined, false, { loads, store: res.element(out, 'seg_out + flat'), perChunk });
    // The table is read from the uniform where it fits, else written as a constant array.
    const inUniform = res.uniformTable(rows, columns);
    const cell = inUniform ?? ((row: string, c: number): string => `${table}[${row} * ${columns} + ${c}]`);
    const lets = [...['seg_count', 'seg_out', ...body!.loads.map((_, j) => `seg_in${j}`)].map((v, c) => `let ${v} = ${cell('seg', c)};`), ...perChunk];
    tables.push({
      phase: phases.length, rows: rows.length, columns: ['chunk count', 'output start', ...body!.loads.map((l, j) => `input ${j} (${l.kind === 'flat' ? 'start' : 'element'})`)].join(', '),
      constant: inUniform ? undefined : { name: table, length: rows.length * columns, values: rows.flat().join(', ') },
    });
    phases.push({
      index: phases.length, name: members.map((m) => d.phases[m]!.kernel.name).join(' '), count: 0, statements, segments: { rows: rows.length, lets },
      summary: `${members.length} kernels of one body, ${p.kernel.fused.length} op(s) each, ${rows.length} chunks of up to ${SEGMENT_CHUNK} elements`,
    });
  });
  return { phases, tables };
}

/** Whether computing a scalar loads from a tensor (outside any reduction of its own, which loops anyway). */
function readsMemory(s: Scalar): boolean {
  switch (s.k) {
    case 'load': return true;
    case 'unary': case 'cast': return readsMemory(s.a);
    case 'binary': return readsMemory(s.a) || readsMemory(s.b);
    case 'where': return readsMemory(s.c) || readsMemory(s.a) || readsMemory(s.b);
    case 'guard': return readsMemory(s.a);
    default: return false;
  }
}

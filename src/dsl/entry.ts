import { isDType, isFloat, type DType } from '../ir/dtype.js';
import { Graph, type GraphOutput, type Schedule } from '../ir/graph.js';
import type { Node, SourceLoc } from '../ir/node.js';
import type { Shape } from '../ir/shape.js';
import type { Decl, ForwardDecl, ModuleDecl, ParamDef, TypeExpr } from './ast.js';
import { Diagnostic } from './diagnostic.js';
import { Elaborator } from './elaborate.js';
import type { LoadedProgram } from './loader.js';
import { describe, DTypeValue, FnValue, Scope, TensorValue, TupleValue, type Value } from './values.js';

/** How to build an entry's graph. */
export interface BuildOptions {
  /** Sizes for the free dims of the entry's inputs (`--bind B=2`). */
  readonly bindings?: Readonly<Record<string, number>>;
  /** Actual input shapes (from an inputs file): they bind free dims by matching. */
  readonly inputShapes?: ReadonlyMap<string, { shape: Shape; dtype: DType }>;
  /** Give unbound dims small distinct sizes instead of failing (used by `fiberc check`). */
  readonly witness?: boolean;
}

const WITNESS_SIZES = [2, 3, 5, 7, 11, 13];
const SCHEDULE_TARGETS = ['wgsl', 'ptx'];
/** Schedule settings the compiler understands, with the kind of value each takes. */
export const SCHEDULE_SETTINGS: Readonly<Record<string, 'int' | 'ints' | 'dtype' | 'bool'>> = {
  workgroup_size: 'int',
  tile: 'ints',
  precision: 'dtype',
  subgroups: 'bool',
  recompute_kv: 'bool',
};

/** Modules and fns that can be entries: everything callable whose hyperparams all have defaults. */
export function entryNames(program: LoadedProgram, file = program.main): string[] {
  const decls = program.programs.get(file)?.decls ?? [];
  return decls.flatMap((d) => (d.kind === 'module' && d.params.every((p) => p.default !== null) && (d.forward || d.alias) ? [d.name] : []));
}

function entryDecl(program: LoadedProgram, name: string): ModuleDecl | Extract<Decl, { kind: 'fn' }> {
  const decl = program.globals.get(name);
  if (decl?.kind === 'module' || decl?.kind === 'fn') return decl;
  const loc: SourceLoc = { file: program.main, line: 1, col: 1 };
  const entries = entryNames(program);
  throw new Diagnostic(`no module or fn named '${name}'${entries.length ? ` (entries here: ${entries.join(', ')})` : ''}`, loc);
}

/**
 * Elaborates entry `name` of a loaded program into a graph: instantiates the module with
 * its default hyperparams at the root path, creates one graph input per tensor argument of
 * its forward, calls it, and names the outputs (`out`, or `out.0`, ... / the names given in
 * a tuple return type).
 */
export function buildGraph(program: LoadedProgram, name: string, options: BuildOptions = {}): Graph {
  const el = new Elaborator(program);
  const decl = entryDecl(program, name);
  let callee: Value;
  let params: readonly ParamDef[];
  let returns: TypeExpr | null;
  let scope: Scope;
  let batch: ForwardDecl['batch'] = null;
  if (decl.kind === 'module') {
    const instance = el.instantiate(decl, [], '', decl.loc);
    const forward = instance.decl.forward;
    if (!forward) throw new Diagnostic(`module ${instance.decl.name} has no forward, so it cannot be an entry`, decl.loc);
    callee = instance;
    params = forward.signature.params;
    returns = forward.signature.returns;
    batch = forward.batch;
    scope = new Scope(instance.scope, true);
  } else {
    callee = new FnValue(decl);
    params = decl.signature.params;
    returns = decl.signature.returns;
    scope = new Scope(el.globals, true);
  }

  if (options.inputShapes) checkInputNames(name, params, options.inputShapes);

  const bindings: Record<string, number> = {};
  let witness = 0;
  const bind = (dim: string, loc: SourceLoc): number => {
    const given = options.bindings?.[dim];
    if (given !== undefined) return (bindings[dim] = given);
    if (options.witness) return (bindings[dim] = WITNESS_SIZES[witness++ % WITNESS_SIZES.length]!);
    throw new Diagnostic(`dim '${dim}' of entry ${name} is not bound; pass --bind ${dim}=N`, loc);
  };
  const inputs: Node[] = [];
  const args = params.flatMap((p) => {
    const isTensorParam = p.type?.kind === 'named' && p.type.dims !== null;
    if (!isTensorParam) {
      if (p.default === null) throw new Diagnostic(`entry argument '${p.name}' needs a tensor type or a default`, p.loc);
      return [];
    }
    const given = options.inputShapes?.get(p.name);
    let node: Node;
    if (given) {
      // A float tensor is accepted for any float type (f16 data for an f32 input, and back):
      // the input takes the declared float type, as params do.
      const declared = p.type?.kind === 'named' && isDType(p.type.name) ? p.type.name : undefined;
      const dtype = declared && isFloat(declared) && isFloat(given.dtype) ? declared : given.dtype;
      node = el.builder.input(p.name, given.shape, dtype);
      el.matchType(p.type!, new TensorValue(node), scope, `input '${p.name}'`, p.loc);
    } else {
      const { dtype, shape } = el.concreteTensorType(p.type!, scope, `input '${p.name}'`, bind);
      node = el.builder.input(p.name, shape, dtype);
    }
    for (const [k, v] of Object.entries(bindings)) if (scope.own(k) === undefined) scope.define(k, v);
    inputs.push(node);
    return [{ arg: { name: p.name, value: { kind: 'name' as const, name: p.name, loc: p.loc }, loc: p.loc }, value: new TensorValue(node) as Value }];
  });
  // Dims bound by matching actual input shapes are recorded too.
  for (const n of scope.ownNames()) {
    const v = scope.own(n);
    if (typeof v === 'number' && bindings[n] === undefined && !params.some((p) => p.name === n)) bindings[n] = v;
  }
  if (batch) checkBatchDim(name, params, batch);
  const result = el.call(callee, args, decl.loc);
  const outputs = nameOutputs(result, returns, decl.loc);
  return new Graph(inputs, el.params.map((p) => p.node), outputs, bindings, schedules(program, el), batch?.dim);
}

/** A declared batch dim must lead some tensor input's type (`x: f32[B, ...]`). */
function checkBatchDim(entry: string, params: readonly ParamDef[], batch: NonNullable<ForwardDecl['batch']>): void {
  const leads = params.some((p) => {
    const first = p.type?.kind === 'named' ? p.type.dims?.[0] : undefined;
    return first !== undefined && first !== 'ellipsis' && first.kind === 'name' && first.name === batch.dim;
  });
  if (!leads) throw new Diagnostic(`batch ${batch.dim} of entry ${entry} is not the leading dim of any input; write it first in an input's type, as in x: f32[${batch.dim}, ...]`, batch.loc);
}

/** Raised when an inputs file does not match the entry's inputs; names every problem. */
export class EntryInputsError extends Error {
  override readonly name = 'EntryInputsError';
}

/**
 * The inputs a file gives must be exactly the entry's tensor arguments. Checked before any
 * dim is bound, so a misnamed input is reported as such, not as an unbound dim.
 */
function checkInputNames(entry: string, params: readonly ParamDef[], given: ReadonlyMap<string, unknown>): void {
  const names = params.filter((p) => p.type?.kind === 'named' && p.type.dims !== null).map((p) => p.name);
  const problems: string[] = [];
  for (const k of given.keys()) if (!names.includes(k)) problems.push(`the inputs file has '${k}', which is not an input of ${entry} (inputs: ${names.join(', ') || 'none'})`);
  for (const n of names) if (!given.has(n)) problems.push(`input '${n}' of ${entry} is missing from the inputs file`);
  if (problems.length > 0) throw new EntryInputsError(problems.join('\n'));
}

function nameOutputs(result: Value, returns: TypeExpr | null, loc: SourceLoc): GraphOutput[] {
  const asNode = (v: Value, what: string): Node => {
    if (v instanceof TensorValue) return v.node;
    throw new Diagnostic(`${what} must be a tensor, got ${describe(v)}`, loc);
  };
  if (result instanceof TupleValue) {
    const names = returns?.kind === 'tuple' ? returns.items.map((i) => i.name) : [];
    return result.items.map((v, i) => ({ name: names[i] ?? `out.${i}`, node: asNode(v, `output ${i}`) }));
  }
  return [{ name: 'out', node: asNode(result, 'the output') }];
}

function schedules(program: LoadedProgram, el: Elaborator): Schedule[] {
  const out: Schedule[] = [];
  for (const prog of program.programs.values()) {
    for (const d of prog.decls) {
      if (d.kind !== 'schedule') continue;
      if (program.files.get(d.loc.file)?.decls.get(d.module)?.kind !== 'module') throw new Diagnostic(`schedule for unknown module '${d.module}'`, d.loc);
      if (!SCHEDULE_TARGETS.includes(d.target)) throw new Diagnostic(`unknown schedule target '${d.target}' (targets: ${SCHEDULE_TARGETS.join(', ')})`, d.loc);
      const settings: Record<string, number | string | boolean | readonly number[]> = {};
      for (const s of d.settings) {
        const kind = SCHEDULE_SETTINGS[s.name];
        if (!kind) throw new Diagnostic(`unknown schedule setting '${s.name}' (settings: ${Object.keys(SCHEDULE_SETTINGS).join(', ')})`, s.loc);
        const v = el.evalExpr(s.value, el.globals, { instance: null, namePath: null });
        const ok = kind === 'int' ? typeof v === 'number' && Number.isInteger(v) && v > 0
          : kind === 'ints' ? Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isInteger(x) && x > 0)
          : kind === 'bool' ? typeof v === 'boolean'
          : v instanceof DTypeValue;
        if (!ok) throw new Diagnostic(`schedule setting '${s.name}' takes ${kind === 'ints' ? 'a list of positive ints' : kind === 'int' ? 'a positive int' : kind}, got ${describe(v)}`, s.value.loc);
        // On PTX the precision is the operand type of matmul kernels (f16: tensor cores).
        if (s.name === 'precision' && d.target === 'ptx' && v instanceof DTypeValue && v.dtype !== 'f32' && v.dtype !== 'f16') throw new Diagnostic(`schedule setting 'precision' for ptx takes f32 or f16 (the matmul operand type), got ${v.dtype}`, s.value.loc);
        settings[s.name] = v instanceof DTypeValue ? v.dtype : (v as number | boolean | number[]);
      }
      out.push({ module: d.module, target: d.target, settings });
    }
  }
  return out;
}

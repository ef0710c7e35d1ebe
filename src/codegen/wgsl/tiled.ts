import { add, div, flatten, idx, key, mod, scale, type Index } from '../../compile/index-expr.js';
import type { Kernel, Scalar } from '../../compile/kernel-ir.js';
import type { Plan } from '../../compile/plan.js';
import { DEFAULT_TILE, findMatmulTile, replaceScalar, substituteVar, type MatmulTile } from '../../compile/tile.js';
import type { Placement } from '../placement.js';
import { literal, type ShaderResources } from './resources.js';

/**
 * Register-tiled matmul kernels in WGSL: the choice of tile (rows shared across a subgroup
 * where the adapter has a fixed subgroup size), the k loop with vec4 operands, and the
 * looped epilogue. See spec/compiler.md, emit-wgsl.
 */

/** What the tile emitter needs from the kernel's statement builder (emit.ts). */
export interface PhaseContext {
  readonly k: Kernel;
  readonly res: ShaderResources;
  /** The output's binding and element offset prefix. */
  readonly out: { readonly name: string; readonly base: string };
  readonly place: Placement;
  /** Emits a scalar's code into its block and returns the WGSL name of its value. */
  readonly scalar: (s: Scalar) => string;
  /** An index expression as WGSL. */
  readonly ix: (i: Index) => string;
}

/**
 * A TM x TN register tile per invocation: `flat` numbers tiles, not elements. With `sg`, the
 * tile's rows are shared across the subgroup: the lanes of a subgroup hold tiles of the same
 * rows (consecutive invocations differ in tile_n), each lane loads a share of those rows and
 * every lane takes the values it needs by subgroupBroadcast instead of gathering them. The k loop
 * advances K_UNROLL steps at a time when its trip count allows: each operand's values for
 * those steps are gathered into one vector and each accumulator takes one `dot`, which on
 * lavapipe halves the cost of a multiply-add (see K_UNROLL).
 */
export function tiledStatements(ctx: PhaseContext, t: MatmulTile, sg?: { size: number }): string[] {
  const { k, res, out, place, scalar, ix } = ctx;
  const { blocks } = place;
  const shape = k.output.node.shape;
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
  // Rows shared across a subgroup of S lanes (sg): with R = min(TM, S), lane L loads rows
  // g*R + L % R of the tile (for each of the G = TM / R row groups g) at k block L / R, so an
  // iteration covers S / R blocks of `unroll` steps of k.
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
    if (tensor >= 0) aligned.set(tensor, (aligned.get(tensor) ?? true) && alignedRun(res, run) !== undefined);
  }
  for (const [tensor, ok] of aligned) if (ok) res.vectorize(res.location(tensor).name);
  // One operand's values over the unrolled steps, as a vector (or a scalar when not unrolled).
  const gather = (operand: Scalar, v: string, at: Index, b: Index): string => {
    const run = steps(operand, v, at, b);
    const vec = alignedRun(res, run);
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
    // Every lane takes each row of each k block from the lane that loaded it.
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
function alignedRun(res: ShaderResources, run: readonly Scalar[]): ScaledLoad | undefined {
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
export function tileGrid(shape: readonly number[], tile: MatmulTile, subgroup?: number): number[] {
  const r = shape.length;
  const tilesN = Math.ceil(shape[r - 1]! / tile.tn);
  return [...shape.slice(0, r - 2), Math.ceil(shape[r - 2]! / tile.tm), subgroup ? Math.ceil(tilesN / subgroup) * subgroup : tilesN];
}

/**
 * Largest share of padding lanes a subgroup-shared tile grid may have (see tileGrid); above
 * it the tile is computed without sharing. Measured on lavapipe, FIBER-B image block: window
 * attention scores (144 keys: 36 column tiles padded to 40) 15.7 -> 12.1 ms shared; image-to-
 * text scores (40 keys: 10 column tiles padded to 16, 37.5% padding) 3.3 -> 2.0 ms shared.
 */
const MAX_SUBGROUP_PADDING = 0.4;

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
export function chooseTile(k: Kernel, plan: Plan, workgroupSize: number): { tile?: MatmulTile; subgroup?: number } {
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

import { add, div, flatten, idx, mentions, mod, scale, type Index } from '../../compile/index-expr.js';
import type { Kernel, Scalar } from '../../compile/kernel-ir.js';
import type { Plan } from '../../compile/plan.js';
import { numel } from '../../ir/shape.js';
import { findMatmulTile, replaceScalar, substituteVar, type MatmulTile } from '../../compile/tile.js';
import type { Placement } from '../placement.js';
import { flatIndexLets } from './helpers.js';
import type { ShaderResources } from './resources.js';
import { alignRuns, vectorOf, VECTOR_WIDTH, type VectorContext } from './vectorize.js';

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
  const [mSize, nSize] = [shape[t.mAxis]!, shape[t.nAxis]!];
  // The grid's axes, slowest first: the output's other (batch) axes, row tiles, column tiles.
  const gridNames = [...batchAxes(shape, t).map((a) => `i${a}`), 'tile_m', 'tile_n'];
  const lines = flatIndexLets(tileGrid(shape, t, sg?.size), gridNames, new Set(['tile_m', 'tile_n']));
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
  const aligned = alignRuns(res, operandSteps);
  // The part of a vector load's index that does not change in the k loop, as a `let` above
  // the loop: written inline, lavapipe recomputed it every iteration (FIBER-B qkv projection,
  // whose rows are read through a window partition and a roll: 31.8 -> 28.3 ms hoisted).
  const bases = new Map<string, string>();
  const hoisted = (i: Index): string => {
    const fixed = i.terms.filter((term) => term.atom.k !== 'value' && !mentions({ constant: 0, terms: [term] }, kv));
    if (fixed.length === 0) return ix(i);
    const code = ix({ constant: i.constant, terms: fixed });
    let name = bases.get(code);
    if (!name) {
      name = `base${bases.size}`;
      bases.set(code, name);
      blocks[0]!.push(`let ${name} = ${code};`);
    }
    const rest = i.terms.filter((term) => !fixed.includes(term));
    return rest.length > 0 ? `${name} + ${ix({ constant: 0, terms: rest })}` : name;
  };
  const vectors4: VectorContext = { res, aligned, scalar, index: hoisted };
  // One operand's values over the unrolled steps, as a vector (or a scalar when not unrolled):
  // computed on vectors where every load that varies with k is an aligned run of a vec4
  // binding (x + bias, a LayerNorm's (x - mean) * rstd * g + b), else gathered value by value.
  const gather = (operand: Scalar, v: string, at: Index, b: Index): string => {
    const run = steps(operand, v, at, b);
    const vec = unroll === VECTOR_WIDTH ? vectorOf(vectors4, run) : undefined;
    if (vec !== undefined) return vec;
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
    const at = ix(flatten(shape.map((d, a) => (a === t.mAxis ? row : a === t.nAxis ? colAt(j) : idx.variable(`i${a}`, d))), shape));
    stores.push(`if (${sg ? 'in_range && ' : ''}m0 + ti < ${mSize} && n0 + ${j} < ${nSize}) {`, `  ${res.element(out.name, `${out.base}${at}`)} = ${value};`, '}');
  }
  const epilogue = [...place.close(), ...stores];
  blocks[0]!.push(`for (var ti: i32 = 0; ti < ${t.tm} + fib_z; ti++) {`, ...epilogue.map((l) => `  ${l}`), '}');
  return [...lines, ...blocks[0]!];
}

/**
 * Steps of k per iteration of a tiled matmul loop. Measured on lavapipe (576x2048 @ 2048x512,
 * 8x4 tiles with rows shared across the subgroup): 8.7 GFLOP/s one step at a time, 20 with
 * four steps as vec4 operands combined by `dot` (fewer broadcasts, loop overhead and
 * accumulator spills per multiply-add).
 */
const K_UNROLL = VECTOR_WIDTH;

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
  const tilesN = Math.ceil(shape[tile.nAxis]! / tile.tn);
  return [...batchAxes(shape, tile).map((a) => shape[a]!), Math.ceil(shape[tile.mAxis]! / tile.tm), subgroup ? Math.ceil(tilesN / subgroup) * subgroup : tilesN];
}

/** The output axes a tile does not span (each tile lies at one index of every one of them). */
function batchAxes(shape: readonly number[], tile: MatmulTile): number[] {
  return [...shape.keys()].filter((a) => a !== tile.mAxis && a !== tile.nAxis);
}

/**
 * Largest share of padding lanes a subgroup-shared tile grid may have (see tileGrid) when a
 * schedule fixes the tile; above it the tile is computed without sharing. Measured on lavapipe,
 * FIBER-B image block: window attention scores (144 keys: 36 column tiles padded to 40) 15.7 ->
 * 12.1 ms shared; image-to-text scores (40 keys: 10 column tiles padded to 16) 3.3 -> 2.0 ms.
 */
const MAX_SUBGROUP_PADDING = 0.4;

/**
 * The subgroup size to share the tile's rows with, when the layout allows: a fixed subgroup
 * size S, a tile height that is a multiple or a divisor of S (lanes then load rows in
 * min(TM, S)-row groups, S / min(TM, S) blocks of k at a time) and k in whole blocks; with
 * `maxPadding`, column tiles that fill whole subgroups with at most that share of padding.
 */
function subgroupFits(tile: MatmulTile, k: Kernel, size: number | undefined, workgroupSize: number, maxPadding = 1): number | undefined {
  if (!size) return undefined;
  const tilesN = Math.ceil(k.output.node.shape[tile.nAxis]! / tile.tn);
  const padded = Math.ceil(tilesN / size) * size;
  const rows = Math.min(tile.tm, size);
  const kb = size / rows;
  const fits = tile.tm % rows === 0 && Number.isInteger(kb) && padded - tilesN <= maxPadding * padded && tile.reduce.loop.size % kb === 0 && workgroupSize % size === 0;
  return fits ? size : undefined;
}

/**
 * Subgroup-shared tiles tried (rows x columns per invocation, each in both orientations).
 * Past about 128 accumulators per lane they spill to the stack: measured on lavapipe with vec4
 * operands (576x512 @ 512x1536 / 576x2048 @ 2048x512), 4 columns: 8 rows 23 / 21 GFLOP/s,
 * 16 rows 30 / 27, 32 rows 41 / 34, 48 rows 26 / 27. Eight columns lose although they gather
 * no more per multiply-add: with 16x8 tiles the FIBER-B image block took 185 ms, 160 with 32x4.
 */
const SHARED_TILE_ROWS = [32, 24, 16, 8];
const SHARED_TILE_COLUMNS = [4, 5, 6];
const MAX_ACCUMULATORS = 128;

/** Fewest subgroups a shared tile grid may have: fewer leave the cores of a CPU adapter idle. */
const MIN_SUBGROUPS = 16;

/**
 * How much cheaper (modelled) a tile must be than the best one before it in the search order
 * to replace it: the model is coarse, and the first candidates (32x4, 24x4, 16x4 on the
 * output's own rows) are the ones measured most. FIBER-B's qkv projection (144 rows per
 * window) is modelled 9.9% cheaper with 24x5 than with 32x4 (padded to 160 rows) and measured
 * 4% faster (26.9 vs 28.1 ms, three runs each); 16x8 and 32x6 (more than 128 accumulators
 * with 32x6) measured slower, which MAX_ACCUMULATORS and SHARED_TILE_COLUMNS encode.
 */
const MODEL_MARGIN = 0.92;

/**
 * Cost of a subgroup-shared tile grid in SIMD operations over the whole kernel (a model of
 * lavapipe, where a subgroup is one SIMD register of S lanes): per four steps of k a subgroup
 * gathers G = TM / min(TM, S) vec4 rows and TN vec4 columns lane by lane (a load and an
 * insert per lane and component: 8 S), broadcasts TM rows (extract and splat, 8 per vec4) and
 * does TM x TN vec4 dots (4 multiply-adds each); padding subgroups and rows cost as much as
 * real ones. Checked on the FIBER-B text layer's 40 x 768 @ 768 x 3072 (ms measured, speed-up
 * vs 16x4 measured / modelled): 16x4 9.0; transposed 24x5 7.2 (1.25x / 1.46x), 16x5 7.5
 * (1.2x / 1.29x), 8x5 9.6 (0.94x / 0.95x).
 */
function sharedTileCost(tile: MatmulTile, shape: readonly number[], size: number): number {
  const subgroups = numel(tileGrid(shape, tile, size)) / size;
  const groups = tile.tm / Math.min(tile.tm, size);
  const perStep = 8 * size * (groups + tile.tn) + 8 * tile.tm + 4 * tile.tm * tile.tn;
  return subgroups * perStep * Math.ceil(tile.reduce.loop.size / 4);
}

/**
 * The register tile of a plain kernel, if it has a contraction: a schedule's `tile` when one
 * is set; else, with a fixed subgroup size, the subgroup-shared tile of least modelled cost
 * (sharedTileCost, MODEL_MARGIN) over both orientations, SHARED_TILE_ROWS and SHARED_TILE_COLUMNS; else
 * DEFAULT_TILE.
 */
export function chooseTile(k: Kernel, plan: Plan, workgroupSize: number): { tile?: MatmulTile; subgroup?: number } {
  const size = plan.limits.subgroupSize;
  const scheduled = scheduledTile(plan, k);
  if (size && !scheduled) {
    const shape = k.output.node.shape;
    let best: { tile: MatmulTile; cost: number } | undefined;
    for (const transposed of [false, true]) {
      for (const rows of SHARED_TILE_ROWS) {
        for (const cols of SHARED_TILE_COLUMNS) {
          const tile = findMatmulTile(k, [rows, cols], transposed);
          if (!tile) return {};
          if (tile.tm * tile.tn > MAX_ACCUMULATORS || !subgroupFits(tile, k, size, workgroupSize)) continue;
          if (numel(tileGrid(shape, tile, size)) / size < MIN_SUBGROUPS) continue;
          const cost = sharedTileCost(tile, shape, size);
          if (!best || cost < MODEL_MARGIN * best.cost) best = { tile, cost };
        }
      }
    }
    if (best) return { tile: best.tile, subgroup: size };
  }
  const tile = findMatmulTile(k, scheduled);
  return tile ? { tile, subgroup: subgroupFits(tile, k, size, workgroupSize, MAX_SUBGROUP_PADDING) } : {};
}

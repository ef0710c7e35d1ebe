import type { Kernel } from './kernel-ir.js';
import { numel } from '../ir/shape.js';
import { findMatmulTile, type MatmulTile } from './tile.js';

/**
 * Which register tile a matmul kernel computes, per target (the schedule's tile decisions,
 * see schedule.ts): on WGSL a cost model of subgroup-shared tiles where the adapter has a
 * fixed subgroup size, else DEFAULT_TILE; on PTX 4x4 f32 register tiles or 16x8x16 tensor-core
 * tiles. The renderers (codegen/wgsl/tiled.ts, codegen/ptx/register-tile.ts, mma.ts) write
 * what is decided here.
 */

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
export function batchAxes(shape: readonly number[], tile: MatmulTile): number[] {
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
 * The subgroup size an owner phase's register tile shares its rows across, if any (see
 * tiledStatements): as subgroupFits allows with MAX_SUBGROUP_PADDING, and the owner's run of
 * tiles (`chunk`, the invocations its phase loop numbers) in whole subgroups, so that the
 * lanes of a subgroup always hold tiles of one row of one owner. Measured on lavapipe, the
 * pre-training step's value-gradient tile (512 x 64 over 192 terms, eight owners): the
 * dispatch holding it 6.8 -> 6.3 ms with rows shared and k four steps at a time.
 */
export function ownerPhaseSubgroup(tile: MatmulTile, k: Kernel, size: number | undefined, workgroupSize: number, chunkOf: (subgroup: number) => number): number | undefined {
  const sg = subgroupFits(tile, k, size, workgroupSize, MAX_SUBGROUP_PADDING);
  return sg && chunkOf(sg) % sg === 0 ? sg : undefined;
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
 * The WGSL register tile of a plain kernel, if it has a contraction: `fixed` (a schedule's
 * `tile`) when set; else, with a fixed subgroup size, the subgroup-shared tile of least
 * modelled cost (sharedTileCost, MODEL_MARGIN) over both orientations, SHARED_TILE_ROWS and
 * SHARED_TILE_COLUMNS; else DEFAULT_TILE. `subgroupSize` is undefined where the adapter has
 * no fixed size or a schedule turns subgroups off.
 */
export function chooseTile(k: Kernel, workgroupSize: number, subgroupSize: number | undefined, fixed: readonly number[] | undefined): { tile?: MatmulTile; subgroup?: number } {
  const size = subgroupSize;
  if (size && !fixed) {
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
  const tile = findMatmulTile(k, fixed);
  return tile ? { tile, subgroup: subgroupFits(tile, k, size, workgroupSize, MAX_SUBGROUP_PADDING) } : {};
}

/** PTX f32 register tiles: rows and columns of outputs per thread, and threads per block. */
export const PTX_REGISTER_TILE = 4;
export const PTX_REGISTER_TILE_THREADS = 128;

/**
 * The kernel's contraction when a PTX register-tile entry can compute it: an f32 matmul tile
 * whose rows and columns split into whole 4x4 tiles (so no thread reads past its operands:
 * PTX loads are not clamped as WebGPU's are).
 */
export function ptxRegisterTile(k: Kernel): MatmulTile | undefined {
  const tile = findMatmulTile(k, [PTX_REGISTER_TILE, PTX_REGISTER_TILE]);
  if (!tile || tile.reduce.type !== 'f32') return undefined;
  const [m, n] = k.output.node.shape.slice(-2) as [number, number];
  return m % PTX_REGISTER_TILE === 0 && n % PTX_REGISTER_TILE === 0 ? tile : undefined;
}

/** The mma.sync shape of tensor-core tiles (m16n8k16) and warps per block (one tile each). */
export const MMA_TILE = { m: 16, n: 8, k: 16 } as const;
export const MMA_WARPS = 4;

/**
 * The kernel's contraction when a tensor-core entry can compute it: an f32 matmul tile whose
 * columns and k split into whole 8- and 16-wide tiles. Rows need not: in a last, partial row
 * tile the lanes of missing rows read the last row again (row indices are clamped, so no lane
 * reads past its operands) and do not store (40 text tokens: three tiles of 16 rows).
 */
export function tensorCoreTile(k: Kernel): MatmulTile | undefined {
  const tile = findMatmulTile(k, [MMA_TILE.m, MMA_TILE.n]);
  if (!tile || tile.reduce.type !== 'f32') return undefined;
  const n = k.output.node.shape[k.output.node.shape.length - 1]!;
  return n % MMA_TILE.n === 0 && tile.reduce.loop.size % MMA_TILE.k === 0 ? tile : undefined;
}

/** Tiles of a tensor-core kernel's output (a last, partial row tile counts as one). */
export function tensorCoreTiles(shape: readonly number[]): number {
  const r = shape.length;
  return numel(shape.slice(0, r - 2)) * Math.ceil(shape[r - 2]! / MMA_TILE.m) * (shape[r - 1]! / MMA_TILE.n);
}

import { add, div, flatten, idx, mentions, mod, scale, type Index } from '../../compile/index-expr.js';
import type { Kernel, Scalar } from '../../compile/kernel-ir.js';
import { replaceScalar, substituteVar, type MatmulTile } from '../../compile/tile.js';
import { batchAxes, tileGrid } from '../../compile/tile-choice.js';
import type { Placement } from '../placement.js';
import { flatIndexLets } from './helpers.js';
import type { ShaderResources } from './resources.js';
import { declareVectors, vectorOf, VECTOR_WIDTH, type VectorContext } from './vectorize.js';
import { alignRuns } from '../../compile/vector-choice.js';

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
export function tiledStatements(ctx: PhaseContext, t: MatmulTile, sg?: { size: number }, compact = false): string[] {
  const { k, res, out, place, scalar, ix } = ctx;
  const { blocks } = place;
  const shape = k.output.node.shape;
  const [mSize, nSize] = [shape[t.mAxis]!, shape[t.nAxis]!];
  // The grid's axes, slowest first: the output's other (batch) axes, row tiles, column tiles.
  const gridNames = [...batchAxes(shape, t).map((a) => `i${a}`), 'tile_m', 'tile_n'];
  const lines = flatIndexLets(tileGrid(shape, t, sg?.size), gridNames, new Set(['tile_m', 'tile_n']));
  lines.push(`let m0 = tile_m * ${t.tm};`, ...(compact ? [] : [`let n0 = tile_n * ${t.tn};`]));
  const rowAt = (i: number): Index => add(idx.variable('m0', mSize), idx.constant(i));
  // Compact tiles interleave their columns: a lane's column j is tile_n + j * (column tiles),
  // so neighbouring lanes read neighbouring columns (addresses one apart, as a GPU coalesces)
  // rather than columns TN apart. lavapipe's gathers run faster on nearby addresses: the
  // weight gradient of FiberTiny's fused key/value projection (a 4x256 band of columns per
  // workgroup, 1216 terms) took 1.1-1.2 ms interleaved against 1.8 ms with each lane's four
  // columns side by side, even loaded as one vec4 (hand-written variants, fastest of 30).
  const tilesN = Math.ceil(nSize / t.tn);
  const colAt = compact
    ? (j: number): Index => add(idx.variable('tile_n', tilesN), idx.constant(j * tilesN))
    : (j: number): Index => add(idx.variable('n0', nSize), idx.constant(j));
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
  // A compact tile takes one step of k per iteration, subgroup or not: FiberTiny's training
  // step with its shared compact tiles taking four steps (operands gathered into vectors)
  // did not finish compiling on lavapipe in 7 minutes, against 100 s one step at a time.
  const unroll = !compact && loop.size % (blocksPerStep * K_UNROLL) === 0 ? K_UNROLL : 1;
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
  // Compact (a phase of an owner-phased shader, whose other phases may already address the
  // bindings as scalars): every operand loaded value by value.
  const aligned = compact ? new Map<number, boolean>() : alignRuns(res.places, operandSteps);
  declareVectors(res, aligned);
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
    // A compact grid's padding lanes (tile_n past the column tiles) interleave onto real columns.
    const padding = compact && sg && tilesN % sg.size !== 0 ? ` && tile_n < ${tilesN}` : '';
    stores.push(`if (${sg && !compact ? 'in_range && ' : ''}m0 + ti < ${mSize} && ${ix(colAt(j))} < ${nSize}${padding}) {`, `  ${res.element(out.name, `${out.base}${at}`)} = ${value};`, '}');
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

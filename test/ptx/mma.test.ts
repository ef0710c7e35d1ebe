import { describe, expect, it } from 'vitest';
import { PTX_ARCHS } from '../../src/codegen/ptx/emit.js';
import { assemble } from '../../src/codegen/ptx/ptxas.js';
import { CUDA_DEFAULT_LIMITS } from '../../src/compile/limits.js';
import { compilePtx } from '../../src/driver/pipeline.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import { Graph } from '../../src/ir/graph.js';
import { buildGraph } from '../../src/dsl/entry.js';
import { PTXAS, program } from './helpers.js';

const need = PTXAS ? '' : ' (skipped: ptxas not found)';

/** GELU(x @ w + bias) with x of `rows` rows and `depth` columns: a matmul with a fused epilogue. */
function projection(rows: number, depth = 64): Graph {
  const b = new GraphBuilder();
  const x = b.input('x', [2, rows, depth], 'f32');
  const w = b.input('w', [depth, 48], 'f32');
  const bias = b.input('bias', [48], 'f32');
  const y = b.binaryBroadcast('add', b.matmul(x, w), bias);
  const gelu = b.binary('mul', b.binary('mul', y, b.constant(0.5, y.shape, 'f32')), b.binary('add', b.constant(1, y.shape, 'f32'), b.unary('erf', b.binary('mul', y, b.constant(Math.SQRT1_2, y.shape, 'f32')))));
  return new Graph([x, w, bias], [], [{ name: 'out', node: gelu }]);
}

describe(`tiled PTX matmuls (tensor-core mma.sync m16n8k16 with f32 accumulation, f32 register tiles) assemble with ptxas${need}`, () => {
  for (const precision of ['f16', 'bf16'] as const) {
    it.skipIf(!PTXAS)(`${precision} operands, every arch`, () => {
      for (const arch of PTX_ARCHS) {
        const { module } = compilePtx(projection(32), { mode: 'fused', limits: CUDA_DEFAULT_LIMITS, arch, matmul: precision });
        expect(module.source).toContain(`mma.sync.aligned.m16n8k16.row.col.f32.${precision}.${precision}.f32`);
        expect(module.source).toContain(`cvt.rn.${precision}x2.f32`);
        // One warp per 16x8 tile, four warps per block: 2 x 2 x 6 tiles.
        expect(module.entries[0]!.threads).toBe(128);
        expect(module.entries[0]!.blocks).toEqual([6, 1]);
        const report = assemble(module.source, arch, PTXAS);
        expect(report[0]!.spillStores + report[0]!.spillLoads).toBe(0);
      }
    });
  }

  it.skipIf(!PTXAS)('rows that do not fill the last 16-row tile: clamped reads, guarded stores', () => {
    const { module } = compilePtx(projection(40), { mode: 'fused', limits: CUDA_DEFAULT_LIMITS, arch: 'sm_90a', matmul: 'f16' });
    expect(module.source).toContain('mma.sync.aligned.m16n8k16');
    expect(module.source).toContain('min.s32');
    expect(module.source.match(/@%p\d+ st\.global\.f32/g)).toHaveLength(4);
    // 2 x 3 x 6 tiles of 16x8 (the third row tile half full), four warps per block.
    expect(module.entries[0]!.blocks).toEqual([9, 1]);
    expect(assemble(module.source, 'sm_90a', PTXAS)[0]!.spillStores).toBe(0);
  });

  it('f32 keeps the CUDA cores, as does a k that does not split into 16s: 4x4 register tiles per thread', () => {
    for (const { rows, depth, matmul } of [{ rows: 32, depth: 64, matmul: 'f32' }, { rows: 40, depth: 60, matmul: 'f16' }] as const) {
      const { module } = compilePtx(projection(rows, depth), { mode: 'fused', limits: CUDA_DEFAULT_LIMITS, arch: 'sm_90a', matmul });
      expect(module.source).not.toContain('mma.sync');
      expect(module.source).toContain('4x4 register tile per thread');
      // 16 accumulators, each updated once per step of k.
      expect(module.source.match(/fma\.rn\.f32/g)!.length).toBeGreaterThanOrEqual(16);
      expect(module.entries[0]!.blocks).toEqual([Math.ceil((2 * rows * 48) / 16 / 128), 1]);
      if (PTXAS) {
        const report = assemble(module.source, 'sm_90a', PTXAS);
        expect(report[0]!.spillStores + report[0]!.spillLoads).toBe(0);
      }
    }
    // Rows that do not split into fours keep one output per thread.
    expect(compilePtx(projection(30), { mode: 'fused', limits: CUDA_DEFAULT_LIMITS, arch: 'sm_90a' }).module.source).not.toContain('register tile');
  });

  it.skipIf(!PTXAS)('every kernel of the FIBER-B image block, bf16 on sm_90a', () => {
    const graph = buildGraph(program, 'ImageFusionBlockBase', { bindings: { B: 1, T: 40 } });
    const { module } = compilePtx(graph, { mode: 'fused', limits: CUDA_DEFAULT_LIMITS, arch: 'sm_90a', matmul: 'bf16' });
    // qkv, scores, P @ V, proj, i2t query, the text's K/V (40 rows: a partial tile), i2t
    // scores, i2t out, fc1 + GELU, fc2.
    expect(module.source.match(/mma\.sync\.aligned/g)).toHaveLength(10);
    expect(assemble(module.source, 'sm_90a', PTXAS)).toHaveLength(module.entries.length);
  });
});

import { describe, expect, it } from 'vitest';
import { exampleInputs, withAlpha } from '../../src/cli/demo.js';
import { CUDA_DEFAULT_LIMITS } from '../../src/compile/limits.js';
import { compilePtx } from '../../src/driver/pipeline.js';
import { buildGraph } from '../../src/dsl/entry.js';
import type { GraphBuilder } from '../../src/ir/builder.js';
import { relativeMaxError } from '../../src/ir/compare.js';
import { randomTensor } from '../../src/ir/gradcheck.js';
import { gradGraph } from '../../src/ir/grad.js';
import type { Graph } from '../../src/ir/graph.js';
import { interpret } from '../../src/ir/interpret.js';
import type { Node } from '../../src/ir/node.js';
import { HostTensor } from '../../src/ir/tensor.js';
import { CudaDevice } from '../../src/runtime/cuda/device.js';
import { prepareFeeds } from '../../src/runtime/feeds.js';
import { fromBfloatBits, fromHalfBits, toBfloatBits, toHalfBits } from '../../src/runtime/ptxsim/half.js';
import { SimulatedCudaDriver } from '../../src/runtime/ptxsim/driver.js';
import { PtxSimError } from '../../src/runtime/ptxsim/parse.js';
import { graphOf } from '../helpers.js';
import { program } from './helpers.js';

/**
 * The CUDA backend — its host code and the PTX fiberc emits — run on the PTX simulator
 * (runtime/ptxsim) against the Float64 interpreter: the check a GPU would make, for shapes
 * small enough to interpret instruction by instruction.
 */
async function worstError(graph: Graph, feeds: ReadonlyMap<string, HostTensor>, matmul: 'f32' | 'f16' | 'bf16' = 'f32'): Promise<number> {
  const expected = interpret(graph, feeds);
  const actual = await CudaDevice.withDriver(new SimulatedCudaDriver(), 0, matmul).run(graph, feeds);
  let worst = 0;
  for (const [name, e] of expected) worst = Math.max(worst, relativeMaxError(actual.get(name)!, e, 1));
  return worst;
}

describe('the CUDA backend on the PTX simulator equals the interpreter', () => {
  for (const entry of ['ImageFusionBlockTiny', 'TextFusionLayerTiny']) {
    it(`${entry}: outputs, and the gradients of every param and input (one owner-phased kernel each way)`, async () => {
      const forward = buildGraph(program, entry, { bindings: { B: 2, T: 8, L: 16 } });
      for (const graph of [forward, gradGraph(forward)]) {
        const feeds = withAlpha(graph, prepareFeeds(graph, exampleInputs(graph, 1), new Map(), 0), 0.5);
        expect(await worstError(graph, feeds)).toBeLessThan(1e-5);
      }
    });
  }

  // Rows, columns and k that split into whole 16x8x16 tiles: the matmuls run as mma.sync.
  const projection = (b: GraphBuilder, n: Record<string, Node>): Node => b.unary('tanh', b.binaryBroadcast('add', b.matmul(n.x!, n.w!), n.bias!));
  const inputs = { x: randomTensor([2, 32, 48], 3), w: randomTensor([48, 24], 4), bias: randomTensor([24], 5) };
  it('f32 register-tiled matmuls (4x4 outputs per thread, fused epilogue)', async () => {
    const { graph, feeds } = graphOf(inputs, projection);
    const { module } = compilePtx(graph, { mode: 'fused', limits: CUDA_DEFAULT_LIMITS, arch: 'sm_90' });
    expect(module.source).toContain('4x4 register tile per thread');
    expect(await worstError(graph, feeds)).toBeLessThan(1e-5);
  });
  // 40 rows: the last 16-row tile is half full (clamped reads, guarded stores).
  const ragged = { ...inputs, x: randomTensor([2, 40, 48], 6) };
  for (const [precision, shapes] of [['f16', inputs], ['bf16', inputs], ['f16', ragged]] as const) {
    it(`tensor-core matmuls (${precision} operands, f32 accumulation, ${shapes.x.shape[1]} rows) equal the interpreter on ${precision} values`, async () => {
      const { graph, feeds } = graphOf(shapes, projection);
      const { module } = compilePtx(graph, { mode: 'fused', limits: CUDA_DEFAULT_LIMITS, arch: 'sm_90', matmul: precision });
      expect(module.source).toContain(`mma.sync.aligned.m16n8k16.row.col.f32.${precision}.${precision}.f32`);
      // Operands already representable in the precision: only f32 accumulation order differs.
      const round = precision === 'f16' ? (v: number) => fromHalfBits(toHalfBits(v)) : (v: number) => fromBfloatBits(toBfloatBits(v));
      const representable = new Map([...feeds].map(([name, t]) => [name, name === 'bias' ? t : new HostTensor(t.shape, t.dtype, t.data.map(round))]));
      expect(await worstError(graph, representable, precision)).toBeLessThan(1e-5);
      // Other values are rounded to 16 bits on the way in.
      expect(await worstError(graph, feeds, precision)).toBeGreaterThan(1e-5);
    });
  }
});

describe('the PTX simulator', () => {
  it('rounds to f16 and bf16 to nearest even, with subnormals, overflow and NaN', () => {
    expect(toHalfBits(1)).toBe(0x3c00);
    expect(toHalfBits(-2)).toBe(0xc000);
    expect(toHalfBits(65504)).toBe(0x7bff);
    expect(toHalfBits(65520)).toBe(0x7c00);
    expect(toHalfBits(2 ** -24)).toBe(0x0001);
    expect(toHalfBits(2 ** -25)).toBe(0);
    expect(toHalfBits(1 + 2 ** -11)).toBe(0x3c00);
    expect(toHalfBits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(fromHalfBits(toHalfBits(0.1))).toBeCloseTo(0.0999755859375, 12);
    expect(Number.isNaN(fromHalfBits(toHalfBits(NaN)))).toBe(true);
    expect(toBfloatBits(1)).toBe(0x3f80);
    expect(toBfloatBits(1 + 2 ** -8)).toBe(0x3f80);
    expect(toBfloatBits(1 + 3 * 2 ** -8)).toBe(0x3f82);
    expect(fromBfloatBits(0x4049)).toBeCloseTo(3.140625, 12);
  });
  it('reports an out-of-bounds access with the kernel, the PTX line and the thread', () => {
    const ptx = [
      '.version 8.0', '.target sm_90', '.address_size 64',
      '.visible .entry k(', '  .param .u64 k_p', ')', '.maxntid 32, 1, 1', '{',
      '  .reg .f32 %f<2>;', '  .reg .b64 %rd<3>;',
      '  ld.param.u64 %rd1, [k_p];', '  cvta.to.global.u64 %rd1, %rd1;',
      '  add.s64 %rd2, %rd1, 4096;', '  ld.global.f32 %f1, [%rd2];', '  ret;', '}',
    ].join('\n');
    const driver = new SimulatedCudaDriver();
    const fn = driver.getFunction(driver.loadModule(ptx), 'k');
    // Device memory is one buffer, as a GPU's: reading past an allocation but inside it is no fault.
    expect(() => driver.launch('k', fn, [1, 1], 1, [driver.alloc(16)])).not.toThrow();
    const far = 1n << 30n;
    expect(() => driver.launch('k', fn, [1, 1], 1, [far])).toThrow(PtxSimError);
    expect(() => driver.launch('k', fn, [1, 1], 1, [far])).toThrow(/k, PTX line 14: global ld out of bounds or misaligned at byte \d+ \(thread 0 of block 0,0\)/);
  });
});

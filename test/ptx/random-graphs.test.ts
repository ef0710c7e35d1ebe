import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PTX_ARCHS } from '../../src/codegen/ptx/emit.js';
import { assemble } from '../../src/codegen/ptx/ptxas.js';
import { CUDA_DEFAULT_LIMITS } from '../../src/compile/limits.js';
import { compilePtx } from '../../src/driver/pipeline.js';
import { gradGraph } from '../../src/ir/grad.js';
import { CudaDevice } from '../../src/runtime/cuda/device.js';
import { SimulatedCudaDriver } from '../../src/runtime/ptxsim/driver.js';
import { buildRandomGraph, checkRandomGraph, randomStep } from '../random-graph.js';
import { PTXAS } from './helpers.js';

const need = PTXAS ? '' : ' (skipped: ptxas not found)';

describe('random graphs of primitives and their gradients in PTX', () => {
  it.skipIf(!PTXAS)(`assemble with ptxas, fused and unfused, every arch${need}`, () => {
    fc.assert(
      fc.property(fc.array(randomStep, { minLength: 2, maxLength: 10 }), fc.constantFrom(...PTX_ARCHS), fc.constantFrom('fused' as const, 'unfused' as const), (steps, arch, mode) => {
        const graph = gradGraph(buildRandomGraph(steps).graph);
        const { module } = compilePtx(graph, { mode, limits: CUDA_DEFAULT_LIMITS, arch });
        expect(assemble(module.source, arch, PTXAS)).toHaveLength(module.entries.length);
      }),
      { numRuns: 25 },
    );
  }, 300_000);

  it('run on the PTX simulator, they equal the interpreter, forward and backward', async () => {
    const device = CudaDevice.withDriver(new SimulatedCudaDriver());
    await fc.assert(
      fc.asyncProperty(fc.array(randomStep, { minLength: 2, maxLength: 10 }), (steps) => checkRandomGraph(steps, [device])),
      { numRuns: 25 * Number(process.env.FIBERC_FUZZ_SCALE ?? 1) },
    );
  }, 300_000);
});

import { describe, it } from 'vitest';
import { PTX_ARCHS } from '../../src/codegen/ptx/emit.js';
import { assembleEntry, PTXAS } from './helpers.js';

const need = PTXAS ? '' : ' (skipped: ptxas not found)';

// FiberTiny's kernels are the layers' kernels at other sizes: every arch for the forward pass
// (fused and unfused), and the fused backward pass for sm_90a (assembling all 985 backward
// entries for every arch would take ptxas about four minutes on two cores).
describe(`every PTX kernel of FiberTiny assembles with ptxas${need}`, () => {
  for (const mode of ['fused', 'unfused'] as const) {
    it.skipIf(!PTXAS)(`forward ${mode}, ${PTX_ARCHS.join(', ')}`, () => {
      for (const arch of PTX_ARCHS) assembleEntry('FiberTiny', false, mode, arch);
    }, 300_000);
  }
  it.skipIf(!PTXAS)('backward fused, sm_90a', () => assembleEntry('FiberTiny', true, 'fused', 'sm_90a'), 300_000);
});

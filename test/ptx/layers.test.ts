import { describe, expect, it } from 'vitest';
import { PTX_ARCHS } from '../../src/codegen/ptx/emit.js';
import { assemble, PtxasError } from '../../src/codegen/ptx/ptxas.js';
import { assembleEntry, PTXAS } from './helpers.js';

const need = PTXAS ? '' : ' (skipped: ptxas not found)';

describe(`every PTX kernel of the FIBER example layers assembles with ptxas${need}`, () => {
  for (const entry of ['ImageFusionBlockTiny', 'TextFusionLayerTiny']) {
    for (const backward of [false, true]) {
      for (const mode of ['fused', 'unfused'] as const) {
        it.skipIf(!PTXAS)(`${entry} ${backward ? 'backward' : 'forward'} ${mode}, ${PTX_ARCHS.join(', ')}`, () => {
          for (const arch of PTX_ARCHS) assembleEntry(entry, backward, mode, arch);
        });
      }
    }
  }

  it.skipIf(!PTXAS)('a ptxas failure carries its log and a command that reproduces it', () => {
    const broken = '.version 8.0\n.target sm_90a\n.address_size 64\n.visible .entry k() {\n  add.s32 %r1, 1;\n  ret;\n}\n';
    expect(() => assemble(broken, 'sm_90a', PTXAS)).toThrow(PtxasError);
    try {
      assemble(broken, 'sm_90a', PTXAS);
    } catch (e) {
      expect((e as Error).message).toMatch(/line \d+; error/);
      expect((e as Error).message).toMatch(/reproduce: \S*ptxas -arch=sm_90a -v -o \S+ \S+module\.ptx/);
    }
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WEBGPU_DEFAULT_LIMITS } from '../../src/compile/limits.js';
import { MAX_MERGED_OPS, MAX_MERGED_PHASES } from '../../src/compile/merge.js';
import { planGraph } from '../../src/compile/plan.js';
import { buildGraph } from '../../src/dsl/entry.js';
import { loadProgram } from '../../src/dsl/loader.js';
import { WGSL_FEATURES } from '../../src/driver/pipeline.js';
import { fiberParamGroups } from '../../src/train/optimizer.js';
import { trainingStep } from '../../src/train/step.js';

/** Pass `merge`: a training step's optimizer update in a few dispatches, dependencies kept. */

describe('merging independent dispatches', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fiberc-merge-'));
  writeFileSync(join(dir, 'm.fib'), `import "fiber.fib" as fib
import "std/nn.fib" as nn
module Loss {
  let layer = fib.TextFusionLayerTiny()
  forward(h: f32[B, T, 32], mask: f32[B, T], image: f32[B, L, 32]) -> f32[] {
    return sum(nn.mean(layer(h, mask, image), 1))
  }
}
`);
  const model = buildGraph(loadProgram(join(dir, 'm.fib'), undefined, [resolve(__dirname, '../../examples')]), 'Loss', { bindings: { B: 2, T: 8, L: 16 } });
  const step = trainingStep(model, 'out', { optimizer: { kind: 'adamw' }, groups: fiberParamGroups() });
  const limits = { ...WEBGPU_DEFAULT_LIMITS, maxStorageBuffersPerShaderStage: 16 };
  const merged = planGraph(step.graph, 'fused', limits, undefined, WGSL_FEATURES);
  const separate = planGraph(step.graph, 'fused', limits);

  it('puts the update\'s kernels in a few dispatches of bounded size', () => {
    const updateKernels = merged.kernels.filter((k) => k.kernel.output.node.scope === 'update').length;
    const updateDispatches = merged.dispatches.filter((d) => d.phases[0]!.kernel.output.node.scope === 'update');
    expect(updateKernels).toBeGreaterThan(3 * step.trainable.length - 1);
    expect(updateDispatches.length).toBeLessThan(updateKernels / 4);
    expect(merged.dispatches.length).toBeLessThan(separate.dispatches.length / 2);
    for (const d of merged.dispatches.filter((x) => x.independent)) {
      expect(d.phases.length).toBeLessThanOrEqual(MAX_MERGED_PHASES);
      expect(d.phases.reduce((s, p) => s + p.kernel.fused.length, 0)).toBeLessThanOrEqual(MAX_MERGED_OPS);
    }
  });

  it('keeps every dependency: no phase reads what its own dispatch or a later one writes', () => {
    const writtenAt = new Map<number, number>();
    merged.dispatches.forEach((d, i) => d.phases.forEach((p) => writtenAt.set(p.kernel.output.id, i)));
    merged.dispatches.forEach((d, i) => {
      for (const p of d.phases) {
        for (const r of p.kernel.reads) {
          const at = writtenAt.get(r.id);
          if (at === undefined) continue;
          if (d.independent || d.owners === null) expect(at, `${p.kernel.name} reads t${r.id}`).toBeLessThan(i);
          else expect(at, `${p.kernel.name} reads t${r.id}`).toBeLessThanOrEqual(i);
        }
      }
    });
  });
});

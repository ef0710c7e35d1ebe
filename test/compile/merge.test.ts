import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WEBGPU_DEFAULT_LIMITS } from '../../src/compile/limits.js';
import { buffersOf, type Draft } from '../../src/compile/kernels.js';
import { MAX_MERGED_OPS, MAX_MERGED_PHASES } from '../../src/compile/merge.js';
import { segmentBody } from '../../src/compile/segments.js';
import { planGraph } from '../../src/compile/plan.js';
import { buildGraph } from '../../src/dsl/entry.js';
import { loadProgram } from '../../src/dsl/loader.js';
import { compileWgsl, WGSL_FEATURES } from '../../src/driver/pipeline.js';
import { SEGMENT_CHUNK } from '../../src/codegen/wgsl/emit.js';
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
  // Which binding each planned tensor of the merged plan lives in, as segmentBody asks.
  const draft: Draft = new Map([...merged.tensors].map(([id, t]) => [id, { ref: t.ref, kind: t.kind, name: t.name }]));
  const binding = (id: number): string | undefined => buffersOf(id, draft, limits)[0];

  it('puts the update\'s kernels in a few dispatches of bounded size', () => {
    const updateKernels = merged.kernels.filter((k) => k.kernel.output.node.scope === 'update').length;
    const updateDispatches = merged.dispatches.filter((d) => d.phases[0]!.kernel.output.node.scope === 'update');
    expect(updateKernels).toBeGreaterThan(3 * step.trainable.length - 1);
    expect(updateDispatches.length).toBeLessThan(updateKernels / 4);
    expect(merged.dispatches.length).toBeLessThan(separate.dispatches.length / 2);
    // Bounded by distinct bodies: kernels differing only in offsets and sizes share one.
    for (const d of merged.dispatches.filter((x) => x.independent)) {
      const bodies = new Map<string, number>();
      d.phases.forEach((p, i) => bodies.set(segmentBody(p.kernel, binding)?.key ?? `own ${i}`, p.kernel.fused.length));
      expect(bodies.size).toBeLessThanOrEqual(MAX_MERGED_PHASES);
      expect([...bodies.values()].reduce((s, n) => s + n, 0)).toBeLessThanOrEqual(MAX_MERGED_OPS);
    }
  });

  it('stores each weight\'s gradient in the weight\'s layout, so every update kernel reads in order and has a shareable body', () => {
    const update = merged.kernels.filter((k) => k.kernel.output.node.scope === 'update');
    expect(update.length).toBeGreaterThan(3 * step.trainable.length - 1);
    // Stored as their matmuls lay them out (transposed), 20 of the 78 kernels read across rows.
    for (const k of update) expect(segmentBody(k.kernel, binding), k.kernel.name).toBeDefined();
    const transposedWeights = [...merged.kernels].filter((k) => k.reason.startsWith('permute of a matmul used only here'));
    expect(transposedWeights.length).toBeGreaterThan(0);
  });

  it('writes kernels of one body once, with a segment table of where each kernel\'s tensors start, read from the uniform', () => {
    const { plan, kernels } = compileWgsl(step.graph, { mode: 'fused', limits });
    const update = kernels.filter((_, i) => plan.dispatches[i]!.independent);
    let tables = 0;
    for (const k of update) {
      // Every shared phase loops over its table's rows, reading a row's cells from the uniform
      // (the table's first vec4 row + seg x its vec4 rows per table row), and its tensors at the row's starts.
      for (const m of k.source.matchAll(/for \(var seg = group; seg < (\d+) \+ fib_z; seg \+= groups_total\) \{\n\s+let seg_count = fib_bases\.v\[(\d+) \+ seg \* (\d+)\]\.x;/g)) {
        tables++;
        const [rows, first, stride] = [Number(m[1]), Number(m[2]), Number(m[3])];
        // The cells are the kernel's uniform values: each chunk counts 1 to SEGMENT_CHUNK elements.
        for (let r = 0; r < rows; r++) expect(k.bases[(first + r * stride) * 4]).toSatisfy((n: number) => n >= 1 && n <= SEGMENT_CHUNK);
      }
      expect(k.source).not.toMatch(/const fib_seg/);
      if (k.source.includes('seg_count')) expect(k.source).toMatch(/\[seg_out \+ flat\] = /);
    }
    expect(tables).toBeGreaterThan(0);
    // Most of the update's kernels share a body: the shaders hold far fewer bodies than kernels.
    const rows = update.reduce((s, k) => s + [...k.source.matchAll(/(\d+) kernels of one body/g)].reduce((n, m) => n + Number(m[1]), 0), 0);
    expect(rows).toBeGreaterThan(step.trainable.length);
    // The shared phases read tensors at their tables' offsets: the shader declares no start offset it does not read.
    for (const k of update) for (const m of k.source.matchAll(/let (fib_b\d+) = /g)) expect(k.source.split(new RegExp(`\\b${m[1]!}\\b`)).length, m[1]).toBeGreaterThan(2);
  });

  it('computes what a shared phase\'s element loop does not vary once per chunk, above the loop', () => {
    const { plan, kernels } = compileWgsl(step.graph, { mode: 'fused', limits });
    const loops = kernels.filter((_, i) => plan.dispatches[i]!.independent).flatMap((k) => elementLoops(k.source));
    expect(loops.length).toBeGreaterThan(0);
    for (const { above, body } of loops) {
      // Loads at a fixed element of the table (a scalar input) are read above the loop ...
      expect(body).not.toMatch(/\[seg_in\d+\]/);
      // ... and so is what follows from them alone: AdamW's bias corrections, powers of the step.
      expect(body).not.toContain('fib_pow(');
      expect(body).toMatch(/\[seg_out \+ flat\] = /);
      if (/\[seg_in\d+\]/.test(above)) expect(above).toMatch(/let s\d+: f32 = \w+\[seg_in\d+\];/);
    }
    expect(loops.some(({ above }) => above.includes('fib_pow('))).toBe(true);
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

/** Each shared phase of a merged shader: the lines of its chunk loop above its element loop, and that loop's body. */
function elementLoops(source: string): { above: string; body: string }[] {
  const parts = source.split('for (var flat = lane; flat < seg_count;');
  return parts.slice(1).map((rest, j) => ({ above: parts[j]!.split('for (var seg = group;').at(-1)!, body: rest.slice(0, rest.indexOf('\n    }\n')) }));
}

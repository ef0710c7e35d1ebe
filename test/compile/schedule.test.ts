import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bindingKey } from '../../src/compile/bindings.js';
import { CUDA_DEFAULT_LIMITS, WEBGPU_DEFAULT_LIMITS } from '../../src/compile/limits.js';
import { describeStrategy, type ScheduledPlan } from '../../src/compile/schedule.js';
import { findMatmulTile } from '../../src/compile/tile.js';
import { assemble } from '../../src/codegen/ptx/ptxas.js';
import { compilePtx, compileWgsl } from '../../src/driver/pipeline.js';
import { buildGraph } from '../../src/dsl/entry.js';
import { loadProgram } from '../../src/dsl/loader.js';
import { Diagnostic } from '../../src/dsl/diagnostic.js';
import { gradGraph } from '../../src/ir/grad.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import { Graph } from '../../src/ir/graph.js';
import { fiberParamGroups } from '../../src/train/optimizer.js';
import { trainingStep } from '../../src/train/step.js';

/** Lavapipe's limits as the adapter reports them: 16 storage buffers, subgroups of 8. */
const LAVAPIPE = { ...WEBGPU_DEFAULT_LIMITS, maxStorageBuffersPerShaderStage: 16, maxComputeInvocationsPerWorkgroup: 1024, maxComputeWorkgroupStorageSize: 32768, subgroupSize: 8 };
const examples = resolve(__dirname, '../../examples');

/**
 * A program held in memory next to std/: two Linear layers and the given schedules. Each
 * kernel ends in Proj's own code (the GELU, the residual), so Proj's schedule is the one
 * that applies: a kernel takes the schedule of the module that produced its output.
 */
function projections(schedules: string): ReturnType<typeof loadProgram> {
  const main = `import "std/nn.fib"
module Proj(d: int = 64) {
  let a = Linear(d, d)
  let b = Linear(d, d)
  forward(x: f32[B, N, d]) -> f32[B, N, d] {
    return b(gelu(a(x))) + x
  }
}
${schedules}`;
  return loadProgram('/virtual/main.fib', (p) => (p === '/virtual/main.fib' ? main : p.includes('/std/') ? readFileSync(p, 'utf8') : undefined));
}

const strategies = (plan: ScheduledPlan): string[] => plan.dispatches.map((d) => describeStrategy(d.schedule.strategy));

describe('pass schedule', () => {
  it('records each dispatch\'s strategy, launch and binding table, and the WGSL is written as recorded', () => {
    const graph = buildGraph(loadProgram(resolve(examples, 'fiber.fib')), 'TextFusionLayerBase', { bindings: { B: 1, T: 40, L: 144 } });
    const { plan, kernels } = compileWgsl(graph, { mode: 'fused', limits: LAVAPIPE });
    const kinds = new Set(plan.dispatches.map((d) => d.schedule.strategy.kind));
    expect(kinds).toContain('register-tile');
    expect(kinds).toContain('vec4');
    plan.dispatches.forEach((d, i) => {
      const s = d.schedule;
      const k = kernels[i]!;
      expect(k.workgroups).toEqual(s.grid);
      expect(s.threads).toBe(d.workgroupSize);
      const groups = s.grid[0] * s.grid[1];
      if (s.strategy.kind === 'register-tile') {
        // One invocation per tile, the grid no bigger than it needs to be.
        expect(groups * s.threads).toBeGreaterThanOrEqual(s.items);
        expect((groups - 1) * s.threads).toBeLessThan(s.items);
        expect(k.source).toContain(`${s.strategy.tile.tm}x${s.strategy.tile.tn} register tile per invocation`);
        expect(k.source.includes('enable subgroups')).toBe(s.strategy.subgroup === 8);
      }
      // The shader declares exactly the table, in its order and with its access.
      const declared = [...k.source.matchAll(/@binding\((\d+)\) var<storage, (read|read_write)> (\w+):/g)].map((m) => [Number(m[1]), m[2], m[3]]);
      expect(declared).toEqual(s.bindings.map((b, j) => [j, b.access, bindingKey(b.source)]));
    });
    // The text layer's projections share rows across subgroups of 8 (the FFN's transposed).
    expect(strategies(plan)).toContain('tile 24x5T sg8');
  });

  it('a vec4 kernel launches a quarter of the invocations; four-wide reductions are recorded', () => {
    const graph = buildGraph(loadProgram(resolve(examples, 'fiber.fib')), 'ImageFusionBlockBase', { bindings: { B: 1, T: 40 } });
    const { plan, kernels } = compileWgsl(graph, { mode: 'unfused', limits: LAVAPIPE });
    const vec4 = plan.dispatches.filter((d) => d.schedule.strategy.kind === 'vec4');
    expect(vec4.length).toBeGreaterThan(0);
    for (const d of vec4) {
      const k = d.phases[0]!.kernel;
      const elements = k.output.node.shape.reduce((a, b) => a * b, 1);
      expect(d.schedule.items).toBe(elements / 4);
      expect(d.schedule.grid[0] * d.schedule.grid[1]).toBe(Math.ceil(elements / 4 / d.schedule.threads));
      expect(kernels[plan.dispatches.indexOf(d)]!.source).toContain('4 elements per invocation as a vec4');
    }
    const reductions = plan.dispatches.filter((d) => d.schedule.vectorReductions.size > 0);
    expect(reductions.length).toBeGreaterThan(0);
    for (const d of reductions) expect(kernels[plan.dispatches.indexOf(d)]!.source).toMatch(/var acc\d+: vec4<f32>/);
  });

  it('owner-phased WGSL dispatches tile their matmul phases of 4 steps and 25 kFLOP per owner or more', () => {
    const graph = buildGraph(loadProgram(resolve(examples, 'fiber.fib')), 'TextFusionLayerTiny', { bindings: { B: 2, T: 8, L: 16 } });
    const { plan, kernels } = compileWgsl(graph, { mode: 'fused', limits: LAVAPIPE });
    const d = plan.dispatches.find((x) => x.schedule.strategy.kind === 'owner-phased')!;
    const tiled = d.phases.filter((_, i) => d.schedule.phaseTiles?.[i]);
    expect(tiled.length).toBe(4);
    for (const p of tiled) {
      const t = d.schedule.phaseTiles![d.phases.indexOf(p)]!;
      expect([t.tm, t.tn]).toEqual([4, 4]);
      expect(t.reduce.loop.size).toBeGreaterThanOrEqual(4);
      expect(p.kernel.flops / d.owners!).toBeGreaterThanOrEqual(25_000);
    }
    for (const p of d.phases.filter((x) => !tiled.includes(x))) {
      const t = findMatmulTile(p.kernel, [4, 4]);
      if (t) expect(t.reduce.loop.size < 4 || p.kernel.flops / d.owners! < 25_000).toBe(true);
    }
    const source = kernels[plan.dispatches.indexOf(d)]!.source;
    expect(source.match(/a 4x4 register tile per invocation/g)).toHaveLength(4);
    // Compact tiles: one step of k per iteration, no binding viewed as vec4.
    expect(source).not.toContain('vec4<f32>');
  });

  it('owner-phased tiles share their rows across a fixed subgroup when an owner holds whole subgroups of tiles', () => {
    // The layers' WebGPU tests check the values; here, which phases share and how it is written.
    const graph = gradGraph(buildGraph(loadProgram(resolve(examples, 'fiber.fib')), 'ImageFusionBlockTiny', { bindings: { B: 2, T: 8, L: 16 } }));
    const shared = compileWgsl(graph, { mode: 'fused', limits: LAVAPIPE });
    let sharing = 0;
    shared.plan.dispatches.forEach((d, di) => {
      if (d.owners === null) return;
      const sgs = d.schedule.phaseSubgroups ?? [];
      sgs.forEach((sg, i) => {
        if (!sg) return;
        sharing++;
        expect(sg).toBe(8);
        expect(d.schedule.phaseTiles?.[i], 'only tiled phases share').toBeDefined();
      });
      const source = shared.kernels[di]!.source;
      const any = sgs.some((sg) => sg);
      expect(source.includes('subgroupBroadcast'), `dispatch ${di}`).toBe(any);
      expect(source.includes('diagnostic(off, subgroup_uniformity)'), `dispatch ${di}`).toBe(any);
    });
    expect(sharing).toBeGreaterThanOrEqual(10);
    // Without a fixed subgroup size (or with subgroups off) no phase shares.
    const plain = compileWgsl(graph, { mode: 'fused', limits: { ...LAVAPIPE, subgroupSize: undefined } });
    expect(plain.plan.dispatches.some((d) => d.schedule.phaseSubgroups)).toBe(false);
    expect(plain.kernels.some((k) => k.source.includes('subgroup_uniformity'))).toBe(false);
  });

  it('owner-phased backward dispatches tile weight gradients in bands of whole tile rows per owner', () => {
    // A weight gradient sums over every batch element: no batch axis to split over the owners,
    // so each owner takes a run of its rows (the layers' WebGPU tests check the values).
    for (const entry of ['ImageFusionBlockTiny', 'TextFusionLayerTiny']) {
      const graph = gradGraph(buildGraph(loadProgram(resolve(examples, 'fiber.fib')), entry, { bindings: { B: 2, T: 8, L: 16 } }));
      const { plan, kernels } = compileWgsl(graph, { mode: 'fused', limits: LAVAPIPE });
      const bands = plan.dispatches.flatMap((d, di) => d.phases.flatMap((p, i) => {
        const t = d.schedule.phaseTiles?.[i];
        const shape = p.kernel.output.node.shape;
        return t && shape.length === 2 ? [{ d, di, t, shape, name: p.kernel.name }] : [];
      }));
      expect(bands.length, entry).toBeGreaterThanOrEqual(5);
      for (const { d, di, t, shape, name } of bands) {
        const [rows, cols] = shape as [number, number];
        expect((rows * cols) / d.owners! % (t.tm * cols), name).toBe(0);
        expect(kernels[di]!.source).toMatch(new RegExp(`// phase \\d+: ${name} \\(\\d+ op\\(s\\); a 4x4 register tile per invocation`));
      }
    }
  });

  it('a sum over the batch of per-example contractions is lowered as one contraction over both, and tiled', () => {
    // The weight-gradient pattern: each example's product, then the sum over examples.
    const b = new GraphBuilder();
    const a = b.input('a', [8, 40, 24], 'f32');
    const w = b.input('w', [8, 24, 32], 'f32');
    const graph = new Graph([a, w], [], [{ name: 'out', node: b.reduce('sum', b.matmul(a, w), [0]) }]);
    const { plan, kernels } = compileWgsl(graph, { mode: 'fused', limits: LAVAPIPE });
    expect(plan.dispatches).toHaveLength(1);
    const kernel = plan.dispatches[0]!.phases[0]!.kernel;
    expect(kernel.value.k === 'reduce' && kernel.value.loop.size).toBe(8 * 24);
    expect(findMatmulTile(kernel)?.reduce.loop.size).toBe(8 * 24);
    expect(describeStrategy(plan.dispatches[0]!.schedule.strategy)).toMatch(/^tile /);
    expect(kernels[0]!.source).not.toMatch(/for \(var r\d+: i32 = 0; r\d+ < 8 \+ fib_z/);
  });

  it('plans of more than 200 dispatches for bounded shader code tile only owner phases of 1 MFLOP per owner or more', () => {
    // FiberTiny's whole pre-training step (ITC, MLM, ITM, AdamW). llvmpipe keeps a bounded
    // amount of the code it compiles: planned for that, only the largest phases get a tile's
    // code; planned for shaders compiled in child processes first, every tileable phase does.
    const model = buildGraph(loadProgram(resolve(examples, 'fiber_pretrain.fib')), 'FiberTinyPretrainingInBatch', { bindings: { B: 2, T: 8 } });
    const step = trainingStep(model, 'loss', { optimizer: { kind: 'adamw' }, groups: fiberParamGroups() });
    const phases = (limits: typeof LAVAPIPE): { tiled: boolean; perOwner: number; tileable: boolean }[] => {
      const { plan } = compileWgsl(step.graph, { mode: 'fused', limits });
      expect(plan.dispatches.length).toBeGreaterThan(200);
      return plan.dispatches.filter((d) => d.owners !== null).flatMap((d) => d.phases.map((p, i) => ({ tiled: !!d.schedule.phaseTiles?.[i], perOwner: p.kernel.flops / d.owners!, tileable: !!findMatmulTile(p.kernel, [4, 4]) })));
    };
    const bounded = phases({ ...LAVAPIPE, boundedShaderCode: true });
    const tiled = bounded.filter((p) => p.tiled);
    expect(tiled.length).toBeGreaterThan(20);
    expect(tiled.every((p) => p.perOwner >= 1e6)).toBe(true);
    // Smaller contractions that a plan of fewer dispatches would tile stay untiled here.
    const middle = (p: { tiled: boolean; perOwner: number; tileable: boolean }): boolean => p.tileable && p.perOwner >= 25_000 && p.perOwner < 1e6;
    expect(bounded.some((p) => !p.tiled && middle(p))).toBe(true);
    const unbounded = phases(LAVAPIPE);
    expect(unbounded.filter((p) => p.tiled).length).toBeGreaterThan(tiled.length);
    expect(unbounded.some((p) => p.tiled && middle(p))).toBe(true);
  });

  it('PTX entries take the binding table as their parameters, in order', () => {
    const graph = buildGraph(loadProgram(resolve(examples, 'fiber.fib')), 'ImageFusionBlockTiny', { bindings: { B: 2, T: 8 } });
    const program = compilePtx(graph, { mode: 'fused', limits: CUDA_DEFAULT_LIMITS, arch: 'sm_90a' });
    program.plan.dispatches.forEach((d, i) => {
      const e = program.module.entries[i]!;
      expect(e.bindings).toEqual(d.schedule.bindings.map((b) => b.source));
      expect([e.threads, e.blocks]).toEqual([d.schedule.threads, d.schedule.grid]);
      const body = program.module.source.slice(program.module.source.indexOf(`.entry ${e.name}(`));
      const params = [...body.slice(0, body.indexOf(')')).matchAll(/\.param \.u64 \w+?_((?:arena|buf)\d+)/g)].map((m) => m[1]);
      expect(params).toEqual(d.schedule.bindings.map((b) => bindingKey(b.source)));
    });
    expect(assemble(program.module.source, 'sm_90a').length).toBe(program.module.entries.length);
  });

  it('a module\'s schedule turns WGSL subgroup sharing off, and puts its PTX matmuls on tensor cores', () => {
    const bindings = { B: 1, N: 576 };
    const plain = compileWgsl(buildGraph(projections(''), 'Proj', { bindings }), { mode: 'fused', limits: LAVAPIPE }).plan;
    expect(strategies(plain).filter((s) => s.endsWith('sg8'))).toHaveLength(2);
    const off = compileWgsl(buildGraph(projections('schedule Proj for wgsl {\n  subgroups = false\n}'), 'Proj', { bindings }), { mode: 'fused', limits: LAVAPIPE }).plan;
    expect(strategies(off).filter((s) => s.startsWith('tile'))).toEqual(['tile 8x4', 'tile 8x4']);

    const cuda = { mode: 'fused' as const, limits: CUDA_DEFAULT_LIMITS, arch: 'sm_90a' as const };
    expect(strategies(compilePtx(buildGraph(projections(''), 'Proj', { bindings }), cuda).plan)).toEqual(['tile 4x4', 'tile 4x4']);
    const f16 = compilePtx(buildGraph(projections('schedule Proj for ptx {\n  precision = f16\n}'), 'Proj', { bindings }), cuda);
    expect(strategies(f16.plan)).toEqual(['mma f16', 'mma f16']);
    expect(f16.module.source).toContain('mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32');
    // A module asking for f32 keeps its f32 tiles whatever the command line asks.
    const kept = compilePtx(buildGraph(projections('schedule Proj for ptx {\n  precision = f32\n}'), 'Proj', { bindings }), { ...cuda, matmul: 'bf16' });
    expect(strategies(kept.plan)).toEqual(['tile 4x4', 'tile 4x4']);
  });

  it('a PTX precision that is not a matmul operand type is a positioned error', () => {
    try {
      buildGraph(projections('schedule Proj for ptx {\n  precision = i32\n}'), 'Proj', { bindings: { B: 1, N: 4 } });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(Diagnostic);
      expect((e as Diagnostic).message).toBe("schedule setting 'precision' for ptx takes f32 or f16 (the matmul operand type), got i32");
    }
  });
});

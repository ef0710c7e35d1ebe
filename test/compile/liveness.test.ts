import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WEBGPU_DEFAULT_LIMITS } from '../../src/compile/limits.js';
import { lifetimes, packByLifetime } from '../../src/compile/liveness.js';
import { planGraph } from '../../src/compile/plan.js';
import { reportPlan } from '../../src/compile/report.js';
import { buildGraph } from '../../src/dsl/entry.js';
import { loadProgram } from '../../src/dsl/loader.js';

/** Scratch memory shared by liveness, and whole FIBER-B planned for WebGPU's limits. */

describe('packing by lifetime', () => {
  it('reuses the place of a tensor read last before the next is written, never of one still live or pinned', () => {
    const { placed, lengths } = packByLifetime([
      { id: 1, size: 10, life: { from: 0, to: 1 } },
      { id: 2, size: 10, life: { from: 1, to: 2 } }, // overlaps 1 at dispatch 1
      { id: 3, size: 8, life: { from: 2, to: 3 } }, // 1 is dead: its place
      { id: 4, size: 4, life: { from: 0, to: Infinity } }, // param-only: pinned
      { id: 5, size: 4, life: { from: 5, to: 5 } },
    ], 64);
    const at = (id: number): number => placed.get(id)!.offset;
    expect(new Set([at(1), at(2), at(4)]).size).toBe(3);
    expect(at(3)).toBe(at(1));
    expect(at(5)).not.toBe(at(4));
    expect(lengths).toEqual([26]);
    for (const p of placed.values()) expect(p.offset % 4).toBe(0);
  });

  it('opens another arena when one is full', () => {
    const { placed, lengths } = packByLifetime([{ id: 1, size: 40, life: { from: 0, to: 1 } }, { id: 2, size: 40, life: { from: 1, to: 1 } }], 64);
    expect(placed.get(2)!.arena).toBe(1);
    expect(lengths).toEqual([40, 40]);
  });
});

describe('FIBER-B on WebGPU', () => {
  const graph = buildGraph(loadProgram(resolve(__dirname, '../../examples/fiber.fib')), 'FiberBase', { bindings: { B: 1, T: 40 } });

  it('plans under the default limits: the word embeddings split over bindings, scratch shared by liveness', () => {
    const plan = planGraph(graph, 'fused', WEBGPU_DEFAULT_LIMITS);
    const words = [...plan.tensors.values()].find((t) => t.name === 'text.embeddings.word_embeddings.weight')!;
    expect(words.split?.arenas.length).toBe(2);
    for (const a of plan.arenas) expect(a.length * 4).toBeLessThanOrEqual(WEBGPU_DEFAULT_LIMITS.maxStorageBufferBindingSize);
    const { memory } = reportPlan(plan, 'FiberBase', 'wgsl');
    expect(memory.params).toBeGreaterThan(900 * 2 ** 20);
    // 705 MiB if every intermediate had its own place.
    expect(memory.scratch).toBeLessThan(100 * 2 ** 20);
    // Every scratch tensor's place is free of every other tensor live at the same time.
    const lives = lifetimes(plan.dispatches);
    const scratch = [...plan.tensors.values()].filter((t) => t.arena && plan.arenas[t.arena.index]!.role === 'scratch');
    const byArena = new Map<number, typeof scratch>();
    for (const t of scratch) byArena.set(t.arena!.index, [...(byArena.get(t.arena!.index) ?? []), t]);
    for (const ts of byArena.values()) {
      const sorted = ts.map((t) => ({ t, life: lives.get(t.ref.id)!, start: t.arena!.offset, end: t.arena!.offset + t.ref.node.shape.reduce((a, b) => a * b, 1) * t.replicas }));
      for (let i = 0; i < sorted.length; i++) {
        for (let j = i + 1; j < sorted.length; j++) {
          const [a, b] = [sorted[i]!, sorted[j]!];
          const together = a.life.from <= b.life.to && b.life.from <= a.life.to;
          if (together) expect(a.end <= b.start || b.end <= a.start, `t${a.t.ref.id} and t${b.t.ref.id}`).toBe(true);
        }
      }
    }
  });
});

import { resolve } from 'node:path';
import { expect } from 'vitest';
import { CUDA_DEFAULT_LIMITS } from '../../src/compile/limits.js';
import { compilePtx } from '../../src/compile/pipeline.js';
import type { FusionMode } from '../../src/compile/plan.js';
import { assemble, findPtxas } from '../../src/codegen/ptx/ptxas.js';
import type { PtxArch } from '../../src/codegen/ptx/emit.js';
import { buildGraph } from '../../src/dsl/entry.js';
import { loadProgram } from '../../src/dsl/loader.js';
import { gradGraph } from '../../src/ir/grad.js';

/** ptxas on this machine (the CUDA toolkit); the PTX tests say they are skipped without it. */
export const PTXAS = findPtxas();

export const program = loadProgram(resolve(__dirname, '../../examples/fiber.fib'));

/** Compiles an example entry (forward or backward) to PTX and has ptxas assemble every kernel. */
export function assembleEntry(entry: string, backward: boolean, mode: FusionMode, arch: PtxArch): void {
  const graph = buildGraph(program, entry, { bindings: { B: 2, T: 8, L: 16 } });
  const { module, plan } = compilePtx(backward ? gradGraph(graph) : graph, { mode, limits: CUDA_DEFAULT_LIMITS, arch });
  const report = assemble(module.source, arch, PTXAS);
  expect(module.entries).toHaveLength(plan.dispatches.length);
  expect(report.map((r) => r.name).sort()).toEqual(module.entries.map((e) => e.name).sort());
  // Plain kernels stay within registers; owner-phased entries (dozens of phases in one
  // function) may spill a little, which `fiberc plan --target ptx` reports.
  const plain = new Set(plan.dispatches.filter((d) => d.owners === null).map((d) => d.phases[0]!.kernel.name));
  for (const r of report.filter((x) => plain.has(x.name))) expect(r.spillStores + r.spillLoads, `${r.name} spills`).toBe(0);
}

import { resolve } from 'node:path';
import { expect } from 'vitest';
import { CUDA_DEFAULT_LIMITS } from '../../src/compile/limits.js';
import { compilePtx } from '../../src/driver/pipeline.js';
import type { FusionMode } from '../../src/compile/plan.js';
import { assemble, findPtxas } from '../../src/codegen/ptx/ptxas.js';
import type { PtxArch } from '../../src/codegen/ptx/emit.js';
import { buildGraph } from '../../src/dsl/entry.js';
import { loadProgram } from '../../src/dsl/loader.js';
import { gradGraph } from '../../src/ir/grad.js';

/**
 * ptxas on this machine (the CUDA toolkit). Without it the PTX assembly tests are skipped and
 * say so — except in CI (CI=true), where a missing ptxas fails the run: every emitted kernel
 * must be assembled there.
 */
export const PTXAS = findPtxas();
if (!PTXAS) {
  if (process.env.CI === 'true') throw new Error('ptxas was not found and CI=true: the PTX kernels must be assembled in CI (install the CUDA toolkit, or put ptxas on PATH)');
  console.warn('ptxas not found: the PTX assembly tests are skipped (they run wherever the CUDA toolkit is installed)');
}

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

import { CudaDevice } from '../runtime/cuda/device.js';
import { CpuDevice } from '../runtime/cpu.js';
import { SimulatedCudaDriver } from '../runtime/ptxsim/driver.js';
import { WebGpuDevice } from '../runtime/webgpu/device.js';
import { fuzz, newCounts, type FuzzBackend, type FuzzCounts } from '../fuzz/run.js';
import type { CliIO } from './io.js';
import { UsageError } from './io.js';

/** Backends `fiberc fuzz --backends` knows, each compared with the interpreter. */
export const FUZZ_BACKENDS = ['cpu', 'webgpu', 'webgpu-unfused', 'cuda-sim'] as const;
type FuzzBackendName = (typeof FUZZ_BACKENDS)[number];

async function openFuzzBackend(name: FuzzBackendName): Promise<FuzzBackend> {
  switch (name) {
    case 'cpu': return { name, ieee: true, device: new CpuDevice() };
    case 'webgpu': return { name, ieee: false, device: await WebGpuDevice.create({ mode: 'fused' }) };
    case 'webgpu-unfused': return { name, ieee: false, device: await WebGpuDevice.create({ mode: 'unfused' }) };
    case 'cuda-sim': return { name, ieee: true, device: CudaDevice.withDriver(new SimulatedCudaDriver()) };
  }
}

export interface FuzzFlags {
  readonly minutes?: string;
  readonly runs?: string;
  readonly seed: string;
  readonly backends: string;
}

/** One line of counts, the report's summary. */
export function formatCounts(c: FuzzCounts, backends: readonly string[]): string {
  return `${c.programs} programs (${c.emptyPrograms} with empty tensors) x ${backends.length} backends [${backends.join(', ')}]: `
    + `${c.backendRuns} runs compared, ${c.elements} elements (${c.gradientElements} of gradients), `
    + `${c.unstable} ill-conditioned elements skipped, ${c.nonFiniteSkipped} runs not compared (NaN/inf on a backend without IEEE guarantees)`;
}

/**
 * `fiberc fuzz`: random programs on edge-valued inputs, forward and backward, on each
 * backend against the interpreter, until the time or run budget is spent or a case fails;
 * a failure is shrunk to a minimal program and printed (exit 1).
 */
export async function runFuzz(flags: FuzzFlags, io: CliIO): Promise<number> {
  const seed = Number(flags.seed);
  if (!Number.isSafeInteger(seed)) throw new UsageError(`--seed expects an integer, got '${flags.seed}'`);
  const minutes = flags.minutes === undefined ? undefined : Number(flags.minutes);
  if (minutes !== undefined && !(minutes > 0)) throw new UsageError(`--minutes expects a positive number, got '${flags.minutes}'`);
  const runs = flags.runs === undefined ? undefined : Number(flags.runs);
  if (runs !== undefined && !(Number.isSafeInteger(runs) && runs > 0)) throw new UsageError(`--runs expects a positive integer, got '${flags.runs}'`);
  const names = flags.backends.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(FUZZ_BACKENDS as readonly string[]).includes(n));
  if (unknown.length > 0 || names.length === 0) throw new UsageError(`--backends takes a comma-separated list of ${FUZZ_BACKENDS.join(', ')}; got '${flags.backends}'`);
  const backends: FuzzBackend[] = [];
  for (const name of names) backends.push(await openFuzzBackend(name as FuzzBackendName));
  const counts = newCounts();
  const started = Date.now();
  const ticker = setInterval(() => io.err(`fuzz: ${formatCounts(counts, names)} (${Math.round((Date.now() - started) / 1000)} s)`), 60_000);
  try {
    const report = await fuzz(backends, {
      seed,
      ...(runs !== undefined ? { runs } : minutes === undefined ? { runs: 100 } : {}),
      ...(minutes !== undefined ? { timeLimitMs: minutes * 60_000 } : {}),
      counts,
    });
    io.out(`fuzz seed ${seed}: ${formatCounts(report.counts, names)}`);
    if (report.failure) {
      io.out(`FAILED — minimal failing program:\n${report.failure}`);
      return 1;
    }
    io.out('no disagreement found');
    return 0;
  } finally {
    clearInterval(ticker);
    for (const b of backends) if (!(b.device instanceof WebGpuDevice)) b.device.dispose();
  }
}

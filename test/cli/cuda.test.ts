import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { readSafetensors, writeSafetensors } from '../../src/fiber/safetensors.js';
import { relativeMaxError } from '../../src/ir/compare.js';
import { randomTensor } from '../../src/ir/gradcheck.js';
import { CudaDriver, NoCudaDriverError } from '../../src/runtime/cuda/driver.js';

function driverPresent(): boolean {
  try {
    CudaDriver.load();
    return true;
  } catch (e) {
    if (e instanceof NoCudaDriverError) return false;
    throw e;
  }
}
const HAS_DRIVER = driverPresent();

describe('the CUDA backend', () => {
  it.skipIf(HAS_DRIVER)('without a driver, says "no CUDA driver found" and exits 1 (skipped: this machine has a CUDA driver)', async () => {
    expect(() => CudaDriver.load()).toThrow(/no CUDA driver found/);
    const dir = mkdtempSync(join(tmpdir(), 'fiberc-cuda-'));
    writeSafetensors(join(dir, 'in.safetensors'), new Map([['x', randomTensor([1, 64, 16], 1)]]));
    let err = '';
    const code = await main(['run', resolve(__dirname, '../../examples/swin.fib'), '--entry', 'SwinBlockTiny', '--backend', 'cuda',
      '--inputs', join(dir, 'in.safetensors'), '--out', join(dir, 'out.safetensors')], { out: () => {}, err: (s) => (err += s) });
    expect(code).toBe(1);
    expect(err).toMatch(/^fiberc: error: no CUDA driver found/);
  });
  it('runs on the PTX simulator with --backend cuda-sim, as the cpu backend does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fiberc-cuda-sim-'));
    writeSafetensors(join(dir, 'in.safetensors'), new Map([['x', randomTensor([1, 64, 16], 1)]]));
    const outputs: Record<string, ReturnType<typeof readSafetensors>> = {};
    for (const backend of ['cpu', 'cuda-sim']) {
      const out = join(dir, `${backend}.safetensors`);
      const code = await main(['run', resolve(__dirname, '../../examples/swin.fib'), '--entry', 'SwinBlockTiny', '--backend', backend, '--seed', '3',
        '--inputs', join(dir, 'in.safetensors'), '--out', out], { out: () => {}, err: () => {} });
      expect(code).toBe(0);
      outputs[backend] = readSafetensors(out);
    }
    expect(outputs.cpu!.size).toBeGreaterThan(0);
    for (const [name, t] of outputs.cpu!) expect(relativeMaxError(outputs['cuda-sim']!.get(name)!, t, 1)).toBeLessThan(1e-5);
  });
});

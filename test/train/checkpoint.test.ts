import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HostTensor } from '../../src/ir/tensor.js';
import { CheckpointError, readCheckpoint, readLatestCheckpoint, writeCheckpoint } from '../../src/train/checkpoint.js';
import { learningRate } from '../../src/train/lr-schedule.js';

describe('checkpoints', () => {
  it('round-trip the state, the step and the configuration; latest names the newest; nothing temporary is left', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fiberc-ckpt-'));
    expect(readLatestCheckpoint(dir)).toBeUndefined();
    const state = (v: number): Map<string, HostTensor> => new Map([['w', HostTensor.from([2], [v, -v])], ['m:w', HostTensor.from([2], [0.5, 0.25])]]);
    writeCheckpoint(dir, 10, state(1), { batch: 8, seed: 3 });
    const path = writeCheckpoint(dir, 20, state(2), { batch: 8, seed: 3 });
    const latest = readLatestCheckpoint(dir)!;
    expect(latest.step).toBe(20);
    expect(latest.path).toBe(path);
    expect(latest.config).toEqual({ batch: 8, seed: 3 });
    expect(Array.from(latest.tensors.get('w')!.data)).toEqual([2, -2]);
    expect(readCheckpoint(join(dir, 'step-0000010.safetensors')).step).toBe(10);
    expect(readdirSync(dir).sort()).toEqual(['latest', 'step-0000010.safetensors', 'step-0000020.safetensors']);
  });

  it('a pointer or file that is not a checkpoint is a clear error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fiberc-ckpt-'));
    writeFileSync(join(dir, 'latest'), '../../etc/passwd');
    expect(() => readLatestCheckpoint(dir)).toThrow(CheckpointError);
    expect(() => readLatestCheckpoint(dir)).toThrow(/latest: does not name a checkpoint/);
    writeFileSync(join(dir, 'latest'), 'step-0000005.safetensors');
    expect(() => readLatestCheckpoint(dir)).toThrow(/step-0000005\.safetensors: no such checkpoint/);
  });
});

describe('learning-rate schedule', () => {
  it('warms up linearly, then decays linearly to the end value', () => {
    const s = { peak: 1e-3, total: 100, warmup: 10 };
    expect(learningRate(s, 1)).toBeCloseTo(1e-4, 12);
    expect(learningRate(s, 10)).toBeCloseTo(1e-3, 12);
    expect(learningRate(s, 55)).toBeCloseTo(5e-4, 12);
    expect(learningRate(s, 100)).toBe(0);
    expect(learningRate({ ...s, end: 1e-5 }, 200)).toBe(1e-5);
  });
});

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { imageText, syntheticCorpus } from '../../src/data/synthetic.js';
import { TextTokenizer } from '../../src/data/tokenizer.js';
import { CpuDevice } from '../../src/runtime/cpu.js';
import { readLatestCheckpoint } from '../../src/train/checkpoint.js';
import { pretrain } from '../../src/train/pretrain.js';
import type { RunConfig, StepMetrics } from '../../src/train/train-run.js';

/** The smallest FIBER on the interpreter: a few steps of all three objectives. */
const config: RunConfig = {
  entry: 'FiberMicroPretraining', seed: 4, batch: 4, textLength: 24, imageSize: 32, steps: 4, lr: 2e-3, warmup: 1,
  betas: [0.9, 0.98], weightDecay: 0.01, headLrScale: 5, checkpointEvery: 2,
};
const examples = syntheticCorpus({ seed: 4, sizes: { train: 16, val: 4, test: 4 } }).train.map(imageText);
const tokenizer = TextTokenizer.synthetic();

class Killed extends Error {}

/** Runs (or resumes) in `out`; with `killAt`, dies right after that step, before anything else. */
async function run(out: string, resume: boolean, killAt?: number): Promise<StepMetrics[]> {
  const seen: StepMetrics[] = [];
  const onStep = (m: StepMetrics): void => {
    seen.push(m);
    if (m.step === killAt) throw new Killed();
  };
  try {
    (await pretrain(new CpuDevice(), config, examples, tokenizer, out, resume, { onStep })).dispose();
  } catch (e) {
    if (!(e instanceof Killed)) throw e;
  }
  return seen;
}

describe('pre-training runs', () => {
  it('write metrics and checkpoints; a run stopped after a checkpoint and resumed takes the same steps as one that was not', async () => {
    const whole = mkdtempSync(join(tmpdir(), 'fiberc-run-'));
    const all = await run(whole, false);
    expect(all.map((m) => m.step)).toEqual([1, 2, 3, 4]);
    for (const m of all) for (const k of ['loss', 'itc', 'mlm', 'itm']) expect(Number.isFinite(m[k]), `${k} at ${m.step}`).toBe(true);
    const lines = readFileSync(join(whole, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as StepMetrics);
    expect(lines.map((l) => l.loss)).toEqual(all.map((m) => m.loss));
    expect(readLatestCheckpoint(whole)!.step).toBe(4);

    // Killed after step 3 (its metrics written, its state not checkpointed), then resumed
    // from step 2's checkpoint: the same steps 3 and 4, and one line per step in the metrics.
    const stopped = mkdtempSync(join(tmpdir(), 'fiberc-run-'));
    expect((await run(stopped, false, 3)).map((m) => m.step)).toEqual([1, 2, 3]);
    const resumed = await run(stopped, true);
    expect(resumed.map((m) => m.step)).toEqual([3, 4]);
    // The interpreter computes in Float64 and checkpoints hold f32: equal to f32 rounding.
    resumed.forEach((m, i) => expect(Math.abs(m.loss! - all[i + 2]!.loss!) / all[i + 2]!.loss!, `step ${m.step}`).toBeLessThan(1e-5));
    const steps = readFileSync(join(stopped, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as StepMetrics).step);
    expect(steps).toEqual([1, 2, 3, 4]);
  }, 300_000);

  it('start the momentum encoder as a copy of the ITC path: with a learning rate of 0 it stays one', async () => {
    const out = mkdtempSync(join(tmpdir(), 'fiberc-run-'));
    (await pretrain(new CpuDevice(), { ...config, steps: 2, lr: 0 }, examples, tokenizer, out, false)).dispose();
    const tensors = readLatestCheckpoint(out)!.tensors;
    const shadows = [...tensors.keys()].filter((n) => n.startsWith('momentum.'));
    expect(shadows).toContain('momentum.cross_modal_text_pooler_itc.dense.weight');
    expect(shadows).toContain('momentum.model.image.layers.0.blocks.0.attn.qkv.weight');
    for (const name of shadows) {
      const [m, p] = [tensors.get(name)!.data, tensors.get(name.slice('momentum.'.length))!.data];
      m.forEach((v, i) => expect(Math.abs(v - p[i]!), `${name}[${i}]`).toBeLessThan(1e-6 * Math.max(1, Math.abs(p[i]!))));
    }
  }, 300_000);
});

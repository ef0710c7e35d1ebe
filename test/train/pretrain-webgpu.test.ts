import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { imageText, syntheticCorpus } from '../../src/data/synthetic.js';
import { TextTokenizer } from '../../src/data/tokenizer.js';
import { CpuDevice } from '../../src/runtime/cpu.js';
import type { Device } from '../../src/runtime/device.js';
import { readLatestCheckpoint } from '../../src/train/checkpoint.js';
import { pretrain } from '../../src/train/pretrain.js';
import { runTraining, type RunConfig, type RunTask, type StepMetrics } from '../../src/train/train-run.js';
import { vqaItems } from '../../src/data/vqa-batch.js';
import { vqaTask } from '../../src/train/vqa-finetune.js';
import { gpu } from '../webgpu/gpu.js';

/**
 * The whole pre-training step (ITC, MLM and ITM, AdamW with FIBER's groups, the queues) and the
 * VQA fine-tuning step, each one compiled program on WebGPU, against the interpreter, at
 * FiberMicro's size; and a few WebGPU steps on a handful of examples lower every loss.
 */

/** Eight examples in batches of four: each step sees half of them again (with new masks and negatives). */
const config: RunConfig = {
  entry: 'FiberMicroPretraining', seed: 7, batch: 4, textLength: 24, imageSize: 32, steps: 12, lr: 3e-3, warmup: 1,
  betas: [0.9, 0.98], weightDecay: 0.01, headLrScale: 5, checkpointEvery: 100,
};
const examples = syntheticCorpus({ seed: 7, sizes: { train: 8, val: 0, test: 0 } }).train.map((e) => ({ ...imageText(e), scene: e.scene }));
const tokenizer = TextTokenizer.synthetic();

type Trained = { metrics: StepMetrics[]; params: Map<string, Float32Array | Float64Array | Int32Array> };

/** Pre-training steps; with `placeWeight`, FiberPretrainingGrounded's (relation statements' rows beside the others). */
async function train(device: Device, steps: number, placeWeight?: number): Promise<Trained> {
  const out = mkdtempSync(join(tmpdir(), 'fiberc-pretrain-'));
  const run: RunConfig = placeWeight === undefined ? { ...config, steps } : { ...config, steps, entry: 'FiberMicroPretrainingGrounded', placeWeight };
  (await pretrain(device, run, examples, tokenizer, out, false)).dispose();
  return trained(out);
}

/**
 * Three VQA fine-tuning steps from fresh params (the backbone as if pre-trained: any values do);
 * with `placeWeight`, FiberVQAGrounded's (the place objective beside the answers), or with
 * `readPlaces` too FiberVQARelationReader's (its classifier reads the place and relation heads;
 * FiberVQAPlaceReader's graph is this one less the relation head).
 */
async function fineTune(device: Device, placeWeight?: number, readPlaces = false): Promise<Trained> {
  const out = mkdtempSync(join(tmpdir(), 'fiberc-vqa-'));
  const entry = placeWeight === undefined ? 'FiberMicroVQA' : readPlaces ? 'FiberMicroVQARelationReader' : 'FiberMicroVQAGrounded';
  const vqa: RunConfig = { ...config, entry, steps: 3, init: 'fan-in', ...(placeWeight === undefined ? {} : { placeWeight }) };
  // Every param drawn from the seed (any may be): the test compares backends, not a pre-trained start.
  const task: RunTask = { ...vqaTask(vqa, vqaItems(examples), tokenizer, new Map(), 'no checkpoint'), drawn: /./ };
  (await runTraining(device, vqa, task, out, false)).dispose();
  return trained(out);
}

function trained(out: string): Trained {
  const metrics = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as StepMetrics);
  const params = new Map([...readLatestCheckpoint(out)!.tensors].map(([n, t]) => [n, t.data]));
  return { metrics, params };
}

/** The interpreter's run and WebGPU's: the same losses each step and the same optimizer moments after. */
function expectSameTraining(cpu: Trained, webgpu: Trained, losses: readonly string[]): void {
  for (const [i, m] of cpu.metrics.entries()) {
    for (const loss of losses) expect(Math.abs(webgpu.metrics[i]![loss]! - m[loss]!), `step ${m.step} ${loss}`).toBeLessThan(2e-3 * Math.max(1, Math.abs(m[loss]!)));
  }
  // AdamW steps every param by about lr whatever its gradient's size: compare the moments of params that moved.
  let compared = 0;
  for (const [name, want] of cpu.params) {
    if (!name.startsWith('optimizer.')) continue;
    const got = webgpu.params.get(name)!;
    const scale = Math.max(...Array.from(want, Math.abs));
    if (scale < 1e-6) continue;
    const err = Math.max(...Array.from(want, (w, j) => Math.abs(w - got[j]!)));
    expect(err / scale, name).toBeLessThan(2e-2);
    compared++;
  }
  expect(compared).toBeGreaterThan(100);
}

describe('the pre-training step on WebGPU', () => {
  it('equals the interpreter\'s: the losses of three steps and the params after them', async () => {
    expectSameTraining(await train(new CpuDevice(), 3), await train(await gpu('fused'), 3), ['itc', 'mlm', 'itm', 'loss']);
  }, 600_000);

  it('with the place objective on relation statements equals the interpreter\'s too', async () => {
    const cpu = await train(new CpuDevice(), 2, 2);
    expect(cpu.metrics.every((m) => m.place_loss! > 0)).toBe(true);
    expectSameTraining(cpu, await train(await gpu('fused'), 2, 2), ['itc', 'mlm', 'itm', 'place_loss', 'loss']);
  }, 600_000);

  it('VQA fine-tuning equals the interpreter\'s: the losses of three steps and the params after them', async () => {
    expectSameTraining(await fineTune(new CpuDevice()), await fineTune(await gpu('fused')), ['loss']);
  }, 600_000);

  it('VQA fine-tuning with the place objective equals the interpreter\'s, relation questions in its batches', async () => {
    const cpu = await fineTune(new CpuDevice(), 2);
    // The batches hold relation questions, so the objective's gradient is part of what is compared.
    expect(cpu.metrics.some((m) => m.place_loss! > 0)).toBe(true);
    expectSameTraining(cpu, await fineTune(await gpu('fused'), 2), ['loss', 'place_loss']);
  }, 600_000);

  it('VQA fine-tuning with a classifier that reads the place and relation heads equals the interpreter\'s', async () => {
    const cpu = await fineTune(new CpuDevice(), 2, true);
    expect(cpu.metrics.some((m) => m.place_loss! > 0)).toBe(true);
    expectSameTraining(cpu, await fineTune(await gpu('fused'), 2, true), ['loss', 'place_loss']);
  }, 600_000);

  it('lowers every loss over a dozen steps', async () => {
    const { metrics } = await train(await gpu('fused'), 12);
    const mean = (ms: StepMetrics[], k: string): number => ms.reduce((s, m) => s + m[k]!, 0) / ms.length;
    for (const loss of ['itc', 'mlm', 'itm']) expect(mean(metrics.slice(-3), loss), loss).toBeLessThan(mean(metrics.slice(0, 3), loss));
  }, 600_000);
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FusionMode } from '../src/compile/plan.js';
import { imageText, syntheticCorpus } from '../src/data/synthetic.js';
import { TextTokenizer } from '../src/data/tokenizer.js';
import { writeSafetensors } from '../src/fiber/safetensors.js';
import { leafName } from '../src/ir/graph.js';
import { gradGraph } from '../src/ir/grad.js';
import { randomTensor } from '../src/ir/gradcheck.js';
import { initParam } from '../src/ir/init.js';
import { interpret } from '../src/ir/interpret.js';
import { HostTensor } from '../src/ir/tensor.js';
import { WebGpuDevice } from '../src/runtime/webgpu/device.js';
import { fiberEntryGraph } from '../src/train/fiber-entries.js';
import { initialParam } from '../src/train/param-init.js';
import { pretrainTask } from '../src/train/pretrain.js';
import { LR_INPUT, STEP_INPUT } from '../src/train/step.js';
import { runStep, type RunConfig } from '../src/train/train-run.js';
import { pythonWithTorch, torchScript } from './torch-peer.js';

/**
 * The whole FIBER pre-training step of `fiberc train` (FiberTinyPretraining: ITC with the
 * momentum encoder and queue, MLM, ITM with hard negatives, AdamW with FIBER's groups, the
 * moving average), timed on WebGPU fused and unfused on real synthetic batches, and the same
 * model and losses in PyTorch eager (bench/torch_fiber_pretrain.py) once its losses and
 * gradients have been checked against the interpreter's.
 */

/** One fiberc mode's figures. */
export interface PretrainStepRow {
  readonly device: string;
  readonly mode: FusionMode;
  readonly dispatches: number;
  /** Distinct compiled pipelines (dispatches that differ only in their tensors' offsets share one). */
  readonly pipelines: number;
  readonly wgslBytes: number;
  readonly firstStepMs: number;
  readonly medianMs: number;
}

/** What the PyTorch peer measured, or why it did not run. */
export type PretrainPeer =
  | { readonly ran: true; readonly peer: string; readonly firstStepMs: number; readonly medianMs: number; readonly checked: { readonly losses: number; readonly gradients: number } }
  | { readonly ran: false; readonly reason: string };

/** `fiberc train --model FiberTiny`'s configuration at a batch size (the step does not depend on steps or lr). */
export function benchConfig(batch: number): RunConfig {
  return {
    entry: 'FiberTinyPretraining', seed: 0, batch, textLength: 38, imageSize: 64, steps: 1000, lr: 3e-4, warmup: 100,
    betas: [0.9, 0.98], weightDecay: 0.01, headLrScale: 5, checkpointEvery: 1000, init: 'fan-in',
  };
}

/** Times `steps` pre-training steps after the first (which compiles every shader). */
export async function measurePretrainStep(mode: FusionMode, batch: number, steps: number, yieldWhileWaiting: boolean): Promise<PretrainStepRow> {
  const config = benchConfig(batch);
  const examples = syntheticCorpus({ seed: 0, sizes: { train: batch * (steps + 1), val: 0, test: 0 } }).train.map(imageText);
  const task = pretrainTask(config, examples, TextTokenizer.synthetic());
  const { model, step, updates } = runStep(config, task);
  const device = await WebGpuDevice.create({ mode, yieldWhileWaiting });
  const feeds = (t: number): Map<string, HostTensor> => new Map([...task.batch(t - 1), [LR_INPUT, HostTensor.from([], [1e-4])], [STEP_INPUT, HostTensor.from([], [t])]]);
  const t0 = performance.now();
  const program = await device.load(step.graph, { updates });
  program.setParams(new Map(model.params.map((p) => [leafName(p), initialParam(p, 0, 'fan-in')])));
  await program.run(feeds(1));
  await program.read(['loss']);
  const firstStepMs = performance.now() - t0;
  const times: number[] = [];
  for (let t = 2; t <= steps + 1; t++) {
    const s = performance.now();
    await program.run(feeds(t));
    await program.read(['loss']);
    times.push(performance.now() - s);
  }
  program.dispose();
  const compiled = await device.compile(step.graph);
  const row = {
    device: device.name, mode, dispatches: compiled.plan.dispatches.length, pipelines: new Set(compiled.pipelines).size, wgslBytes: compiled.kernels.reduce((s, k) => s + k.source.length, 0),
    firstStepMs, medianMs: [...times].sort((x, y) => x - y)[Math.floor(times.length / 2)]!,
  };
  device.dispose();
  return row;
}

/** The params the peer's gradients are compared on: both towers, an ITC head, the temperature, a gate. */
const CHECKED = ['model.text.layer.0.attention.self.query.weight', 'model.image.layers.0.blocks.0.attn.qkv.weight', 'cross_modal_text_pooler_itc.dense.weight', 'cross_modal_image_transform_itc.weight', 'temp', 'model.text.layer.5.alpha', 'itm_score.fc.weight', 'mlm_score.decoder.weight'];

/**
 * Checks bench/torch_fiber_pretrain.py against the interpreter (all four losses and the
 * gradients of CHECKED at a small batch, gates at 0.5 and a momentum encoder apart from the
 * online one, so every path counts), then times its step at `batch`.
 */
export function torchPeerPretrain(root: string, batch: number): PretrainPeer {
  const py = pythonWithTorch();
  if (!py) return { ran: false, reason: 'no python3 with torch (Debian: apt-get install python3-torch libopenblas0-pthread)' };
  const dir = mkdtempSync(join(tmpdir(), 'fiberc-torch-'));
  try {
    const [B, T] = [3, 12];
    const graph = fiberEntryGraph('FiberTinyPretraining', B, T);
    const params = new Map(graph.params.map((p) => [leafName(p), leafName(p).endsWith('.alpha') ? HostTensor.from([], [0.5]) : initParam(p, 1)]));
    const mask = Array.from({ length: B * T }, (_, i) => (i % T < T - 1 - (Math.floor(i / T) % 3) ? 1 : 0));
    const ids = Array.from({ length: B * T }, (_, i) => (mask[i] ? 5 + ((i * 7) % 40) : 1));
    const inputs = new Map([
      ['pixels', randomTensor([B, 3, 64, 64], 3)], ['ids', HostTensor.from([B, T], ids, 'i32')], ['mask', HostTensor.from([B, T], mask)],
      ['mlm_ids', HostTensor.from([B, T], ids.map((v, i) => (mask[i] && i % 5 === 2 ? 4 : v)), 'i32')],
      ['mlm_labels', HostTensor.from([B, T], ids.map((v, i) => (mask[i] && i % 5 === 2 ? v : -100)), 'i32')],
      ['draws', HostTensor.from([2, B], [0.3, 0.7, 0.9, 0.1, 0.5, 0.6])],
    ]);
    writeSafetensors(join(dir, 'params.safetensors'), params);
    writeSafetensors(join(dir, 'inputs.safetensors'), inputs);
    const seeds = graph.outputs.map((o, i) => [`grad:${o.name}`, HostTensor.from(o.node.shape, new Array(o.node.shape.reduce((a, b) => a * b, 1)).fill(i === 0 ? 1 : 0))] as const);
    const fiberc = interpret(gradGraph(graph, CHECKED), new Map([...params, ...inputs, ...seeds]));
    const torch = torchScript(py, join(root, 'bench/torch_fiber_pretrain.py'), ['check', join(dir, 'params.safetensors'), join(dir, 'inputs.safetensors'), '--grads', ...CHECKED]);
    let losses = 0;
    for (const name of ['loss', 'itc', 'mlm', 'itm']) losses = Math.max(losses, relative(torch[name] as number, fiberc.get(name)!.data[0]!));
    let gradients = 0;
    const torchGrads = torch.grads as Record<string, number[]>;
    for (const name of CHECKED) {
      const ours = fiberc.get(`grad:${name}`)!.data;
      const scale = Math.max(...Array.from(ours.subarray(0, 4), Math.abs), 1e-12);
      torchGrads[name]!.forEach((v, i) => (gradients = Math.max(gradients, Math.abs(v - ours[i]!) / scale)));
    }
    if (losses > 1e-6 || gradients > 1e-4) throw new Error(`the PyTorch pre-training step is not fiberc's: losses differ by ${losses.toExponential(2)}, gradients by ${gradients.toExponential(2)} (relative)`);
    const timed = torchScript(py, join(root, 'bench/torch_fiber_pretrain.py'), ['time', join(dir, 'params.safetensors'), '--batch', String(batch), '--text', '38']);
    return { ran: true, peer: timed.peer as string, firstStepMs: timed.firstStepMs as number, medianMs: timed.medianMs as number, checked: { losses, gradients } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function relative(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(1, Math.abs(b));
}

/** Prints the table: fiberc's modes, the peer, the ratios. */
export function printPretrainBench(batch: number, rows: readonly PretrainStepRow[], peer: PretrainPeer): void {
  console.log(`\nFiberTiny pre-training step (batch ${batch}, 38 text positions: ITC + MLM + ITM, AdamW, momentum encoder) on ${rows[0]?.device ?? '-'}`);
  const line = (name: string, dispatches: string, wgsl: string, ms: number, first: number): string =>
    `${name.padEnd(8)} ${dispatches.padStart(18)} ${wgsl.padStart(8)} WGSL ${ms.toFixed(0).padStart(7)} ms/step ${(batch / (ms / 1000)).toFixed(2).padStart(7)} examples/s  first step ${(first / 1000).toFixed(1)} s`;
  for (const r of rows) console.log(line(r.mode, `${r.dispatches} dispatches/${r.pipelines} pipelines`, `${(r.wgslBytes / 1e6).toFixed(2)} MB`, r.medianMs, r.firstStepMs));
  const fused = rows.find((r) => r.mode === 'fused');
  const unfused = rows.find((r) => r.mode === 'unfused');
  if (fused && unfused) console.log(`fused speed-up over unfused: ${(unfused.medianMs / fused.medianMs).toFixed(2)}x`);
  if (peer.ran) {
    console.log(line('pytorch', '-', '-', peer.medianMs, peer.firstStepMs), `(${peer.peer}; checked first: losses within ${peer.checked.losses.toExponential(1)}, gradients within ${peer.checked.gradients.toExponential(1)} of the interpreter's)`);
    if (fused) console.log(`fused vs PyTorch: ${(peer.medianMs / fused.medianMs).toFixed(2)}x`);
  } else console.log(`PyTorch peer not run: ${peer.reason}`);
}


import { describe, expect, it } from 'vitest';
import { buildGraph } from '../../src/dsl/entry.js';
import { loadProgram } from '../../src/dsl/loader.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import { relativeMaxError } from '../../src/ir/compare.js';
import { Graph } from '../../src/ir/graph.js';
import { randomTensor } from '../../src/ir/gradcheck.js';
import { initParam } from '../../src/ir/init.js';
import { HostTensor } from '../../src/ir/tensor.js';
import { CpuDevice } from '../../src/runtime/cpu.js';
import { CudaDevice } from '../../src/runtime/cuda/device.js';
import type { Device } from '../../src/runtime/device.js';
import { SimulatedCudaDriver } from '../../src/runtime/ptxsim/driver.js';
import { fiberParamGroups, paramSettings, type OptimizerOptions, type ParamGroupRule } from '../../src/train/optimizer.js';
import { APPLY_INPUT, GRAD_NORM_OUTPUT, LR_INPUT, STEP_INPUT, trainingStep, trainingStepParts } from '../../src/train/step.js';
import { gpu } from '../webgpu/gpu.js';
import { WebGpuDevice } from '../../src/runtime/webgpu/device.js';
import { compileWgsl } from '../../src/driver/pipeline.js';
import { WEBGPU_DEFAULT_LIMITS } from '../../src/compile/limits.js';
import { resolve } from 'node:path';

/**
 * A training step compiled as one program: forward, backward and the optimizer's update,
 * with params and moments updated in place. AdamW and SGD are checked against a Float64
 * reference written independently here (PyTorch's update rules), and a FiberTiny step on
 * WebGPU against the interpreter's.
 */

/** loss = mean((x @ w + b - y)^2) over a [rows, 3] batch: a model small enough to check by hand. */
function regression(rows = 4, ins = 3, outs = 2): Graph {
  const b = new GraphBuilder();
  const x = b.input('x', [rows, ins], 'f32');
  const y = b.input('y', [rows, outs], 'f32');
  const w = b.param('fc.weight', [ins, outs], 'f32', { kind: 'normal', std: 0.5, mean: 0 });
  const bias = b.param('fc.bias', [outs], 'f32', { kind: 'constant', value: 0.1 });
  const err = b.binary('sub', b.binaryBroadcast('add', b.matmul(x, w), bias), y);
  const loss = b.reshape(b.binary('div', b.reduce('sum', b.reshape(b.binary('mul', err, err), [outs * rows]), [0]), b.constant(outs * rows, [1], 'f32')), []);
  return new Graph([x, y], [w, bias], [{ name: 'loss', node: loss }]);
}

/** The gradient of the regression loss, by hand. */
function regressionGrads(x: number[][], y: number[][], w: number[][], bias: number[]): { w: number[][]; b: number[]; loss: number } {
  const gw = w.map((r) => r.map(() => 0));
  const gb = bias.map(() => 0);
  let loss = 0;
  x.forEach((row, i) => {
    for (let j = 0; j < 2; j++) {
      const e = row.reduce((s, v, k) => s + v * w[k]![j]!, bias[j]!) - y[i]![j]!;
      loss += (e * e) / 8;
      gb[j]! += (2 * e) / 8;
      row.forEach((v, k) => (gw[k]![j]! += (2 * e * v) / 8));
    }
  });
  return { w: gw, b: gb, loss };
}

const matrix = (t: HostTensor, cols: number): number[][] => Array.from({ length: t.data.length / cols }, (_, r) => Array.from(t.data.subarray(r * cols, (r + 1) * cols)));

async function runSteps(device: Device, options: OptimizerOptions, steps: number, lrs: number[], model = regression()): Promise<{ params: Map<string, HostTensor>; losses: number[]; norms: number[] }> {
  const [xShape, yShape] = model.inputs.map((i) => i.shape);
  const step = trainingStep(model, 'loss', options);
  const program = await device.load(step.graph, { updates: step.updates });
  program.setParams(new Map(model.params.map((p) => [(p.op as { name: string }).name, initParam(p, 3)])));
  const losses: number[] = [];
  const norms: number[] = [];
  for (let t = 1; t <= steps; t++) {
    await program.run(new Map([['x', randomTensor(xShape!, 10 + t)], ['y', randomTensor(yShape!, 20 + t)], [LR_INPUT, HostTensor.from([], [lrs[t - 1]!])], [STEP_INPUT, HostTensor.from([], [t])]]));
    const r = await program.read(['loss', ...(options.clipNorm !== undefined ? [GRAD_NORM_OUTPUT] : [])]);
    losses.push(r.get('loss')!.data[0]!);
    norms.push(r.get(GRAD_NORM_OUTPUT)?.data[0] ?? NaN);
  }
  const params = await program.read([...step.trainable, ...step.state]);
  program.dispose();
  return { params, losses, norms };
}

describe('training step', () => {
  const lrs = [0.1, 0.05, 0.02];

  it('AdamW over three steps (param groups, clipping) equals a Float64 reference of PyTorch\'s update', async () => {
    const options: OptimizerOptions = {
      optimizer: { kind: 'adamw', beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.1 },
      groups: [{ pattern: /bias$/, lrScale: 5, weightDecay: 0 }],
      clipNorm: 0.5,
    };
    const { params, losses, norms } = await runSteps(new CpuDevice(), options, 3, lrs);
    // The reference: PyTorch's AdamW and clip_grad_norm_, on plain arrays.
    const model = regression();
    let w = matrix(initParam(model.params[0]!, 3), 2);
    let bias = Array.from(initParam(model.params[1]!, 3).data);
    const m = { w: w.map((r) => r.map(() => 0)), b: bias.map(() => 0) };
    const v = { w: w.map((r) => r.map(() => 0)), b: bias.map(() => 0) };
    for (let t = 1; t <= 3; t++) {
      const g = regressionGrads(matrix(randomTensor([4, 3], 10 + t), 3), matrix(randomTensor([4, 2], 20 + t), 2), w, bias);
      expect(losses[t - 1]).toBeCloseTo(g.loss, 12);
      const norm = Math.sqrt([...g.w.flat(), ...g.b].reduce((s, x) => s + x * x, 0));
      expect(norms[t - 1]).toBeCloseTo(norm, 12);
      const clip = Math.min(1, 0.5 / (norm + 1e-6));
      const adam = (p: number, gr: number, mm: number, vv: number, lr: number, wd: number): [number, number, number] => {
        const g2 = gr * clip;
        const m2 = 0.9 * mm + 0.1 * g2;
        const v2 = 0.99 * vv + 0.01 * g2 * g2;
        const p1 = p * (1 - lr * wd);
        return [p1 - (lr / (1 - 0.9 ** t)) * (m2 / (Math.sqrt(v2) / Math.sqrt(1 - 0.99 ** t) + 1e-8)), m2, v2];
      };
      w = w.map((r, i) => r.map((p, j) => {
        const [p2, m2, v2] = adam(p, g.w[i]![j]!, m.w[i]![j]!, v.w[i]![j]!, lrs[t - 1]!, 0.1);
        m.w[i]![j] = m2;
        v.w[i]![j] = v2;
        return p2;
      }));
      bias = bias.map((p, j) => {
        const [p2, m2, v2] = adam(p, g.b[j]!, m.b[j]!, v.b[j]!, 5 * lrs[t - 1]!, 0);
        m.b[j] = m2;
        v.b[j] = v2;
        return p2;
      });
    }
    expect(Array.from(params.get('fc.weight')!.data).map((x, i) => x - w.flat()[i]!).every((d) => Math.abs(d) < 1e-12)).toBe(true);
    expect(Array.from(params.get('fc.bias')!.data).map((x, i) => x - bias[i]!).every((d) => Math.abs(d) < 1e-12)).toBe(true);
    expect(Array.from(params.get('optimizer.v.fc.bias')!.data).map((x, i) => x - v.b[i]!).every((d) => Math.abs(d) < 1e-12)).toBe(true);
  });

  it('SGD with momentum and weight decay equals PyTorch\'s update', async () => {
    const { params } = await runSteps(new CpuDevice(), { optimizer: { kind: 'sgd', momentum: 0.9, weightDecay: 0.01 } }, 3, lrs);
    const model = regression();
    let w = matrix(initParam(model.params[0]!, 3), 2);
    let bias = Array.from(initParam(model.params[1]!, 3).data);
    const buf = { w: w.map((r) => r.map(() => 0)), b: bias.map(() => 0) };
    for (let t = 1; t <= 3; t++) {
      const g = regressionGrads(matrix(randomTensor([4, 3], 10 + t), 3), matrix(randomTensor([4, 2], 20 + t), 2), w, bias);
      w = w.map((r, i) => r.map((p, j) => {
        buf.w[i]![j] = 0.9 * buf.w[i]![j]! + g.w[i]![j]! + 0.01 * p;
        return p - lrs[t - 1]! * buf.w[i]![j]!;
      }));
      bias = bias.map((p, j) => {
        buf.b[j] = 0.9 * buf.b[j]! + g.b[j]! + 0.01 * p;
        return p - lrs[t - 1]! * buf.b[j]!;
      });
    }
    expect(Array.from(params.get('fc.weight')!.data).map((x, i) => x - w.flat()[i]!).every((d) => Math.abs(d) < 1e-12)).toBe(true);
    expect(Array.from(params.get('fc.bias')!.data).map((x, i) => x - bias[i]!).every((d) => Math.abs(d) < 1e-12)).toBe(true);
  });

  it('AdamW on WebGPU equals the interpreter on a model whose gradients are far from zero', async () => {
    const options: OptimizerOptions = { optimizer: { kind: 'adamw' } };
    const cpu = await runSteps(new CpuDevice(), options, 3, [0.05, 0.05, 0.05]);
    const webgpu = await runSteps(await gpu('fused'), options, 3, [0.05, 0.05, 0.05]);
    for (const [name, t] of cpu.params) expect(relativeMaxError(webgpu.params.get(name)!, t, 1), name).toBeLessThan(1e-5);
  });

  it('AdamW on WebGPU equals the interpreter when a param spans several chunks of the merged update\'s segment tables, read from the uniform or from constant arrays', async () => {
    // A 48 x 200 weight: its 9,600 elements are three rows (chunks) of a shared update body.
    const model = regression(4, 48, 200);
    const options: OptimizerOptions = { optimizer: { kind: 'adamw' } };
    const cpu = await runSteps(new CpuDevice(), options, 3, [0.05, 0.05, 0.05], model);
    // A 64-byte uniform has no room for any table: they are written as constant arrays.
    for (const [uniform, where] of [[WEBGPU_DEFAULT_LIMITS.maxUniformBufferBindingSize, /vec4 rows of the uniform fib_bases/], [64, /const fib_seg\d+ = array<i32/]] as const) {
      const limits = { ...WEBGPU_DEFAULT_LIMITS, maxUniformBufferBindingSize: uniform };
      const { kernels } = compileWgsl(trainingStep(model, 'loss', options).graph, { mode: 'fused', limits });
      const chunked = kernels.flatMap((k) => [...k.source.matchAll(/(\d+) kernels of one body, \d+ op\(s\) each, (\d+) chunks of up to (\d+) elements/g)]);
      expect(chunked.some((m) => Number(m[2]) >= Number(m[1]) + 2 && Number(m[3]) < 9600)).toBe(true);
      expect(kernels.some((k) => where.test(k.source)), String(where)).toBe(true);
      const device = await WebGpuDevice.create({ lowerLimits: { maxUniformBufferBindingSize: uniform } });
      const webgpu = await runSteps(device, options, 3, [0.05, 0.05, 0.05], model);
      device.dispose();
      // f32 rounding of 48-term sums stays near 1e-5; an element of a chunk read or written at
      // the wrong place would be off by about the lr (0.05).
      for (const [name, t] of cpu.params) expect(relativeMaxError(webgpu.params.get(name)!, t, 1), `${name}, ${uniform}-byte uniform`).toBeLessThan(1e-4);
    }
  });

  it('accumulating the gradients of two micro-batches equals one step on both (AdamW, clipping, groups), on the interpreter and WebGPU', async () => {
    const options: OptimizerOptions = { optimizer: { kind: 'adamw', weightDecay: 0.1 }, clipNorm: 0.5, groups: [{ pattern: /bias/, lrScale: 3, weightDecay: 0 }] };
    const half = (t: HostTensor, part: number): HostTensor => HostTensor.from([2, t.shape[1]!], Array.from(t.data.subarray(part * 2 * t.shape[1]!, (part + 1) * 2 * t.shape[1]!)));
    // Each device against its own one-step-on-both run (the interpreter's is Float64; WebGPU's f32).
    for (const [device, tolerance] of [[new CpuDevice(), 1e-9], [await gpu('fused'), 1e-5]] as const) {
      const whole = await runSteps(device, options, 2, lrs);
      const model = regression(2);
      const step = trainingStep(model, 'loss', { ...options, accumulate: 2 });
      expect(step.state.filter((n) => n.startsWith('optimizer.grad_sum.'))).toHaveLength(2);
      const program = await device.load(step.graph, { updates: step.updates });
      program.setParams(new Map(model.params.map((p) => [(p.op as { name: string }).name, initParam(p, 3)])));
      for (let t = 1; t <= 2; t++) {
        const [x, y] = [randomTensor([4, 3], 10 + t), randomTensor([4, 2], 20 + t)];
        for (const part of [0, 1]) {
          await program.run(new Map([['x', half(x, part)], ['y', half(y, part)], [LR_INPUT, HostTensor.from([], [lrs[t - 1]!])], [STEP_INPUT, HostTensor.from([], [t])], [APPLY_INPUT, HostTensor.from([], [part])]]));
        }
      }
      const params = await program.read([...step.trainable, ...step.state]);
      program.dispose();
      for (const name of [...step.trainable, 'optimizer.m.fc.weight', 'optimizer.v.fc.bias']) expect(relativeMaxError(params.get(name)!, whole.params.get(name)!, 1), `${device.name} ${name}`).toBeLessThan(tolerance);
      // The sums are cleared by the step that applies them.
      for (const name of step.state.filter((n) => n.startsWith('optimizer.grad_sum.'))) expect(Math.max(...params.get(name)!.data.map(Math.abs)), name).toBe(0);
    }
    expect(() => trainingStep(regression(2), 'loss', { ...options, accumulate: 1.5 })).toThrow(/whole number of micro-batches/);
    expect(() => trainingStepParts(regression(2), 'loss', { ...options, accumulate: 2 })).toThrow(/gradient accumulation is part of the one-program step/);
  });

  it('split around the gradient all-reduce seam (gradients program, update program), equals the one-program step', async () => {
    const options: OptimizerOptions = { optimizer: { kind: 'adamw', weightDecay: 0.1 }, clipNorm: 0.5 };
    const whole = await runSteps(new CpuDevice(), options, 2, lrs);
    const model = regression();
    const { gradients, update } = trainingStepParts(model, 'loss', options);
    const cpu = new CpuDevice();
    const g = await cpu.load(gradients);
    const u = await cpu.load(update.graph, { updates: update.updates });
    const init = new Map(model.params.map((p) => [(p.op as { name: string }).name, initParam(p, 3)]));
    u.setParams(init);
    for (let t = 1; t <= 2; t++) {
      g.setParams(await u.read(update.trainable));
      await g.run(new Map([['x', randomTensor([4, 3], 10 + t)], ['y', randomTensor([4, 2], 20 + t)]]));
      const grads = await g.read(update.trainable.map((n) => `grad:${n}`));
      await u.run(new Map([...grads, [LR_INPUT, HostTensor.from([], [lrs[t - 1]!])], [STEP_INPUT, HostTensor.from([], [t])]]));
    }
    const params = await u.read(update.trainable);
    for (const name of update.trainable) expect(relativeMaxError(params.get(name)!, whole.params.get(name)!, 1), name).toBeLessThan(1e-12);
  });

  it('FIBER\'s param groups: cross-modal params and heads 5x the lr (each its own multiple); biases, norms and gates no weight decay', () => {
    // [lr multiple, weight decay] of a param under some groups, as the optimizer resolves them.
    const under = (groups: ParamGroupRule[]) => (name: string): [number, number] => {
      const s = paramSettings(name, { optimizer: { kind: 'adamw', weightDecay: 0.01 }, groups });
      return [s.lrScale, s.weightDecay];
    };
    const settings = under(fiberParamGroups(0.01, 5));
    expect(settings('image.layers.2.blocks.0.i2t.query.weight')).toEqual([5, 0.01]);
    expect(settings('image.layers.2.blocks.0.i2t.query.bias')).toEqual([5, 0]);
    expect(settings('image.layers.2.blocks.0.alpha')).toEqual([5, 0]);
    expect(settings('text.layer.2.t2i.key.weight')).toEqual([5, 0.01]);
    // fiberc's own names for the text side's cross-attention (examples/fiber.fib).
    expect(settings('model.text.layer.2.crossattention.key.weight')).toEqual([5, 0.01]);
    expect(settings('model.text.layer.2.crossattention.output.bias')).toEqual([5, 0]);
    expect(settings('model.text.layer.2.attention.self.key.weight')).toEqual([1, 0.01]);
    expect(settings('itm_head.fc.weight')).toEqual([5, 0.01]);
    expect(settings('image.layers.0.blocks.0.norm1.weight')).toEqual([1, 0]);
    expect(settings('image.layers.0.blocks.0.attn.relative_position_bias_table')).toEqual([1, 0]);
    expect(settings('image.layers.0.blocks.0.attn.qkv.weight')).toEqual([1, 0.01]);
    // The heads and the cross-modal params take their own multiples (FIBER's VQA: 50 and 5).
    const scale = under(fiberParamGroups(0.01, 50, 5));
    expect(scale('vqa_classifier.out.weight')).toEqual([50, 0.01]);
    expect(scale('vqa_classifier.norm.weight')).toEqual([50, 0]);
    expect(scale('mlm_score.decoder.weight')).toEqual([50, 0.01]);
    expect(scale('image_classifier.bias')).toEqual([50, 0]);
    expect(scale('cross_modal_text_pooler.dense.weight')).toEqual([5, 0.01]);
    expect(scale('model.text.layer.2.crossattention.key.weight')).toEqual([5, 0.01]);
    expect(scale('model.image.layers.2.blocks.0.alpha')).toEqual([5, 0]);
    expect(scale('model.text.layer.2.attention.self.key.weight')).toEqual([1, 0.01]);
  });
});

describe('a FIBER layer training step', () => {
  // (FiberTiny's whole step takes minutes of lavapipe shader compiles the first time: CI
  // trains the fusion layers.)
  // SGD with momentum: its update is linear in the gradient, so f32 gradients give params
  // within 1e-4 of Float64 ones. AdamW divides each gradient by its own magnitude, which
  // turns f32 noise in near-zero gradients (an attention key bias has an exactly zero one)
  // into whole steps of size lr on either backend; AdamW is checked above against its
  // Float64 reference, and on WebGPU on a model whose gradients are far from zero.
  it('on WebGPU and on CUDA (the PTX simulator) equals the interpreter\'s: params after two SGD-momentum steps within 1e-4', async () => {
    // One text fusion layer with an image-text contrastive loss (examples/fiber_train.fib).
    const model = buildGraph(loadProgram(resolve(__dirname, '../../examples/fiber_train.fib')), 'TextLayerContrastive', { bindings: { B: 2, T: 8, L: 16 } });
    const step = trainingStep(model, 'out', { optimizer: { kind: 'sgd', momentum: 0.9, weightDecay: 0.01 }, groups: fiberParamGroups(), clipNorm: 1 });
    const params = new Map(model.params.map((p) => [(p.op as { name: string }).name, initParam(p, 1)]));
    // The gate open, so the cross-attention params get gradients too.
    for (const [name, t] of params) if (name.endsWith('alpha')) params.set(name, HostTensor.from(t.shape, [0.5]));
    const inputs = (t: number): Map<string, HostTensor> => new Map([
      ['h', randomTensor([2, 8, 32], 30 + t)],
      ['mask', HostTensor.from([2, 8], [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0])],
      ['image', randomTensor([2, 16, 32], 40 + t)],
      [LR_INPUT, HostTensor.from([], [0.5])],
      [STEP_INPUT, HostTensor.from([], [t])],
    ]);
    const results: Map<string, HostTensor>[] = [];
    for (const device of [new CpuDevice(), await gpu('fused'), CudaDevice.withDriver(new SimulatedCudaDriver())]) {
      const program = await device.load(step.graph, { updates: step.updates });
      program.setParams(params);
      for (const t of [1, 2]) await program.run(inputs(t));
      results.push(await program.read([...step.trainable, 'out']));
      program.dispose();
    }
    const [cpu, ...devices] = results as [Map<string, HostTensor>, ...Map<string, HostTensor>[]];
    for (const [i, got] of devices.entries()) {
      const errors = step.trainable.map((name) => [name, relativeMaxError(got.get(name)!, cpu.get(name)!, 1e-3)] as const).sort((a, b) => b[1] - a[1]);
      expect(errors[0]![1], `${['webgpu', 'cuda-sim'][i]}: ${errors[0]![0]}`).toBeLessThan(1e-4);
    }
    // The step moved the params (not the attention key biases: their gradient is exactly 0).
    const moved = step.trainable.filter((n) => relativeMaxError(cpu.get(n)!, params.get(n)!, 1) > 1e-6);
    expect(moved.length).toBeGreaterThan(step.trainable.length * 0.8);
    expect(moved.some((n) => n.includes('crossattention'))).toBe(true);
    expect(moved).toContain('layer.alpha');
  }, 300_000);
});

describe('a moving average of the params (a momentum encoder)', () => {
  /** The regression model with an unused frozen copy of its weight, `momentum.fc.weight`. */
  function withShadow(name = 'momentum.fc.weight'): Graph {
    const model = regression();
    const b = new GraphBuilder();
    const shadow = b.param(name, [3, 2], 'f32', { kind: 'normal', std: 0.5, mean: 0 });
    return new Graph(model.inputs, [...model.params, shadow], model.outputs);
  }
  const average = { prefix: 'momentum.', decay: 0.9 };

  it('follows its source after every step: m = decay m + (1 - decay) p, from the updated p', async () => {
    const model = withShadow();
    const step = trainingStep(model, 'loss', { optimizer: { kind: 'sgd' }, frozen: /^momentum\./, average });
    expect(step.trainable).toEqual(['fc.weight', 'fc.bias']);
    const program = await new CpuDevice().load(step.graph, { updates: step.updates });
    const start = new Map(model.params.map((p) => [(p.op as { name: string }).name, initParam(p, 5)]));
    program.setParams(start);
    let m = Array.from(start.get('momentum.fc.weight')!.data);
    for (let t = 1; t <= 3; t++) {
      await program.run(new Map([['x', randomTensor([4, 3], 30 + t)], ['y', randomTensor([4, 2], 40 + t)], [LR_INPUT, HostTensor.from([], [0.1])], [STEP_INPUT, HostTensor.from([], [t])]]));
      const now = await program.read(['fc.weight', 'momentum.fc.weight']);
      m = m.map((v, i) => 0.9 * v + 0.1 * now.get('fc.weight')!.data[i]!);
      Array.from(now.get('momentum.fc.weight')!.data).forEach((v, i) => expect(v).toBeCloseTo(m[i]!, 12));
    }
    program.dispose();
  });

  it('must be frozen, of a trainable param, with a decay in [0, 1)', () => {
    expect(() => trainingStep(withShadow(), 'loss', { optimizer: { kind: 'sgd' }, average })).toThrow("'momentum.fc.weight' holds a moving average of 'fc.weight', so it must be frozen");
    expect(() => trainingStep(withShadow('momentum.fc.scale'), 'loss', { optimizer: { kind: 'sgd' }, frozen: /^momentum\./, average })).toThrow("of 'fc.scale', which is not a trainable param");
    expect(() => trainingStep(withShadow(), 'loss', { optimizer: { kind: 'sgd' }, frozen: /^momentum\./, average: { prefix: 'momentum.', decay: 1 } })).toThrow('decay must lie in [0, 1), got 1');
  });
});

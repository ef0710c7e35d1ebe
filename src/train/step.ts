import { PER_PARAM_SCOPE } from '../compile/plan-types.js';
import { GraphBuilder } from '../ir/builder.js';
import { isFloat } from '../ir/dtype.js';
import { vjp } from '../ir/grad.js';
import { Graph, leafName, topoOrder, type GraphOutput } from '../ir/graph.js';
import type { Node } from '../ir/node.js';
import { formatType, numel } from '../ir/shape.js';
import { paramSettings, type OptimizerOptions } from './optimizer.js';

/**
 * A training step as one graph: the model's forward pass, the backward pass of its scalar
 * loss (the existing autodiff, attention rule included), optional clipping by the global
 * gradient norm, and the optimizer's update of every trainable param and of its state. The
 * graph is ordinary IR, so the planner fuses the update's element-wise work like any other,
 * and one compiled program runs the whole step; the runtime writes the updated values back
 * into the params and the state (`updates`), so they never leave the device.
 */
export interface TrainingStep {
  readonly graph: Graph;
  /** The loss output's name. */
  readonly loss: string;
  /** Output name -> the param (model param or optimizer state) it replaces after each run. */
  readonly updates: ReadonlyMap<string, string>;
  /** The optimizer's state params (moments, momentum buffers), all initialised to zero. */
  readonly state: readonly string[];
  /** The params the step updates. */
  readonly trainable: readonly string[];
}

/** The scalar learning rate fed each step (a schedule lives on the host). */
export const LR_INPUT = 'lr';
/** The 1-based step number, for AdamW's bias correction. */
export const STEP_INPUT = 'step';
/**
 * With gradient accumulation (OptimizerOptions.accumulate > 1), a scalar fed each run: 1 on the
 * last micro-batch of an optimizer step (update the params), 0 on the others (only add up).
 */
export const APPLY_INPUT = 'apply';
/** The global L2 norm of the gradients before clipping: an output when clipping (or `gradNorm`). */
export const GRAD_NORM_OUTPUT = 'grad_norm';

/** The output that replaces param (or state) `name`. */
export const updateOf = (name: string): string => `update:${name}`;

/** Raised for a model or options a training step cannot be built from. */
export class TrainingError extends Error {
  override readonly name = 'TrainingError';
}

/**
 * Builds the training step of `model` for its scalar output `loss` (see TrainingStep). With
 * `options.accumulate` > 1 the step also takes APPLY_INPUT and sums gradients across runs.
 */
export function trainingStep(model: Graph, loss: string, options: OptimizerOptions): TrainingStep {
  const { lossOut, trainable } = checkModel(model, loss, options);
  const b = new GraphBuilder();
  const lr = b.input(LR_INPUT, [], 'f32');
  const step = b.input(STEP_INPUT, [], 'f32');
  const micro = accumulation(options);
  const apply = micro > 1 ? [b.input(APPLY_INPUT, [], 'f32')] : [];
  b.origin = { scope: 'backward', module: '' };
  const grads = vjp(b, [lossOut.node], [b.constant(1, lossOut.node.shape, lossOut.node.dtype)], trainable);
  const u = buildUpdate(b, trainable, grads, lr, step, options, averagedParams(model, trainable, options), apply[0] && { apply: apply[0], micro });
  const graph = new Graph([...model.inputs, lr, step, ...apply], [...model.params, ...u.state], [...model.outputs, ...u.outputs], model.bindings, model.schedules, model.batch);
  return { graph, loss, updates: u.updates, state: u.state.map(leafName), trainable: trainable.map(leafName) };
}

/**
 * The same step in two programs around a gradient all-reduce, the seam for data-parallel
 * training: `gradients` (the model's inputs -> its outputs and `grad:<param>` for every
 * trainable param) runs on each device's shard of the batch; the gradients are then
 * averaged across devices (NCCL's all-reduce, later); `update` (inputs `grad:<param>`, `lr`,
 * `step`) applies the optimizer on every device alike. Run on one device back to back, the
 * two equal trainingStep.
 */
export function trainingStepParts(model: Graph, loss: string, options: OptimizerOptions): { gradients: Graph; update: TrainingStep } {
  const { lossOut, trainable } = checkModel(model, loss, options);
  if (accumulation(options) > 1) throw new TrainingError('gradient accumulation is part of the one-program step (trainingStep); split around the all-reduce, sum the gradients before the update program instead');
  const gb = new GraphBuilder();
  gb.origin = { scope: 'backward', module: '' };
  const grads = vjp(gb, [lossOut.node], [gb.constant(1, lossOut.node.shape, lossOut.node.dtype)], trainable);
  const gradients = new Graph(model.inputs, model.params, [...model.outputs, ...trainable.map((p, i) => ({ name: `grad:${leafName(p)}`, node: grads[i]! }))], model.bindings, model.schedules, model.batch);
  const b = new GraphBuilder();
  const lr = b.input(LR_INPUT, [], 'f32');
  const step = b.input(STEP_INPUT, [], 'f32');
  const gradInputs = trainable.map((p) => b.input(`grad:${leafName(p)}`, p.shape, p.dtype));
  const averaged = averagedParams(model, trainable, options);
  const u = buildUpdate(b, trainable, gradInputs, lr, step, options, averaged);
  const update = new Graph([...gradInputs, lr, step], [...trainable, ...averaged.values(), ...u.state], u.outputs, model.bindings, model.schedules, model.batch);
  return { gradients, update: { graph: update, loss, updates: u.updates, state: u.state.map(leafName), trainable: trainable.map(leafName) } };
}

/** The params that hold moving averages (options.average), keyed by the name of their source. */
function averagedParams(model: Graph, trainable: readonly Node[], options: OptimizerOptions): Map<string, Node> {
  const average = options.average;
  if (!average) return new Map();
  if (!(average.decay >= 0 && average.decay < 1)) throw new TrainingError(`a moving average's decay must lie in [0, 1), got ${average.decay}`);
  const sources = new Set(trainable.map(leafName));
  const shadows = new Map<string, Node>();
  for (const p of model.params) {
    const name = leafName(p);
    if (!name.startsWith(average.prefix)) continue;
    const source = name.slice(average.prefix.length);
    if (isFloat(p.dtype) && !options.frozen?.test(name)) throw new TrainingError(`'${name}' holds a moving average of '${source}', so it must be frozen`);
    if (!sources.has(source)) throw new TrainingError(`'${name}' holds a moving average of '${source}', which is not a trainable param of the model`);
    shadows.set(source, p);
  }
  return shadows;
}

/** Micro-batches per optimizer step (OptimizerOptions.accumulate), checked. */
function accumulation(options: OptimizerOptions): number {
  const n = options.accumulate ?? 1;
  if (!Number.isInteger(n) || n < 1) throw new TrainingError(`gradient accumulation takes a whole number of micro-batches (1 or more), got ${n}`);
  return n;
}

function checkModel(model: Graph, loss: string, options: OptimizerOptions): { lossOut: GraphOutput; trainable: Node[] } {
  const lossOut = model.outputs.find((o) => o.name === loss);
  if (!lossOut) throw new TrainingError(`the model has no output '${loss}' (outputs: ${model.outputs.map((o) => o.name).join(', ')})`);
  if (numel(lossOut.node.shape) !== 1 || !isFloat(lossOut.node.dtype)) {
    throw new TrainingError(`the loss '${loss}' must be a float scalar, but it is ${formatType(lossOut.node.dtype, lossOut.node.shape)}`);
  }
  // A param the loss does not reach has no gradient: it is left as it is (AdamW's decay alone
  // would shrink it), e.g. the text tower of an image-tower entry that declares the whole model.
  const reached = new Set(topoOrder([lossOut.node]).map((n) => n.id));
  const trainable = model.params.filter((p) => isFloat(p.dtype) && reached.has(p.id) && !options.frozen?.test(leafName(p)));
  if (trainable.length === 0) throw new TrainingError('the model has no trainable float params');
  return { lossOut, trainable };
}

/**
 * The optimizer's update of `trainable` from `grads`: the gradient norm (and clipping), the
 * new params and state as outputs named `update:<name>`, and the state params it declares;
 * then the moving averages (`averaged`: source name -> its averaging param) of the new params.
 */
function buildUpdate(b: GraphBuilder, trainable: readonly Node[], gradients: readonly Node[], lr: Node, step: Node, options: OptimizerOptions, averaged: ReadonlyMap<string, Node>, accumulate?: { apply: Node; micro: number }): { outputs: GraphOutput[]; updates: Map<string, string>; state: Node[] } {
  b.origin = { scope: PER_PARAM_SCOPE, module: '' };
  const state: Node[] = [];
  const updates = new Map<string, string>();
  const outputs: GraphOutput[] = [];
  const stateParam = (kind: string, p: Node): Node => {
    const s = b.param(`optimizer.${kind}.${leafName(p)}`, p.shape, p.dtype, { kind: 'constant', value: 0 });
    state.push(s);
    return s;
  };
  const scalar = (v: number): Node => b.constant(v, [], 'f32');
  // Accumulating: every run adds its gradients to the sums; the update below sees their mean
  // and takes effect only where `apply` is set (elsewhere each output is its param unchanged).
  const applying = accumulate && b.binaryBroadcast('gt', accumulate.apply, scalar(0));
  const keepUnlessApplying = (target: Node, value: Node): Node => (applying ? b.where(applying, value, target) : value);
  let grads = [...gradients];
  if (applying) {
    grads = grads.map((g, i) => {
      const sum = stateParam('grad_sum', trainable[i]!);
      const total = b.binary('add', sum, g);
      outputs.push({ name: updateOf(leafName(sum)), node: b.where(applying, b.constant(0, g.shape, g.dtype), total) });
      updates.set(updateOf(leafName(sum)), leafName(sum));
      return b.binaryBroadcast('mul', total, scalar(1 / accumulate.micro));
    });
  }
  // The global norm is one kernel of a reduction per param (lavapipe takes tens of seconds to
  // compile it for FiberTiny's 266 params), so it is built only when clipping or asked for.
  const gradNorm = options.clipNorm !== undefined || options.gradNorm ? globalNorm(b, grads) : undefined;
  if (gradNorm) outputs.push({ name: GRAD_NORM_OUTPUT, node: gradNorm });
  if (options.clipNorm !== undefined && gradNorm) {
    // torch.nn.utils.clip_grad_norm_: scale by max_norm / (norm + 1e-6) when that is below 1.
    const scale = b.binaryBroadcast('min', b.constant(1, [], 'f32'), b.binaryBroadcast('div', b.constant(options.clipNorm, [], 'f32'), b.binaryBroadcast('add', gradNorm, b.constant(1e-6, [], 'f32'))));
    grads = grads.map((g) => b.binaryBroadcast('mul', g, scale));
  }

  const update = (target: Node, value: Node): void => {
    const name = leafName(target);
    outputs.push({ name: updateOf(name), node: keepUnlessApplying(target, value) });
    updates.set(updateOf(name), name);
    const shadow = averaged.get(name);
    if (shadow && options.average) {
      const d = options.average.decay;
      update(shadow, add(mul(shadow, scalar(d)), mul(value, scalar(1 - d))));
    }
  };
  const mul = (x: Node, y: Node): Node => b.binaryBroadcast('mul', x, y);
  const add = (x: Node, y: Node): Node => b.binaryBroadcast('add', x, y);
  const sub = (x: Node, y: Node): Node => b.binaryBroadcast('sub', x, y);
  const div = (x: Node, y: Node): Node => b.binaryBroadcast('div', x, y);

  const opt = options.optimizer;
  if (opt.kind === 'adamw') {
    const [beta1, beta2, eps] = [opt.beta1 ?? 0.9, opt.beta2 ?? 0.999, opt.eps ?? 1e-8];
    // torch.optim.AdamW: p *= 1 - lr wd; p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps).
    const correction1 = sub(scalar(1), b.binary('pow', scalar(beta1), step));
    const correction2 = b.unary('sqrt', sub(scalar(1), b.binary('pow', scalar(beta2), step)));
    // The step size and the decay factor are scalars per param group, built once per group
    // (not once per param: each would be a kernel of its own, with pow inlined).
    const stepSize = memo((lrScale: number) => div(mul(lr, scalar(lrScale)), correction1));
    const decay = memo((lrScale: number, weightDecay: number) => sub(scalar(1), mul(mul(lr, scalar(lrScale)), scalar(weightDecay))));
    trainable.forEach((p, i) => {
      const { lrScale, weightDecay } = paramSettings(leafName(p), options);
      const g = grads[i]!;
      const m = stateParam('m', p);
      const v = stateParam('v', p);
      const m2 = add(mul(m, scalar(beta1)), mul(g, scalar(1 - beta1)));
      const v2 = add(mul(v, scalar(beta2)), mul(b.binary('mul', g, g), scalar(1 - beta2)));
      const decayed = weightDecay === 0 ? p : mul(p, decay(lrScale, weightDecay));
      const denom = add(div(b.unary('sqrt', v2), correction2), scalar(eps));
      update(p, sub(decayed, mul(stepSize(lrScale), div(m2, denom))));
      update(m, m2);
      update(v, v2);
    });
  } else {
    const momentum = opt.momentum ?? 0;
    // torch.optim.SGD: d = g + wd p; buf = momentum buf + d (buf = d at the first step); p -= lr buf.
    const scaledLr = memo((lrScale: number) => mul(lr, scalar(lrScale)));
    trainable.forEach((p, i) => {
      const { lrScale, weightDecay } = paramSettings(leafName(p), options);
      const d = weightDecay === 0 ? grads[i]! : add(grads[i]!, mul(p, scalar(weightDecay)));
      const lrP = scaledLr(lrScale);
      if (momentum === 0) {
        update(p, sub(p, mul(lrP, d)));
        return;
      }
      const buf = stateParam('momentum', p);
      const buf2 = add(mul(buf, scalar(momentum)), d);
      update(p, sub(p, mul(lrP, buf2)));
      update(buf, buf2);
    });
  }
  return { outputs, updates, state };
}

/** `f` computed once per distinct list of (number) arguments. */
function memo<A extends number[], V>(f: (...args: A) => V): (...args: A) => V {
  const known = new Map<string, V>();
  return (...args) => {
    const key = args.join(' ');
    if (!known.has(key)) known.set(key, f(...args));
    return known.get(key)!;
  };
}

/** sqrt of the sum of every gradient's squares (torch.nn.utils.clip_grad_norm_'s total norm). */
function globalNorm(b: GraphBuilder, grads: readonly Node[]): Node {
  const squares = grads.map((g) => b.reduce('sum', b.reshape(b.binary('mul', g, g), [numel(g.shape)]), [0]));
  return b.reshape(b.unary('sqrt', squares.reduce((s, x) => b.binary('add', s, x))), []);
}

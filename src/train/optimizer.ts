/**
 * Optimizers and parameter groups, as data: what a training step (step.ts) builds its
 * update from. Both follow PyTorch's definitions (torch.optim.AdamW, torch.optim.SGD), so a
 * fiberc run and a PyTorch run of the same model take the same steps.
 */

/** Per-parameter settings chosen by name: the first rule whose pattern matches wins. */
export interface ParamGroupRule {
  readonly pattern: RegExp;
  /** Multiplies the learning rate fed each step (FIBER: 5 for cross-modal params and heads). */
  readonly lrScale?: number;
  /** Decoupled weight decay of the matching params (replaces the optimizer's default). */
  readonly weightDecay?: number;
}

/** AdamW with decoupled weight decay: p -= lr (m̂ / (sqrt(v̂) + eps) + wd p). */
export interface AdamW {
  readonly kind: 'adamw';
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
  readonly weightDecay?: number;
}

/** SGD with momentum (PyTorch's form: buf = momentum buf + g + wd p; p -= lr buf). */
export interface Sgd {
  readonly kind: 'sgd';
  readonly momentum?: number;
  readonly weightDecay?: number;
}

export interface OptimizerOptions {
  readonly optimizer: AdamW | Sgd;
  /** Rules choosing each param's lr scale and weight decay, first match wins. */
  readonly groups?: readonly ParamGroupRule[];
  /** Clip gradients to this global L2 norm (over all params) before the update. */
  readonly clipNorm?: number;
  /** Output the global gradient norm (`grad_norm`) even without clipping. */
  readonly gradNorm?: boolean;
  /** Params left out of the update (frozen); their gradients are not computed. */
  readonly frozen?: RegExp;
  /** Momentum copies (see MovingAverage), updated after the optimizer's step. */
  readonly average?: MovingAverage;
  /**
   * Gradient accumulation: micro-batches per optimizer step (default 1). Each run of the step
   * adds its gradients to a running sum (state `optimizer.grad_sum.<param>`); the run fed
   * `apply` = 1 updates the params from the mean of the sums and clears them, the others leave
   * params, moments and moving averages as they are.
   */
  readonly accumulate?: number;
}

/**
 * An exponential moving average of the trainable params (ALBEF's momentum encoder, MoCo's
 * key encoder): each frozen param named `prefix + X` becomes `decay * itself + (1 - decay) * X`
 * after X's update in every step. Started as a copy of X, it equals ALBEF's
 * `p_m = m p_m + (1 - m) p` taken at the start of the next step.
 */
export interface MovingAverage {
  readonly prefix: string;
  readonly decay: number;
}

/** The settings of one param after the group rules: its lr scale and weight decay. */
export interface ParamSettings {
  readonly lrScale: number;
  readonly weightDecay: number;
}

/** Resolves the group rules for a param name (defaults: lr scale 1, the optimizer's decay). */
export function paramSettings(name: string, options: OptimizerOptions): ParamSettings {
  const rule = options.groups?.find((g) => g.pattern.test(name));
  return { lrScale: rule?.lrScale ?? 1, weightDecay: rule?.weightDecay ?? options.optimizer.weightDecay ?? (options.optimizer.kind === 'adamw' ? 0.01 : 0) };
}

/**
 * FIBER's parameter groups (its coarse-grained pre-training and fine-tuning): no weight
 * decay on biases, norms, the fusion gates and relative-position tables; `crossModalLrScale`
 * (5) times the learning rate on the cross-modal params (the image side's i2t and the text
 * side's crossattention, the gates, the cross-modal transforms and poolers: FIBER's names with
 * `cross_modal`, `i2t` or `t2i`), and `headLrScale` times it on the task heads (MLM, ITM, VQA,
 * the image tower's classifier: FIBER's `lr_mult_head`, 5 in pre-training and 50 for VQA).
 * The patterns follow fiberc's FIBER names.
 */
export function fiberParamGroups(weightDecay = 0.01, headLrScale = 5, crossModalLrScale = 5): ParamGroupRule[] {
  const head = /(^|\.)[a-z0-9]+_(score|classifier|head)\./;
  const crossModal = /(\.i2t\.|\.t2i\.|\.crossattention\.|(^|\.)alpha$|cross_modal)/;
  const noDecay = /(\.bias$|norm\d*\.weight$|LayerNorm\.weight$|(^|\.)alpha$|relative_position_bias_table$)/;
  const both = (a: RegExp, b: RegExp): RegExp => new RegExp(`(?=.*${a.source})(?=.*${b.source})`);
  return [
    { pattern: both(head, noDecay), lrScale: headLrScale, weightDecay: 0 },
    { pattern: head, lrScale: headLrScale, weightDecay },
    { pattern: both(crossModal, noDecay), lrScale: crossModalLrScale, weightDecay: 0 },
    { pattern: crossModal, lrScale: crossModalLrScale, weightDecay },
    { pattern: noDecay, lrScale: 1, weightDecay: 0 },
  ];
}

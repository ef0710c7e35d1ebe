import { flatten, key } from './index-expr.js';
import type { Kernel, Scalar } from './kernel-ir.js';
import { numel } from '../ir/shape.js';

/**
 * Shared bodies in merged dispatches. A training step's optimizer update is the same few
 * element-wise rules applied to hundreds of params: kernels that differ only in where their
 * tensors start and how many elements they have. In a merged dispatch (pass merge) such
 * kernels need one body, run once per segment from a table of (count, offsets), instead of
 * one body each: the shader stays a few kilobytes whatever the number of params, which
 * matters where the shader compiler keeps a bounded amount of compiled code (llvmpipe).
 */

/** How a segmentable kernel reads one tensor. */
export interface SegmentLoad {
  readonly load: Extract<Scalar, { k: 'load' }>;
  /** `flat`: the element at the output's own flat index; `fixed`: one element at `offset`. */
  readonly kind: 'flat' | 'fixed';
  /** The element read, for `fixed` loads (0 for `flat`). */
  readonly offset: number;
}

/** A kernel's body with its positions abstracted: kernels with the same `key` share it. */
export interface SegmentBody {
  readonly key: string;
  /** The loads in a fixed walk order: position j of one kernel matches position j of another. */
  readonly loads: readonly SegmentLoad[];
}

/**
 * The shareable body of `k`, or undefined when it has none: an element-wise kernel (no
 * reduction, no data-dependent index, no attention) whose every load reads either the
 * element at the output's own flat index of a tensor of the output's size, or one fixed
 * element. `binding` names the buffer a tensor lives in (undefined: not shareable, such as a
 * param split over several bindings); it is part of the key, since one body reads one binding.
 */
export function segmentBody(k: Kernel, binding: (tensor: number) => string | undefined): SegmentBody | undefined {
  if (k.attention || k.values.size > 0) return undefined;
  const size = numel(k.output.node.shape);
  const flat = key(flatten(k.outputIndex, k.output.node.shape));
  const out = binding(k.output.id);
  if (out === undefined) return undefined;
  const loads: SegmentLoad[] = [];
  const seen = new Map<Scalar, number>();
  let shareable = true;
  // The key writes the scalar DAG in one walk; a scalar met again is referred to by number.
  const walk = (s: Scalar): string => {
    const known = seen.get(s);
    if (known !== undefined) return `#${known}`;
    seen.set(s, seen.size);
    switch (s.k) {
      case 'const': return `c${s.type}:${s.value}`;
      case 'load': {
        const where = binding(s.tensor);
        const kind = s.index.terms.length === 0 ? 'fixed' : key(s.index) === flat && numel(tensorShape(k, s.tensor)) === size ? 'flat' : undefined;
        if (where === undefined || kind === undefined) {
          shareable = false;
          return '?';
        }
        loads.push({ load: s, kind, offset: kind === 'fixed' ? s.index.constant : 0 });
        return `l${s.type}:${where}:${kind}`;
      }
      case 'unary': return `u${s.fn}:${s.type}(${walk(s.a)})`;
      case 'binary': return `b${s.fn}:${s.type}(${walk(s.a)},${walk(s.b)})`;
      case 'cast': return `t${s.type}(${walk(s.a)})`;
      case 'where': return `w${s.type}(${walk(s.c)},${walk(s.a)},${walk(s.b)})`;
      default:
        shareable = false;
        return '?';
    }
  };
  const body = walk(k.value);
  return shareable ? { key: `${out}:${k.output.type}=${body}`, loads } : undefined;
}

function tensorShape(k: Kernel, tensor: number): readonly number[] {
  return k.reads.find((r) => r.id === tensor)?.node.shape ?? [];
}

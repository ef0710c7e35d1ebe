import { formatType } from '../ir/shape.js';
import type { HostTensor } from '../ir/tensor.js';

/** Raised when a host tensor's values cannot be represented in its device dtype. */
export class HostDataError extends Error {
  override readonly name = 'HostDataError';
}

const I32_MIN = -(2 ** 31);
const I32_MAX = 2 ** 31 - 1;

/**
 * Why an i32 tensor cannot go to a device as 32-bit integers, or undefined when it can: a
 * value outside the i32 range (an I64 id of 2^31 would wrap on the device and read another
 * row) or not an integer. Names the tensor, the first bad value and its position.
 */
export function int32Problem(kind: string, name: string, t: HostTensor): string | undefined {
  for (let i = 0; i < t.data.length; i++) {
    const v = t.data[i]!;
    if (Number.isInteger(v) && v >= I32_MIN && v <= I32_MAX) continue;
    const at = positionOf(i, t.shape);
    const why = Number.isInteger(v) ? `outside the i32 range [${I32_MIN}, ${I32_MAX}]` : 'not an integer';
    return `${kind} '${name}' (${formatType(t.dtype, t.shape)}) holds ${v} at [${at.join(', ')}], ${why}`;
  }
  return undefined;
}

/** The device representation of a host tensor: Int32Array for i32 (checked), else Float32Array. */
export function deviceArray(kind: string, name: string, t: HostTensor, dtype: 'i32' | 'f32'): Int32Array<ArrayBuffer> | Float32Array<ArrayBuffer> {
  // Data already in the device's type goes up as it is, without a copy.
  if (dtype === 'f32') return t.data instanceof Float32Array && t.data.buffer instanceof ArrayBuffer ? (t.data as Float32Array<ArrayBuffer>) : Float32Array.from(t.data);
  if (t.data instanceof Int32Array && t.data.buffer instanceof ArrayBuffer) return t.data as Int32Array<ArrayBuffer>;
  const problem = int32Problem(kind, name, t);
  if (problem) throw new HostDataError(problem);
  return Int32Array.from(t.data);
}

function positionOf(flat: number, shape: readonly number[]): number[] {
  const at = new Array<number>(shape.length).fill(0);
  for (let k = shape.length - 1, rest = flat; k >= 0; k--) {
    at[k] = rest % shape[k]!;
    rest = Math.floor(rest / shape[k]!);
  }
  return at;
}

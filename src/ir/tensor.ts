import type { DType } from './dtype.js';
import { formatType, numel, type Shape } from './shape.js';

/**
 * The elements of a host tensor, row-major: Float64 where the interpreter made or reads them,
 * the device's own type where a device made them (an f32 read-back is a Float32Array, an i32
 * one an Int32Array, a safetensors F32 tensor a Float32Array), so large tensors are not
 * widened to twice their size on their way between files and devices.
 */
export type HostData = Float64Array | Float32Array | Int32Array;

/** A tensor on the host: shape, dtype and data (i32 tensors hold integral values in any array type). */
export class HostTensor {
  constructor(
    readonly shape: Shape,
    readonly dtype: DType,
    readonly data: HostData,
  ) {
    if (data.length !== numel(shape)) {
      throw new Error(`tensor data has ${data.length} elements but ${formatType(dtype, shape)} needs ${numel(shape)}`);
    }
  }

  static zeros(shape: Shape, dtype: DType = 'f32'): HostTensor {
    return new HostTensor([...shape], dtype, new Float64Array(numel(shape)));
  }

  static from(shape: Shape, values: ArrayLike<number>, dtype: DType = 'f32'): HostTensor {
    return new HostTensor([...shape], dtype, Float64Array.from(values));
  }

  /** The data as Float64 (the interpreter's precision): the array itself when it is one. */
  float64(): Float64Array {
    return this.data instanceof Float64Array ? this.data : Float64Array.from(this.data);
  }

  get type(): string {
    return formatType(this.dtype, this.shape);
  }
}

import type { DType } from './dtype.js';
import { formatType, numel, type Shape } from './shape.js';

/**
 * A tensor on the host, as the reference interpreter sees it: Float64 data in row-major
 * order whatever the dtype (i32 tensors hold integral values).
 */
export class HostTensor {
  constructor(
    readonly shape: Shape,
    readonly dtype: DType,
    readonly data: Float64Array,
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

  get type(): string {
    return formatType(this.dtype, this.shape);
  }
}

/**
 * IEEE half precision and bfloat16 conversions for the tensor-core operands of the PTX
 * simulator: `cvt.rn.f16x2.f32` and `cvt.rn.bf16x2.f32` round to nearest even, and
 * `mma.sync` reads the 16-bit halves of its operand registers back as numbers.
 */

const scratch = new DataView(new ArrayBuffer(4));

/** The f32 bit pattern of `x` (x rounded to f32 first). */
function f32Bits(x: number): number {
  scratch.setFloat32(0, x);
  return scratch.getUint32(0);
}

/** f32 -> f16 bits, rounding to nearest even; overflow goes to infinity, NaN stays NaN. */
export function toHalfBits(x: number): number {
  const bits = f32Bits(x);
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal half (or zero): shift the mantissa with its implicit bit into place.
    if (e < -10) return sign;
    const m = mant | 0x800000;
    const shift = 14 - e;
    const half = m >>> shift;
    const rest = m & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    return sign | (rest > mid || (rest === mid && (half & 1)) ? half + 1 : half);
  }
  const half = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  // A carry out of the mantissa moves into the exponent, which is what rounding up means.
  return sign | (rest > 0x1000 || (rest === 0x1000 && (half & 1)) ? half + 1 : half);
}

/** f16 bits -> number. */
export function fromHalfBits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** f32 -> bf16 bits (the f32's upper half), rounding to nearest even. */
export function toBfloatBits(x: number): number {
  const bits = f32Bits(x);
  if ((bits & 0x7f800000) === 0x7f800000 && bits & 0x7fffff) return (bits >>> 16) | 0x40;
  const rest = bits & 0xffff;
  const upper = bits >>> 16;
  return (rest > 0x8000 || (rest === 0x8000 && (upper & 1)) ? upper + 1 : upper) & 0xffff;
}

/** bf16 bits -> number. */
export function fromBfloatBits(b: number): number {
  scratch.setUint32(0, (b & 0xffff) << 16);
  return scratch.getFloat32(0);
}

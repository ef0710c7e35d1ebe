/**
 * WGSL helper functions a kernel may need, emitted only when used. Each is the WGSL
 * rendering of the interpreter's definition (src/ir/interpret.ts).
 */
export const WGSL_HELPERS: Readonly<Record<string, string>> = {
  // Abramowitz & Stegun 7.1.26: |error| < 1.5e-7, below f32 resolution of erf's range.
  fib_erf: `fn fib_erf(x: f32) -> f32 {
  let t = 1.0 / (1.0 + 0.3275911 * abs(x));
  let y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * exp(-x * x);
  return select(-y, y, x >= 0.0);
}`,
  // tanh of a large argument overflows exp inside some implementations: clamp first (clamp
  // of NaN is not defined in WGSL: NaN passes through by a bit test).
  fib_tanh: `fn fib_tanh(x: f32) -> f32 {
  return select(tanh(clamp(x, -20.0, 20.0)), x, (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u);
}`,
  // max/min propagate NaN, as the interpreter (and torch.maximum) do; WGSL's max/min leave
  // NaN undefined, so it is tested on the bits and passed on as a + b.
  fib_max: `fn fib_max(a: f32, b: f32) -> f32 {
  return select(max(a, b), a + b, ((bitcast<u32>(a) & 0x7fffffffu) > 0x7f800000u) || ((bitcast<u32>(b) & 0x7fffffffu) > 0x7f800000u));
}`,
  fib_min: `fn fib_min(a: f32, b: f32) -> f32 {
  return select(min(a, b), a + b, ((bitcast<u32>(a) & 0x7fffffffu) > 0x7f800000u) || ((bitcast<u32>(b) & 0x7fffffffu) > 0x7f800000u));
}`,
  fib_max4: `fn fib_max4(a: vec4<f32>, b: vec4<f32>) -> vec4<f32> {
  return select(max(a, b), a + b, ((bitcast<vec4<u32>>(a) & vec4(0x7fffffffu)) > vec4(0x7f800000u)) | ((bitcast<vec4<u32>>(b) & vec4(0x7fffffffu)) > vec4(0x7f800000u)));
}`,
  fib_min4: `fn fib_min4(a: vec4<f32>, b: vec4<f32>) -> vec4<f32> {
  return select(min(a, b), a + b, ((bitcast<vec4<u32>>(a) & vec4(0x7fffffffu)) > vec4(0x7f800000u)) | ((bitcast<vec4<u32>>(b) & vec4(0x7fffffffu)) > vec4(0x7f800000u)));
}`,
  // The identity of max, -inf (a constant infinity is a WGSL error: built from runtime bits).
  fib_neg_inf: `fn fib_neg_inf() -> f32 {
  let bits = 0xff800000u;
  return bitcast<f32>(bits);
}`,
  // x ** y as the interpreter defines it (C99 pow): WGSL's pow is undefined for x < 0 and for
  // x = 0 with y <= 0. The magnitude is exp2(y log2|x|); zero and infinite bases, the sign of
  // a negative base under an odd exponent (-0 included, by its sign bit), NaN for a negative
  // base under a non-integral exponent, and the cases that are 1 whatever else are explicit.
  // Infinity and NaN come from runtime bit patterns (a constant one is a WGSL error).
  fib_pow: `fn fib_pow(x: f32, y: f32) -> f32 {
  let inf_bits = 0x7f800000u;
  let inf = bitcast<f32>(inf_bits);
  let nan = bitcast<f32>(inf_bits | 0x400000u);
  let ax = abs(x);
  let integral = floor(y) == y;
  let odd = integral && abs(y - 2.0 * floor(0.5 * y)) == 1.0;
  var m = exp2(y * log2(ax));
  if (ax == 0.0) { m = select(inf, 0.0, y > 0.0); }
  if (ax == inf) { m = select(0.0, inf, y > 0.0); }
  if (odd && (bitcast<u32>(x) >> 31u) == 1u) { m = -m; }
  if (x < 0.0 && !integral && ax != inf) { m = nan; }
  if (((bitcast<u32>(x) & 0x7fffffffu) > inf_bits) || ((bitcast<u32>(y) & 0x7fffffffu) > inf_bits)) { m = nan; }
  if (y == 0.0 || x == 1.0 || (ax == 1.0 && abs(y) == inf)) { m = 1.0; }
  return m;
}`,
  // Floor division and modulo of i32, as the interpreter (and Python) define them.
  // (a zero divisor gives 0: WGSL's a / 0 is a; a % 0 is 0 already.)
  fib_idiv: `fn fib_idiv(a: i32, b: i32) -> i32 {
  let q = a / b;
  return select(select(q, q - 1, (a % b != 0) && ((a < 0) != (b < 0))), 0, b == 0);
}`,
  fib_imod: `fn fib_imod(a: i32, b: i32) -> i32 {
  let r = a % b;
  return select(r, r + b, r != 0 && ((r < 0) != (b < 0)));
}`,
};

/**
 * `let` statements decomposing the row-major index `flat` over `sizes` into one variable per
 * axis (`names[i]`): axes of size 1 get none, except those named in `always` (declared 0).
 */
export function flatIndexLets(sizes: readonly number[], names: readonly string[], always: ReadonlySet<string> = new Set()): string[] {
  const lines: string[] = [];
  let stride = 1;
  for (let i = sizes.length - 1; i >= 0; i--) {
    if (sizes[i]! > 1) lines.unshift(`let ${names[i]} = ${stride === 1 ? 'flat' : `flat / ${stride}`}${i > 0 ? ` % ${sizes[i]}` : ''};`);
    else if (always.has(names[i]!)) lines.unshift(`let ${names[i]} = 0;`);
    stride *= sizes[i]!;
  }
  return lines;
}

// k23_add — used by 2 consumers and contains a reduction; fuses 16 op(s)
// fiberc pointwise kernel: one invocation per output element; reductions are loops.
@group(0) @binding(0) var<storage, read_write> buf49: array<f32>;
@group(0) @binding(1) var<storage, read> buf43: array<f32>;
@group(0) @binding(2) var<storage, read> buf46: array<f32>;
@group(0) @binding(3) var<storage, read> arena0: array<f32>;

fn fib_erf(x: f32) -> f32 {
  let t = 1.0 / (1.0 + 0.3275911 * abs(x));
  let y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * exp(-x * x);
  return select(-y, y, x >= 0.0);
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let flat = i32(gid.x + gid.y * groups.x * 64u);
  if (flat >= 512) {
    return;
  }
  let i0 = flat / 256;
  let i1 = flat / 32 % 8;
  let i2 = flat % 32;
  let s0: f32 = buf43[i0 * 256 + i1 * 32 + i2];
  var acc1: f32 = 0.0;
  for (var r0: i32 = 0; r0 < 64; r0++) {
    let s2: f32 = buf46[i0 * 512 + i1 * 64 + r0];
    let s3: f32 = f32(0.5) * s2;
    let s4: f32 = s2 * f32(0.7071067811865476);
    let s5: f32 = fib_erf(s4);
    let s6: f32 = f32(1.0) + s5;
    let s7: f32 = s3 * s6;
    let s8: f32 = arena0[10628 + i2 * 64 + r0];
    let s9: f32 = s7 * s8;
    acc1 = acc1 + s9;
  }
  let s10: f32 = arena0[12676 + i2];
  let s11: f32 = acc1 + s10;
  let s12: f32 = s0 + s11;
  buf49[flat] = s12;
}

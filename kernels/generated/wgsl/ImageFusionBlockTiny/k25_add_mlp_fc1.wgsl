// k25_add_mlp_fc1 — used by 2 consumers and contains a reduction; fuses 20 op(s)
// fiberc pointwise kernel: one invocation per output element; reductions are loops.
@group(0) @binding(0) var<storage, read_write> buf48: array<f32>;
@group(0) @binding(1) var<storage, read> buf42: array<f32>;
@group(0) @binding(2) var<storage, read> buf43: array<f32>;
@group(0) @binding(3) var<storage, read> arena0: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let flat = i32(gid.x + gid.y * groups.x * 64u);
  if (flat >= 4096) {
    return;
  }
  let i0 = flat / 2048;
  let i1 = flat / 128 % 16;
  let i2 = flat % 128;
  var acc0: f32 = 0.0;
  let s2: f32 = buf43[i0 * 16 + i1];
  let s3: f32 = s2 / f32(32.0);
  let s4: f32 = s3 + f32(0.00001);
  let s5: f32 = inverseSqrt(s4);
  for (var r0: i32 = 0; r0 < 32; r0++) {
    let s1: f32 = buf42[i0 * 512 + i1 * 32 + r0];
    let s6: f32 = s1 * s5;
    let s7: f32 = arena0[8600 + r0];
    let s8: f32 = s6 * s7;
    let s9: f32 = arena0[8632 + r0];
    let s10: f32 = s8 + s9;
    let s11: f32 = arena0[8664 + i2 * 32 + r0];
    let s12: f32 = s10 * s11;
    acc0 = acc0 + s12;
  }
  let s13: f32 = arena0[12760 + i2];
  let s14: f32 = acc0 + s13;
  buf48[flat] = s14;
}

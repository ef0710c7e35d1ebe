// k14_matmul_i2t_query — matmul result is re-read downstream by reshape -> binary -> reshape -> permute -> binary -> matmul; fuses 16 op(s)
// fiberc pointwise kernel: one invocation per output element; reductions are loops.
@group(0) @binding(0) var<storage, read_write> buf26: array<f32>;
@group(0) @binding(1) var<storage, read> buf21: array<f32>;
@group(0) @binding(2) var<storage, read> buf22: array<f32>;
@group(0) @binding(3) var<storage, read> arena0: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let flat = i32(gid.x + gid.y * groups.x * 64u);
  if (flat >= 1024) {
    return;
  }
  let i0 = flat / 32;
  let i1 = flat % 32;
  var acc0: f32 = 0.0;
  for (var r0: i32 = 0; r0 < 32; r0++) {
    let s1: f32 = buf21[((i0) % 16) * 32 + ((i0 * 32 + r0) / 512) * 512 + r0];
    let s2: f32 = buf22[((i0) % 16) + ((i0 * 32 + r0) / 512) * 16];
    let s3: f32 = s2 / f32(32.0);
    let s4: f32 = s3 + f32(0.00001);
    let s5: f32 = inverseSqrt(s4);
    let s6: f32 = s1 * s5;
    let s7: f32 = arena0[4312 + r0];
    let s8: f32 = s6 * s7;
    let s9: f32 = arena0[4344 + r0];
    let s10: f32 = s8 + s9;
    let s11: f32 = arena0[4376 + i1 * 32 + r0];
    let s12: f32 = s10 * s11;
    acc0 = acc0 + s12;
  }
  buf26[flat] = acc0;
}

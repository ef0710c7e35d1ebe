// k0_mul_attention_self — contains a reduction and would be recomputed for every read by matmul; fuses 11 op(s)
// fiberc pointwise kernel: one invocation per output element; reductions are loops.
@group(0) @binding(0) var<storage, read_write> buf3: array<f32>;
@group(0) @binding(1) var<storage, read> buf0: array<f32>;
@group(0) @binding(2) var<storage, read> arena0: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let flat = i32(gid.x + gid.y * groups.x * 64u);
  if (flat >= 512) {
    return;
  }
  let i0 = flat / 256;
  let i1 = flat / 128 % 2;
  let i2 = flat / 16 % 8;
  let i3 = flat % 16;
  var acc0: f32 = 0.0;
  for (var r0: i32 = 0; r0 < 32; r0++) {
    let s1: f32 = buf0[i0 * 256 + i2 * 32 + r0];
    let s2: f32 = arena0[i1 * 512 + i3 * 32 + r0];
    let s3: f32 = s1 * s2;
    acc0 = acc0 + s3;
  }
  let s4: f32 = arena0[1024 + i1 * 16 + i3];
  let s5: f32 = acc0 + s4;
  let s6: f32 = s5 * f32(0.25);
  buf3[flat] = s6;
}

// k9_matmul_attn — matmul result is re-read downstream by permute -> reshape -> reshape -> matmul; fuses 12 op(s)
// fiberc pointwise kernel: one invocation per output element; reductions are loops.
@group(0) @binding(0) var<storage, read_write> buf15: array<f32>;
@group(0) @binding(1) var<storage, read> buf13: array<f32>;
@group(0) @binding(2) var<storage, read> buf14: array<f32>;
@group(0) @binding(3) var<storage, read> buf7: array<f32>;
@group(0) @binding(4) var<storage, read> arena0: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let flat = i32(gid.x + gid.y * groups.x * 64u);
  if (flat >= 1024) {
    return;
  }
  let i0 = flat / 128;
  let i1 = flat / 64 % 2;
  let i2 = flat / 16 % 4;
  let i3 = flat % 16;
  var acc0: f32 = 0.0;
  let s5: f32 = arena0[3136 + i1 * 16 + i3 + 64];
  for (var r0: i32 = 0; r0 < 4; r0++) {
    let s1: f32 = buf13[((i0) % 4) * 32 + ((i0 * 32 + i1 * 16 + i2 * 4 + r0) / 128) * 128 + i1 * 16 + i2 * 4 + r0];
    let s2: f32 = buf14[((i0) % 4) * 8 + ((i0 * 32 + i1 * 16 + i2 * 4 + r0) / 128) * 32 + i1 * 4 + i2];
    let s3: f32 = s1 / s2;
    let s4: f32 = buf7[i0 * 384 + i1 * 16 + i3 + r0 * 96 + 64];
    let s6: f32 = s4 + s5;
    let s7: f32 = s3 * s6;
    acc0 = acc0 + s7;
  }
  buf15[flat] = acc0;
}

// k12_matmul_attn — matmul result is re-read downstream by permute -> reshape -> reshape -> matmul; fuses 6 op(s)
// fiberc pointwise kernel: one invocation per output element; reductions are loops.
@group(0) @binding(0) var<storage, read_write> buf18: array<f32>;
@group(0) @binding(1) var<storage, read> buf17: array<f32>;
@group(0) @binding(2) var<storage, read> buf8: array<f32>;

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
  for (var r0: i32 = 0; r0 < 4; r0++) {
    let s1: f32 = buf17[((i0) % 4) * 32 + ((i0 * 32 + i1 * 16 + i2 * 4 + r0) / 128) * 128 + i1 * 16 + i2 * 4 + r0];
    let s2: f32 = buf8[i0 * 384 + i1 * 16 + i3 + r0 * 96 + 64];
    let s3: f32 = s1 * s2;
    acc0 = acc0 + s3;
  }
  buf18[flat] = acc0;
}

// k11_reduce_sum_i2t_norm — reduce result is re-read downstream by binary -> broadcast; fuses 11 op(s)
// fiberc pointwise kernel: one invocation per output element; reductions are loops.
@group(0) @binding(0) var<storage, read_write> buf20: array<f32>;
@group(0) @binding(1) var<storage, read> buf17: array<f32>;
@group(0) @binding(2) var<storage, read> arena0: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let flat = i32(gid.x + gid.y * groups.x * 64u);
  if (flat >= 32) {
    return;
  }
  let i0 = flat / 16;
  let i1 = flat % 16;
  var acc0: f32 = 0.0;
  for (var r0: i32 = 0; r0 < 32; r0++) {
    let s1: f32 = buf17[((((((i1) % 4) + 3) % 4)) % 2) * 32 + ((((((i1 * 32 + r0) / 128) + 3) % 4)) % 2) * 64 + ((((((i1) % 4) + 3) % 4) * 32 + r0) / 64) * 128 + ((((((i1) % 4) + 3) % 4) * 32 + ((((i1 * 32 + r0) / 128) + 3) % 4) * 128 + r0) / 256) * 256 + i0 * 512 + r0];
    let s2: f32 = arena0[4276 + r0];
    let s3: f32 = s1 + s2;
    acc0 = acc0 + s3;
  }
  buf20[flat] = acc0;
}

// k22_reduce_sum_i2t — reduce result is re-read downstream by broadcast; fuses 4 op(s)
// fiberc pointwise kernel: one invocation per output element; reductions are loops.
@group(0) @binding(0) var<storage, read_write> buf39: array<f32>;
@group(0) @binding(1) var<storage, read> buf37: array<f32>;
@group(0) @binding(2) var<storage, read> buf38: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let flat = i32(gid.x + gid.y * groups.x * 64u);
  if (flat >= 64) {
    return;
  }
  let i0 = flat / 32;
  let i1 = flat / 16 % 2;
  let i2 = flat % 16;
  var acc0: f32 = 0.0;
  let s2: f32 = buf38[i0 * 32 + i1 * 16 + i2];
  for (var r0: i32 = 0; r0 < 8; r0++) {
    let s1: f32 = buf37[i0 * 256 + i1 * 128 + i2 * 8 + r0];
    let s3: f32 = s1 - s2;
    let s4: f32 = exp(s3);
    acc0 = acc0 + s4;
  }
  buf39[flat] = acc0;
}

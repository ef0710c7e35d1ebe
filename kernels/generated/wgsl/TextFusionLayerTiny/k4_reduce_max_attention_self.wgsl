// k4_reduce_max_attention_self — reduce result is re-read downstream by broadcast; fuses 1 op(s)
// fiberc pointwise kernel: one invocation per output element; reductions are loops.
@group(0) @binding(0) var<storage, read_write> buf10: array<f32>;
@group(0) @binding(1) var<storage, read> buf9: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let flat = i32(gid.x + gid.y * groups.x * 64u);
  if (flat >= 32) {
    return;
  }
  let i0 = flat / 16;
  let i1 = flat / 8 % 2;
  let i2 = flat % 8;
  var acc0: f32 = bitcast<f32>(0xff7fffffu);
  for (var r0: i32 = 0; r0 < 8; r0++) {
    let s1: f32 = buf9[i0 * 128 + i1 * 64 + i2 * 8 + r0];
    acc0 = max(acc0, s1);
  }
  buf10[flat] = acc0;
}

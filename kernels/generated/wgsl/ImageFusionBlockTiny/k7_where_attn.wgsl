// k7_where_attn — would be recomputed for every read by reshape -> broadcast; fuses 13 op(s)
// fiberc pointwise kernel: one invocation per output element; reductions are loops.
@group(0) @binding(0) var<storage, read_write> buf13: array<f32>;
@group(0) @binding(1) var<storage, read> buf12: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let flat = i32(gid.x + gid.y * groups.x * 64u);
  if (flat >= 64) {
    return;
  }
  let i0 = flat / 16;
  let i1 = flat / 4 % 4;
  let i2 = flat % 4;
  let s0: f32 = buf12[((i0) % 2) * 2 + ((i1) % 2) + ((i1) / 2) * 4 + ((i0 * 4 + i1) / 8) * 8];
  let s1: f32 = buf12[((i0) % 2) * 2 + ((i2) % 2) + ((i2) / 2) * 4 + ((i0 * 4 + i2) / 8) * 8];
  let s2: f32 = select(0.0, 1.0, s0 != s1);
  let s3: f32 = select(f32(0.0), f32(-100.0), s2 != 0.0);
  buf13[flat] = s3;
}

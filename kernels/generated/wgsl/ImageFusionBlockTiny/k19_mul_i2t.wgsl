// k19_mul_i2t — would be recomputed for every read by reshape -> broadcast; fuses 4 op(s)
// fiberc pointwise kernel: one invocation per output element; reductions are loops.
@group(0) @binding(0) var<storage, read_write> buf36: array<f32>;
@group(0) @binding(1) var<storage, read> buf35: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let flat = i32(gid.x + gid.y * groups.x * 64u);
  if (flat >= 16) {
    return;
  }
  let i0 = flat / 8;
  let i1 = flat % 8;
  let s0: f32 = buf35[i0 * 8 + i1];
  let s1: f32 = f32(1.0) - s0;
  let s2: f32 = s1 * f32(-10000.0);
  buf36[flat] = s2;
}

// k5_gather_attn — gather result is re-read downstream by permute -> reshape -> broadcast; fuses 1 op(s)
// fiberc pointwise kernel: one invocation per output element; reductions are loops.
@group(0) @binding(0) var<storage, read_write> buf11: array<f32>;
@group(0) @binding(1) var<storage, read> buf10: array<i32>;
@group(0) @binding(2) var<storage, read> arena0: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let flat = i32(gid.x + gid.y * groups.x * 64u);
  if (flat >= 32) {
    return;
  }
  let i0 = flat / 8;
  let i1 = flat / 2 % 4;
  let i2 = flat % 2;
  let s0: i32 = buf10[i0 * 4 + i1];
  let v1 = s0;
  let s1: f32 = arena0[3232 + i2 + v1 * 2];
  let s2: f32 = select(0.0, s1, (v1) >= 0 && (v1) < 9);
  buf11[flat] = s2;
}

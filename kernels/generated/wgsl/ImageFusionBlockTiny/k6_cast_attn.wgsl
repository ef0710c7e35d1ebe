// k6_cast_attn — would be recomputed for every read by reshape -> reshape -> permute -> reshape -> reshape (used 2 times); fuses 16 op(s)
// fiberc pointwise kernel: one invocation per output element; reductions are loops.
@group(0) @binding(0) var<storage, read_write> buf12: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let flat = i32(gid.x + gid.y * groups.x * 64u);
  if (flat >= 16) {
    return;
  }
  let i0 = flat / 4;
  let i1 = flat % 4;
  let s0: i32 = (i0);
  let s1: i32 = select(0i, 1i, s0 >= i32(2));
  let s2: i32 = select(0i, 1i, s0 >= i32(3));
  let s3: i32 = s1 + s2;
  let s4: i32 = s3 * i32(3);
  let s5: i32 = (i1);
  let s6: i32 = select(0i, 1i, s5 >= i32(2));
  let s7: i32 = s4 + s6;
  let s8: i32 = select(0i, 1i, s5 >= i32(3));
  let s9: i32 = s7 + s8;
  let s10: f32 = f32(s9);
  buf12[flat] = s10;
}

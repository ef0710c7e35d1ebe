// k13_add_attn_proj — contains a reduction and would be recomputed for every read by reshape -> permute -> reshape -> roll -> roll -> reshape (used 3 times); fuses 9 op(s)
// fiberc pointwise kernel: one invocation per output element; reductions are loops.
@group(0) @binding(0) var<storage, read_write> buf21: array<f32>;
@group(0) @binding(1) var<storage, read> buf18: array<f32>;
@group(0) @binding(2) var<storage, read> arena0: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let flat = i32(gid.x + gid.y * groups.x * 64u);
  if (flat >= 1024) {
    return;
  }
  let i0 = flat / 128;
  let i1 = flat / 32 % 4;
  let i2 = flat % 32;
  var acc0: f32 = 0.0;
  for (var r0: i32 = 0; r0 < 32; r0++) {
    let s1: f32 = buf18[((r0) % 16) + ((r0) / 16) * 64 + i0 * 128 + i1 * 16];
    let s2: f32 = arena0[3252 + i2 * 32 + r0];
    let s3: f32 = s1 * s2;
    acc0 = acc0 + s3;
  }
  let s4: f32 = arena0[4276 + i2];
  let s5: f32 = acc0 + s4;
  buf21[flat] = s5;
}

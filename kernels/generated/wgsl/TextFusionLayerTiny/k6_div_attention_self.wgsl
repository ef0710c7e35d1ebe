// k6_div_attention_self — would be recomputed for every read by matmul; fuses 5 op(s)
// fiberc pointwise kernel: one invocation per output element; reductions are loops.
@group(0) @binding(0) var<storage, read_write> buf12: array<f32>;
@group(0) @binding(1) var<storage, read> buf9: array<f32>;
@group(0) @binding(2) var<storage, read> buf10: array<f32>;
@group(0) @binding(3) var<storage, read> buf11: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let flat = i32(gid.x + gid.y * groups.x * 64u);
  if (flat >= 256) {
    return;
  }
  let i0 = flat / 128;
  let i1 = flat / 64 % 2;
  let i2 = flat / 8 % 8;
  let i3 = flat % 8;
  let s0: f32 = buf9[i0 * 128 + i1 * 64 + i2 * 8 + i3];
  let s1: f32 = buf10[i0 * 16 + i1 * 8 + i2];
  let s2: f32 = s0 - s1;
  let s3: f32 = exp(s2);
  let s4: f32 = buf11[i0 * 16 + i1 * 8 + i2];
  let s5: f32 = s3 / s4;
  buf12[flat] = s5;
}

// k11_div_attn — would be recomputed for every read by reshape -> matmul; fuses 5 op(s)
// fiberc pointwise kernel: one invocation per output element; reductions are loops.
@group(0) @binding(0) var<storage, read_write> buf17: array<f32>;
@group(0) @binding(1) var<storage, read> buf14: array<f32>;
@group(0) @binding(2) var<storage, read> buf15: array<f32>;
@group(0) @binding(3) var<storage, read> buf16: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let flat = i32(gid.x + gid.y * groups.x * 64u);
  if (flat >= 256) {
    return;
  }
  let i0 = flat / 128;
  let i1 = flat / 32 % 4;
  let i2 = flat / 16 % 2;
  let i3 = flat / 4 % 4;
  let i4 = flat % 4;
  let s0: f32 = buf14[i0 * 128 + i1 * 32 + i2 * 16 + i3 * 4 + i4];
  let s1: f32 = buf15[i0 * 32 + i1 * 8 + i2 * 4 + i3];
  let s2: f32 = s0 - s1;
  let s3: f32 = exp(s2);
  let s4: f32 = buf16[i0 * 32 + i1 * 8 + i2 * 4 + i3];
  let s5: f32 = s3 / s4;
  buf17[flat] = s5;
}

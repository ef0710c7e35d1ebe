// k15_div_crossattention — would be recomputed for every read by matmul; fuses 5 op(s)
// fiberc pointwise kernel: one invocation per output element; reductions are loops.
@group(0) @binding(0) var<storage, read_write> buf31: array<f32>;
@group(0) @binding(1) var<storage, read> buf28: array<f32>;
@group(0) @binding(2) var<storage, read> buf29: array<f32>;
@group(0) @binding(3) var<storage, read> buf30: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let flat = i32(gid.x + gid.y * groups.x * 64u);
  if (flat >= 512) {
    return;
  }
  let i0 = flat / 256;
  let i1 = flat / 128 % 2;
  let i2 = flat / 16 % 8;
  let i3 = flat % 16;
  let s0: f32 = buf28[i0 * 256 + i1 * 128 + i2 * 16 + i3];
  let s1: f32 = buf29[i0 * 16 + i1 * 8 + i2];
  let s2: f32 = s0 - s1;
  let s3: f32 = exp(s2);
  let s4: f32 = buf30[i0 * 16 + i1 * 8 + i2];
  let s5: f32 = s3 / s4;
  buf31[flat] = s5;
}

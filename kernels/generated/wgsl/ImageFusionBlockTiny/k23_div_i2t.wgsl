// k23_div_i2t — would be recomputed for every read by matmul; fuses 5 op(s)
// fiberc pointwise kernel: one invocation per output element; reductions are loops.
@group(0) @binding(0) var<storage, read_write> buf40: array<f32>;
@group(0) @binding(1) var<storage, read> buf37: array<f32>;
@group(0) @binding(2) var<storage, read> buf38: array<f32>;
@group(0) @binding(3) var<storage, read> buf39: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let flat = i32(gid.x + gid.y * groups.x * 64u);
  if (flat >= 512) {
    return;
  }
  let i0 = flat / 256;
  let i1 = flat / 128 % 2;
  let i2 = flat / 8 % 16;
  let i3 = flat % 8;
  let s0: f32 = buf37[i0 * 256 + i1 * 128 + i2 * 8 + i3];
  let s1: f32 = buf38[i0 * 32 + i1 * 16 + i2];
  let s2: f32 = s0 - s1;
  let s3: f32 = exp(s2);
  let s4: f32 = buf39[i0 * 32 + i1 * 16 + i2];
  let s5: f32 = s3 / s4;
  buf40[flat] = s5;
}

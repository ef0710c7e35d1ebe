// k21_mul_attention_output_LayerNorm — would be recomputed for every read by binary (used 2 times); fuses 7 op(s)
// fiberc pointwise kernel: one invocation per output element; reductions are loops.
@group(0) @binding(0) var<storage, read_write> buf42: array<f32>;
@group(0) @binding(1) var<storage, read> buf38: array<f32>;
@group(0) @binding(2) var<storage, read> buf39: array<f32>;
@group(0) @binding(3) var<storage, read> buf40: array<f32>;
@group(0) @binding(4) var<storage, read> arena0: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let flat = i32(gid.x + gid.y * groups.x * 64u);
  if (flat >= 512) {
    return;
  }
  let i0 = flat / 256;
  let i1 = flat / 32 % 8;
  let i2 = flat % 32;
  let s0: f32 = buf38[i0 * 256 + i1 * 32 + i2];
  let s1: f32 = buf39[i0 * 8 + i1];
  let s2: f32 = s0 - s1;
  let s3: f32 = buf40[i0 * 8 + i1];
  let s4: f32 = s2 * s3;
  let s5: f32 = arena0[8452 + i2];
  let s6: f32 = s4 * s5;
  buf42[flat] = s6;
}

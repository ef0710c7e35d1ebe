// k28_add_norm2 — would be recomputed for every read by reshape -> matmul; fuses 10 op(s)
// fiberc pointwise kernel: one invocation per output element; reductions are loops.
@group(0) @binding(0) var<storage, read_write> buf49: array<f32>;
@group(0) @binding(1) var<storage, read> buf44: array<f32>;
@group(0) @binding(2) var<storage, read> buf45: array<f32>;
@group(0) @binding(3) var<storage, read> buf46: array<f32>;
@group(0) @binding(4) var<storage, read> arena0: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let flat = i32(gid.x + gid.y * groups.x * 64u);
  if (flat >= 1024) {
    return;
  }
  let i0 = flat / 512;
  let i1 = flat / 32 % 16;
  let i2 = flat % 32;
  let s0: f32 = buf44[i0 * 512 + i1 * 32 + i2];
  let s1: f32 = buf45[i0 * 16 + i1];
  let s2: f32 = s0 - s1;
  let s3: f32 = buf46[i0 * 16 + i1];
  let s4: f32 = s2 * s3;
  let s5: f32 = arena0[8600 + i2];
  let s6: f32 = s4 * s5;
  let s7: f32 = arena0[8632 + i2];
  let s8: f32 = s6 + s7;
  buf49[flat] = s8;
}

// k16_add_i2t_norm — would be recomputed for every read by reshape -> matmul; fuses 16 op(s)
// fiberc pointwise kernel: one invocation per output element; reductions are loops.
@group(0) @binding(0) var<storage, read_write> buf27: array<f32>;
@group(0) @binding(1) var<storage, read> buf21: array<f32>;
@group(0) @binding(2) var<storage, read> buf23: array<f32>;
@group(0) @binding(3) var<storage, read> buf24: array<f32>;
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
  let s0: f32 = buf21[((((((i1) % 4) + 3) % 4)) % 2) * 32 + ((((((i1 * 32 + i2) / 128) + 3) % 4)) % 2) * 64 + ((((((i1) % 4) + 3) % 4) * 32 + i2) / 64) * 128 + ((((((i1) % 4) + 3) % 4) * 32 + ((((i1 * 32 + i2) / 128) + 3) % 4) * 128 + i2) / 256) * 256 + i0 * 512 + i2];
  let s1: f32 = buf23[i0 * 16 + i1];
  let s2: f32 = s0 - s1;
  let s3: f32 = buf24[i0 * 16 + i1];
  let s4: f32 = s2 * s3;
  let s5: f32 = arena0[4312 + i2];
  let s6: f32 = s4 * s5;
  let s7: f32 = arena0[4344 + i2];
  let s8: f32 = s6 + s7;
  buf27[flat] = s8;
}

// k18_add — used by 2 consumers and contains a reduction; fuses 14 op(s)
// fiberc pointwise kernel: one invocation per output element; reductions are loops.
@group(0) @binding(0) var<storage, read_write> buf38: array<f32>;
@group(0) @binding(1) var<storage, read> buf0: array<f32>;
@group(0) @binding(2) var<storage, read> buf19: array<f32>;
@group(0) @binding(3) var<storage, read> arena0: array<f32>;
@group(0) @binding(4) var<storage, read> buf35: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let flat = i32(gid.x + gid.y * groups.x * 64u);
  if (flat >= 512) {
    return;
  }
  let i0 = flat / 256;
  let i1 = flat / 32 % 8;
  let i2 = flat % 32;
  let s0: f32 = buf0[i0 * 256 + i1 * 32 + i2];
  let s1: f32 = buf19[i0 * 256 + i1 * 32 + i2];
  let s2: f32 = s0 + s1;
  let s3: f32 = arena0[4224 + 0];
  var acc4: f32 = 0.0;
  for (var r0: i32 = 0; r0 < 32; r0++) {
    let s5: f32 = buf35[((r0) % 16) + ((r0) / 16) * 128 + i0 * 256 + i1 * 16];
    let s6: f32 = arena0[7396 + i2 * 32 + r0];
    let s7: f32 = s5 * s6;
    acc4 = acc4 + s7;
  }
  let s8: f32 = arena0[8420 + i2];
  let s9: f32 = acc4 + s8;
  let s10: f32 = s3 * s9;
  let s11: f32 = s2 + s10;
  buf38[flat] = s11;
}

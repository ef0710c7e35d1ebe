// k25_add — used by 3 consumers and contains a reduction; fuses 20 op(s)
// fiberc pointwise kernel: one invocation per output element; reductions are loops.
@group(0) @binding(0) var<storage, read_write> buf44: array<f32>;
@group(0) @binding(1) var<storage, read> buf0: array<f32>;
@group(0) @binding(2) var<storage, read> buf21: array<f32>;
@group(0) @binding(3) var<storage, read> arena0: array<f32>;
@group(0) @binding(4) var<storage, read> buf41: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let flat = i32(gid.x + gid.y * groups.x * 64u);
  if (flat >= 1024) {
    return;
  }
  let i0 = flat / 512;
  let i1 = flat / 32 % 16;
  let i2 = flat % 32;
  let s0: f32 = buf0[i0 * 512 + i1 * 32 + i2];
  let s1: f32 = buf21[((((((i1) % 4) + 3) % 4)) % 2) * 32 + ((((((i1 * 32 + i2) / 128) + 3) % 4)) % 2) * 64 + ((((((i1) % 4) + 3) % 4) * 32 + i2) / 64) * 128 + ((((((i1) % 4) + 3) % 4) * 32 + ((((i1 * 32 + i2) / 128) + 3) % 4) * 128 + i2) / 256) * 256 + i0 * 512 + i2];
  let s2: f32 = s0 + s1;
  let s3: f32 = arena0[4308 + 0];
  var acc4: f32 = 0.0;
  for (var r0: i32 = 0; r0 < 32; r0++) {
    let s5: f32 = buf41[((r0) % 16) + ((r0) / 16) * 256 + i0 * 512 + i1 * 16];
    let s6: f32 = arena0[7544 + i2 * 32 + r0];
    let s7: f32 = s5 * s6;
    acc4 = acc4 + s7;
  }
  let s8: f32 = arena0[8568 + i2];
  let s9: f32 = acc4 + s8;
  let s10: f32 = s3 * s9;
  let s11: f32 = s2 + s10;
  buf44[flat] = s11;
}

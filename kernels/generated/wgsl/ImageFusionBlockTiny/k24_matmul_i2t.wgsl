// k24_matmul_i2t — matmul result is re-read downstream by permute -> reshape -> reshape -> matmul; fuses 5 op(s)
// fiberc pointwise kernel: one invocation per output element; reductions are loops.
@group(0) @binding(0) var<storage, read_write> buf41: array<f32>;
@group(0) @binding(1) var<storage, read> buf40: array<f32>;
@group(0) @binding(2) var<storage, read> buf34: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let flat = i32(gid.x + gid.y * groups.x * 64u);
  if (flat >= 1024) {
    return;
  }
  let i0 = flat / 512;
  let i1 = flat / 256 % 2;
  let i2 = flat / 16 % 16;
  let i3 = flat % 16;
  var acc0: f32 = 0.0;
  for (var r0: i32 = 0; r0 < 8; r0++) {
    let s1: f32 = buf40[i0 * 256 + i1 * 128 + i2 * 8 + r0];
    let s2: f32 = buf34[i0 * 512 + i1 * 16 + i3 + r0 * 64 + 32];
    let s3: f32 = s1 * s2;
    acc0 = acc0 + s3;
  }
  buf41[flat] = acc0;
}

// k20_add_i2t — used by 2 consumers and contains a reduction; fuses 9 op(s)
// fiberc pointwise kernel: one invocation per output element; reductions are loops.
@group(0) @binding(0) var<storage, read_write> buf37: array<f32>;
@group(0) @binding(1) var<storage, read> buf30: array<f32>;
@group(0) @binding(2) var<storage, read> buf34: array<f32>;
@group(0) @binding(3) var<storage, read> buf36: array<f32>;

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
  var acc0: f32 = 0.0;
  for (var r0: i32 = 0; r0 < 16; r0++) {
    let s1: f32 = buf30[i0 * 512 + i1 * 256 + i2 * 16 + r0];
    let s2: f32 = buf34[i0 * 512 + i1 * 16 + i3 * 64 + r0];
    let s3: f32 = s1 * s2;
    acc0 = acc0 + s3;
  }
  let s4: f32 = buf36[i0 * 8 + i3];
  let s5: f32 = acc0 + s4;
  buf37[flat] = s5;
}

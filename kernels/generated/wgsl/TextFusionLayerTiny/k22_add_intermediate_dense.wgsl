// k22_add_intermediate_dense — used by 2 consumers and contains a reduction; fuses 10 op(s)
// fiberc pointwise kernel: one invocation per output element; reductions are loops.
@group(0) @binding(0) var<storage, read_write> buf46: array<f32>;
@group(0) @binding(1) var<storage, read> buf42: array<f32>;
@group(0) @binding(2) var<storage, read> arena0: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let flat = i32(gid.x + gid.y * groups.x * 64u);
  if (flat >= 1024) {
    return;
  }
  let i0 = flat / 512;
  let i1 = flat / 64 % 8;
  let i2 = flat % 64;
  var acc0: f32 = 0.0;
  for (var r0: i32 = 0; r0 < 32; r0++) {
    let s1: f32 = buf42[i0 * 256 + i1 * 32 + r0];
    let s2: f32 = arena0[8484 + r0];
    let s3: f32 = s1 + s2;
    let s4: f32 = arena0[8516 + i2 * 32 + r0];
    let s5: f32 = s3 * s4;
    acc0 = acc0 + s5;
  }
  let s6: f32 = arena0[10564 + i2];
  let s7: f32 = acc0 + s6;
  buf46[flat] = s7;
}

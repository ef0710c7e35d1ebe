// k8_add_attn — used by 2 consumers and contains a reduction; fuses 19 op(s)
// fiberc pointwise kernel: one invocation per output element; reductions are loops.
@group(0) @binding(0) var<storage, read_write> buf14: array<f32>;
@group(0) @binding(1) var<storage, read> buf8: array<f32>;
@group(0) @binding(2) var<storage, read> buf11: array<f32>;
@group(0) @binding(3) var<storage, read> buf13: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let flat = i32(gid.x + gid.y * groups.x * 64u);
  if (flat >= 256) {
    return;
  }
  let i0 = flat / 128;
  let i1 = flat / 32 % 4;
  let i2 = flat / 16 % 2;
  let i3 = flat / 4 % 4;
  let i4 = flat % 4;
  var acc0: f32 = 0.0;
  for (var r0: i32 = 0; r0 < 16; r0++) {
    let s1: f32 = buf8[i0 * 1536 + i1 * 384 + i2 * 16 + i3 * 96 + r0];
    let s2: f32 = s1 * f32(0.25);
    let s3: f32 = buf8[i0 * 1536 + i1 * 384 + i2 * 16 + i4 * 96 + r0 + 32];
    let s4: f32 = s2 * s3;
    acc0 = acc0 + s4;
  }
  let s5: f32 = buf11[i2 + i3 * 8 + i4 * 2];
  let s6: f32 = buf13[i1 * 16 + i3 * 4 + i4];
  let s7: f32 = s5 + s6;
  let s8: f32 = acc0 + s7;
  buf14[flat] = s8;
}

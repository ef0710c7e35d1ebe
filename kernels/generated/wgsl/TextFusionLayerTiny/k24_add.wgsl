// k24_add — used by 2 consumers and contains a reduction; fuses 11 op(s)
// fiberc pointwise kernel: one invocation per output element; reductions are loops.
@group(0) @binding(0) var<storage, read_write> buf50: array<f32>;
@group(0) @binding(1) var<storage, read> buf42: array<f32>;
@group(0) @binding(2) var<storage, read> arena0: array<f32>;
@group(0) @binding(3) var<storage, read> buf47: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let flat = i32(gid.x + gid.y * groups.x * 64u);
  if (flat >= 512) {
    return;
  }
  let i0 = flat / 256;
  let i1 = flat / 32 % 8;
  let i2 = flat % 32;
  let s0: f32 = buf42[i0 * 256 + i1 * 32 + i2];
  let s1: f32 = arena0[8484 + i2];
  let s2: f32 = s0 + s1;
  var acc3: f32 = 0.0;
  for (var r0: i32 = 0; r0 < 64; r0++) {
    let s4: f32 = buf47[i0 * 512 + i1 * 64 + r0];
    let s5: f32 = arena0[10628 + i2 * 64 + r0];
    let s6: f32 = s4 * s5;
    acc3 = acc3 + s6;
  }
  let s7: f32 = arena0[12676 + i2];
  let s8: f32 = acc3 + s7;
  let s9: f32 = s2 + s8;
  buf50[flat] = s9;
}

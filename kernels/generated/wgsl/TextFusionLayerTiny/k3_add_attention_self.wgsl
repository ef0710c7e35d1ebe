// k3_add_attention_self — used by 2 consumers and contains a reduction; fuses 7 op(s)
// fiberc pointwise kernel: one invocation per output element; reductions are loops.
@group(0) @binding(0) var<storage, read_write> buf9: array<f32>;
@group(0) @binding(1) var<storage, read> buf3: array<f32>;
@group(0) @binding(2) var<storage, read> buf6: array<f32>;
@group(0) @binding(3) var<storage, read> buf8: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let flat = i32(gid.x + gid.y * groups.x * 64u);
  if (flat >= 256) {
    return;
  }
  let i0 = flat / 128;
  let i1 = flat / 64 % 2;
  let i2 = flat / 8 % 8;
  let i3 = flat % 8;
  var acc0: f32 = 0.0;
  for (var r0: i32 = 0; r0 < 16; r0++) {
    let s1: f32 = buf3[i0 * 256 + i1 * 128 + i2 * 16 + r0];
    let s2: f32 = buf6[i0 * 256 + i1 * 16 + i3 * 32 + r0];
    let s3: f32 = s1 * s2;
    acc0 = acc0 + s3;
  }
  let s4: f32 = buf8[i0 * 8 + i3];
  let s5: f32 = acc0 + s4;
  buf9[flat] = s5;
}

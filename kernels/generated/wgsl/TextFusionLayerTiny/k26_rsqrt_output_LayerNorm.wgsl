// k26_rsqrt_output_LayerNorm — contains a reduction and would be recomputed for every read by broadcast; fuses 9 op(s)
// fiberc pointwise kernel: one invocation per output element; reductions are loops.
@group(0) @binding(0) var<storage, read_write> buf52: array<f32>;
@group(0) @binding(1) var<storage, read> buf50: array<f32>;
@group(0) @binding(2) var<storage, read> buf51: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let flat = i32(gid.x + gid.y * groups.x * 64u);
  if (flat >= 16) {
    return;
  }
  let i0 = flat / 8;
  let i1 = flat % 8;
  var acc0: f32 = 0.0;
  let s2: f32 = buf51[i0 * 8 + i1];
  for (var r0: i32 = 0; r0 < 32; r0++) {
    let s1: f32 = buf50[i0 * 256 + i1 * 32 + r0];
    let s3: f32 = s1 - s2;
    let s4: f32 = s3 * s3;
    acc0 = acc0 + s4;
  }
  let s5: f32 = acc0 / f32(32.0);
  let s6: f32 = s5 + f32(0.00001);
  let s7: f32 = inverseSqrt(s6);
  buf52[flat] = s7;
}

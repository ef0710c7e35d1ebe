// k9_matmul_crossattention_query — matmul result is re-read downstream by reshape -> binary -> reshape -> permute -> binary -> matmul; fuses 3 op(s)
// fiberc pointwise kernel: one invocation per output element; reductions are loops.
@group(0) @binding(0) var<storage, read_write> buf21: array<f32>;
@group(0) @binding(1) var<storage, read> buf18: array<f32>;
@group(0) @binding(2) var<storage, read> arena0: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let flat = i32(gid.x + gid.y * groups.x * 64u);
  if (flat >= 512) {
    return;
  }
  let i0 = flat / 32;
  let i1 = flat % 32;
  var acc0: f32 = 0.0;
  for (var r0: i32 = 0; r0 < 32; r0++) {
    let s1: f32 = buf18[((i0) % 8) * 32 + ((i0 * 32 + r0) / 256) * 256 + r0];
    let s2: f32 = arena0[4228 + i1 * 32 + r0];
    let s3: f32 = s1 * s2;
    acc0 = acc0 + s3;
  }
  buf21[flat] = acc0;
}

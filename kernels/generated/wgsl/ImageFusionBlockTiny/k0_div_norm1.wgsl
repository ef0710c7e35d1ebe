// k0_div_norm1 — contains a reduction and would be recomputed for every read by broadcast; fuses 3 op(s)
// fiberc pointwise kernel: one invocation per output element; reductions are loops.
@group(0) @binding(0) var<storage, read_write> buf1: array<f32>;
@group(0) @binding(1) var<storage, read> buf0: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let flat = i32(gid.x + gid.y * groups.x * 64u);
  if (flat >= 32) {
    return;
  }
  let i0 = flat / 16;
  let i1 = flat % 16;
  var acc0: f32 = 0.0;
  for (var r0: i32 = 0; r0 < 32; r0++) {
    let s1: f32 = buf0[i0 * 512 + i1 * 32 + r0];
    acc0 = acc0 + s1;
  }
  let s2: f32 = acc0 / f32(32.0);
  buf1[flat] = s2;
}

// k3_add_attn_qkv — contains a reduction and would be recomputed for every read by reshape -> permute (used 3 times); fuses 13 op(s)
// fiberc pointwise kernel: one invocation per output element; reductions are loops.
@group(0) @binding(0) var<storage, read_write> buf8: array<f32>;
@group(0) @binding(1) var<storage, read> buf5: array<f32>;
@group(0) @binding(2) var<storage, read> arena0: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let flat = i32(gid.x + gid.y * groups.x * 64u);
  if (flat >= 3072) {
    return;
  }
  let i0 = flat / 384;
  let i1 = flat / 96 % 4;
  let i2 = flat % 96;
  var acc0: f32 = 0.0;
  for (var r0: i32 = 0; r0 < 32; r0++) {
    let s1: f32 = buf5[((i0 * 128 + i1 * 32 + r0) / 512) * 512 + ((((((i0 * 128 + i1 * 32 + r0) / 256)) % 2) * 2 + ((i1 * 32 + r0) / 64) + 1) % 4) * 128 + ((((i0) % 2) * 2 + ((i1) % 2) + 1) % 4) * 32 + r0];
    let s2: f32 = arena0[64 + i2 * 32 + r0];
    let s3: f32 = s1 * s2;
    acc0 = acc0 + s3;
  }
  let s4: f32 = arena0[3136 + i2];
  let s5: f32 = acc0 + s4;
  buf8[flat] = s5;
}

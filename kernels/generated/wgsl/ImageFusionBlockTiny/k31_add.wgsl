// k31_add — graph output "out"; fuses 8 op(s)
// fiberc pointwise kernel: one invocation per output element; reductions are loops.
@group(0) @binding(0) var<storage, read_write> buf56: array<f32>;
@group(0) @binding(1) var<storage, read> buf44: array<f32>;
@group(0) @binding(2) var<storage, read> buf53: array<f32>;
@group(0) @binding(3) var<storage, read> arena0: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let flat = i32(gid.x + gid.y * groups.x * 64u);
  if (flat >= 1024) {
    return;
  }
  let i0 = flat / 512;
  let i1 = flat / 32 % 16;
  let i2 = flat % 32;
  let s0: f32 = buf44[i0 * 512 + i1 * 32 + i2];
  var acc1: f32 = 0.0;
  for (var r0: i32 = 0; r0 < 128; r0++) {
    let s2: f32 = buf53[i0 * 2048 + i1 * 128 + r0];
    let s3: f32 = arena0[12888 + i2 * 128 + r0];
    let s4: f32 = s2 * s3;
    acc1 = acc1 + s4;
  }
  let s5: f32 = arena0[16984 + i2];
  let s6: f32 = acc1 + s5;
  let s7: f32 = s0 + s6;
  buf56[flat] = s7;
}

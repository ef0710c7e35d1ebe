// k27_add_output_LayerNorm — graph output "out"; fuses 10 op(s)
// fiberc pointwise kernel: one invocation per output element; reductions are loops.
@group(0) @binding(0) var<storage, read_write> buf55: array<f32>;
@group(0) @binding(1) var<storage, read> buf50: array<f32>;
@group(0) @binding(2) var<storage, read> buf51: array<f32>;
@group(0) @binding(3) var<storage, read> buf52: array<f32>;
@group(0) @binding(4) var<storage, read> arena0: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let flat = i32(gid.x + gid.y * groups.x * 64u);
  if (flat >= 512) {
    return;
  }
  let i0 = flat / 256;
  let i1 = flat / 32 % 8;
  let i2 = flat % 32;
  let s0: f32 = buf50[i0 * 256 + i1 * 32 + i2];
  let s1: f32 = buf51[i0 * 8 + i1];
  let s2: f32 = s0 - s1;
  let s3: f32 = buf52[i0 * 8 + i1];
  let s4: f32 = s2 * s3;
  let s5: f32 = arena0[12708 + i2];
  let s6: f32 = s4 * s5;
  let s7: f32 = arena0[12740 + i2];
  let s8: f32 = s6 + s7;
  buf55[flat] = s8;
}

// k5_add_attn — used by 2 consumers and contains a reduction; fuses 52 op(s)
// fiberc pointwise kernel: one invocation per output element; reductions are loops.
@group(0) @binding(0) var<storage, read_write> buf11: array<f32>;
@group(0) @binding(1) var<storage, read> buf7: array<f32>;
@group(0) @binding(2) var<storage, read> arena0: array<f32>;
@group(0) @binding(3) var<storage, read> buf10: array<f32>;

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
    let s1: f32 = buf7[i0 * 1536 + i1 * 384 + i2 * 16 + i3 * 96 + r0];
    let s2: f32 = arena0[3136 + i2 * 16 + r0];
    let s3: f32 = s1 + s2;
    let s4: f32 = s3 * f32(0.25);
    let s5: f32 = buf7[i0 * 1536 + i1 * 384 + i2 * 16 + i4 * 96 + r0 + 32];
    let s6: f32 = arena0[3136 + i2 * 16 + r0 + 32];
    let s7: f32 = s5 + s6;
    let s8: f32 = s4 * s7;
    acc0 = acc0 + s8;
  }
  let s9: f32 = buf10[i2 + i3 * 8 + i4 * 2];
  let s10: i32 = (((i3) / 2) + ((i1 * 4 + i3) / 8) * 2);
  let s11: i32 = select(0i, 1i, s10 >= i32(2));
  let s12: i32 = select(0i, 1i, s10 >= i32(3));
  let s13: i32 = s11 + s12;
  let s14: i32 = s13 * i32(3);
  let s15: i32 = (((i1) % 2) * 2 + ((i3) % 2));
  let s16: i32 = select(0i, 1i, s15 >= i32(2));
  let s17: i32 = s14 + s16;
  let s18: i32 = select(0i, 1i, s15 >= i32(3));
  let s19: i32 = s17 + s18;
  let s20: f32 = f32(s19);
  let s21: i32 = (((i4) / 2) + ((i1 * 4 + i4) / 8) * 2);
  let s22: i32 = select(0i, 1i, s21 >= i32(2));
  let s23: i32 = select(0i, 1i, s21 >= i32(3));
  let s24: i32 = s22 + s23;
  let s25: i32 = s24 * i32(3);
  let s26: i32 = (((i1) % 2) * 2 + ((i4) % 2));
  let s27: i32 = select(0i, 1i, s26 >= i32(2));
  let s28: i32 = s25 + s27;
  let s29: i32 = select(0i, 1i, s26 >= i32(3));
  let s30: i32 = s28 + s29;
  let s31: f32 = f32(s30);
  let s32: f32 = select(0.0, 1.0, s20 != s31);
  let s33: f32 = select(f32(0.0), f32(-100.0), s32 != 0.0);
  let s34: f32 = s9 + s33;
  let s35: f32 = acc0 + s34;
  buf11[flat] = s35;
}

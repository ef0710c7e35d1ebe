// k0_div_norm1__k31 — end of the graph
// fiberc owner-phased kernel: one workgroup per owner (batch element) runs every phase for
// its owner's part of each tensor; barriers separate the phases. The planner proved that no
// phase reads another owner's part of anything an earlier phase wrote.
@group(0) @binding(0) var<storage, read_write> arena0: array<f32>;
@group(0) @binding(1) var<storage, read> buf0: array<f32>;
@group(0) @binding(2) var<storage, read> arena1: array<f32>;
@group(0) @binding(3) var<storage, read_write> arena2: array<i32>;
@group(0) @binding(4) var<storage, read> buf31: array<f32>;
@group(0) @binding(5) var<storage, read> buf35: array<f32>;
@group(0) @binding(6) var<storage, read_write> buf56: array<f32>;

fn fib_erf(x: f32) -> f32 {
  let t = 1.0 / (1.0 + 0.3275911 * abs(x));
  let y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * exp(-x * x);
  return select(-y, y, x >= 0.0);
}

fn fib_idiv(a: i32, b: i32) -> i32 {
  let q = a / b;
  return select(q, q - 1, (a % b != 0) && ((a < 0) != (b < 0)));
}

fn fib_imod(a: i32, b: i32) -> i32 {
  let r = a % b;
  return select(r, r + b, r != 0 && ((r < 0) != (b < 0)));
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_index) lid: u32) {
  let owner = i32(wid.x + wid.y * groups.x);
  // 0 at run time (z is always 1) but opaque to the shader compiler: reduction loops that end
  // at `n + fib_z` are not unrolled (unrolled, a FIBER layer took lavapipe 80 s to compile).
  let fib_z = i32(groups.z) - 1;
  if (owner >= 2) {
    return;
  }

  // phase 0: k0_div_norm1 (3 op(s); alone it would end because: contains a reduction and would be recomputed for every read by broadcast)
  for (var e = i32(lid); e < 16; e += 64) {
    let flat = owner * 16 + e;
    let i0 = flat / 16;
    let i1 = flat % 16;
    var acc0: f32 = 0.0;
    for (var r0: i32 = 0; r0 < 32 + fib_z; r0++) {
      let s1: f32 = buf0[i0 * 512 + i1 * 32 + r0];
      acc0 = acc0 + s1;
    }
    let s2: f32 = acc0 / f32(32.0);
    arena0[flat] = s2;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 1: k1_rsqrt_norm1 (9 op(s); alone it would end because: contains a reduction and would be recomputed for every read by broadcast)
  for (var e = i32(lid); e < 16; e += 64) {
    let flat = owner * 16 + e;
    let i0 = flat / 16;
    let i1 = flat % 16;
    var acc0: f32 = 0.0;
    let s2: f32 = arena0[i0 * 16 + i1];
    for (var r0: i32 = 0; r0 < 32 + fib_z; r0++) {
      let s1: f32 = buf0[i0 * 512 + i1 * 32 + r0];
      let s3: f32 = s1 - s2;
      let s4: f32 = s3 * s3;
      acc0 = acc0 + s4;
    }
    let s5: f32 = acc0 / f32(32.0);
    let s6: f32 = s5 + f32(0.00001);
    let s7: f32 = inverseSqrt(s6);
    arena0[32 + flat] = s7;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 2: k2_add_norm1 (10 op(s); alone it would end because: would be recomputed for every read by reshape -> roll -> roll -> reshape -> permute -> reshape -> reshape -> matmul)
  for (var e = i32(lid); e < 512; e += 64) {
    let flat = owner * 512 + e;
    let i0 = flat / 512;
    let i1 = flat / 32 % 16;
    let i2 = flat % 32;
    let s0: f32 = buf0[i0 * 512 + i1 * 32 + i2];
    let s1: f32 = arena0[i0 * 16 + i1];
    let s2: f32 = s0 - s1;
    let s3: f32 = arena0[32 + i0 * 16 + i1];
    let s4: f32 = s2 * s3;
    let s5: f32 = arena1[i2];
    let s6: f32 = s4 * s5;
    let s7: f32 = arena1[32 + i2];
    let s8: f32 = s6 + s7;
    arena0[64 + flat] = s8;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 3: k3_add_attn_qkv (13 op(s); alone it would end because: contains a reduction and would be recomputed for every read by reshape -> permute (used 3 times))
  for (var e = i32(lid); e < 1536; e += 64) {
    let flat = owner * 1536 + e;
    let i0 = flat / 384;
    let i1 = flat / 96 % 4;
    let i2 = flat % 96;
    var acc0: f32 = 0.0;
    for (var r0: i32 = 0; r0 < 32 + fib_z; r0++) {
      let s1: f32 = arena0[64 + ((i0) / 4) * 512 + ((((((i0) / 2)) % 2) * 2 + ((i1) / 2) + 1) % 4) * 128 + ((((i0) % 2) * 2 + ((i1) % 2) + 1) % 4) * 32 + r0];
      let s2: f32 = arena1[64 + i2 * 32 + r0];
      let s3: f32 = s1 * s2;
      acc0 = acc0 + s3;
    }
    let s4: f32 = arena1[3136 + i2];
    let s5: f32 = acc0 + s4;
    arena0[1088 + flat] = s5;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 4: k4_add_attn (19 op(s); depends on no input: every workgroup computes its own copy; alone it would end because: would be recomputed for every read by gather)
  for (var e = i32(lid); e < 16; e += 64) {
    let flat = e;
    let i0 = flat / 4;
    let i1 = flat % 4;
    let s0: i32 = (i0);
    let s1: i32 = fib_idiv(s0, i32(2));
    let s2: i32 = (i1);
    let s3: i32 = fib_idiv(s2, i32(2));
    let s4: i32 = s1 - s3;
    let s5: i32 = s4 + i32(1);
    let s6: i32 = s5 * i32(3);
    let s7: i32 = fib_imod(s0, i32(2));
    let s8: i32 = fib_imod(s2, i32(2));
    let s9: i32 = s7 - s8;
    let s10: i32 = s9 + i32(1);
    let s11: i32 = s6 + s10;
    arena2[owner * 16 + flat] = s11;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 5: k5_gather_attn (1 op(s); depends on no input: every workgroup computes its own copy; alone it would end because: gather result is re-read downstream by permute -> reshape -> broadcast)
  for (var e = i32(lid); e < 32; e += 64) {
    let flat = e;
    let i0 = flat / 8;
    let i1 = flat / 2 % 4;
    let i2 = flat % 2;
    let s0: i32 = arena2[owner * 16 + i0 * 4 + i1];
    let v1 = s0;
    let s1: f32 = arena1[3232 + i2 + v1 * 2];
    let s2: f32 = select(0.0, s1, (v1) >= 0 && (v1) < 9);
    arena0[4160 + owner * 32 + flat] = s2;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 6: k6_cast_attn (16 op(s); depends on no input: every workgroup computes its own copy; alone it would end because: would be recomputed for every read by reshape -> reshape -> permute -> reshape -> reshape (used 2 times))
  for (var e = i32(lid); e < 16; e += 64) {
    let flat = e;
    let i0 = flat / 4;
    let i1 = flat % 4;
    let s0: i32 = (i0);
    let s1: i32 = select(0i, 1i, s0 >= i32(2));
    let s2: i32 = select(0i, 1i, s0 >= i32(3));
    let s3: i32 = s1 + s2;
    let s4: i32 = s3 * i32(3);
    let s5: i32 = (i1);
    let s6: i32 = select(0i, 1i, s5 >= i32(2));
    let s7: i32 = s4 + s6;
    let s8: i32 = select(0i, 1i, s5 >= i32(3));
    let s9: i32 = s7 + s8;
    let s10: f32 = f32(s9);
    arena0[4224 + owner * 16 + flat] = s10;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 7: k7_where_attn (13 op(s); depends on no input: every workgroup computes its own copy; alone it would end because: would be recomputed for every read by reshape -> broadcast)
  for (var e = i32(lid); e < 64; e += 64) {
    let flat = e;
    let i0 = flat / 16;
    let i1 = flat / 4 % 4;
    let i2 = flat % 4;
    let s0: f32 = arena0[4224 + owner * 16 + ((i0) % 2) * 2 + ((i0) / 2) * 8 + ((i1) % 2) + ((i1) / 2) * 4];
    let s1: f32 = arena0[4224 + owner * 16 + ((i0) % 2) * 2 + ((i0) / 2) * 8 + ((i2) % 2) + ((i2) / 2) * 4];
    let s2: f32 = select(0.0, 1.0, s0 != s1);
    let s3: f32 = select(f32(0.0), f32(-100.0), s2 != 0.0);
    arena0[4256 + owner * 64 + flat] = s3;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 8: k8_add_attn (19 op(s); alone it would end because: used by 2 consumers and contains a reduction)
  for (var e = i32(lid); e < 128; e += 64) {
    let flat = owner * 128 + e;
    let i0 = flat / 128;
    let i1 = flat / 32 % 4;
    let i2 = flat / 16 % 2;
    let i3 = flat / 4 % 4;
    let i4 = flat % 4;
    var acc0: f32 = 0.0;
    for (var r0: i32 = 0; r0 < 16 + fib_z; r0++) {
      let s1: f32 = arena0[1088 + i0 * 1536 + i1 * 384 + i2 * 16 + i3 * 96 + r0];
      let s2: f32 = s1 * f32(0.25);
      let s3: f32 = arena0[1088 + i0 * 1536 + i1 * 384 + i2 * 16 + i4 * 96 + r0 + 32];
      let s4: f32 = s2 * s3;
      acc0 = acc0 + s4;
    }
    let s5: f32 = arena0[4160 + owner * 32 + i2 + i3 * 8 + i4 * 2];
    let s6: f32 = arena0[4256 + owner * 64 + i1 * 16 + i3 * 4 + i4];
    let s7: f32 = s5 + s6;
    let s8: f32 = acc0 + s7;
    arena0[4384 + flat] = s8;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 9: k9_reduce_max_attn (1 op(s); alone it would end because: reduce result is re-read downstream by broadcast)
  for (var e = i32(lid); e < 32; e += 64) {
    let flat = owner * 32 + e;
    let i0 = flat / 32;
    let i1 = flat / 8 % 4;
    let i2 = flat / 4 % 2;
    let i3 = flat % 4;
    var acc0: f32 = bitcast<f32>(0xff7fffffu);
    for (var r0: i32 = 0; r0 < 4 + fib_z; r0++) {
      let s1: f32 = arena0[4384 + i0 * 128 + i1 * 32 + i2 * 16 + i3 * 4 + r0];
      acc0 = max(acc0, s1);
    }
    arena0[4640 + flat] = acc0;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 10: k10_reduce_sum_attn (4 op(s); alone it would end because: reduce result is re-read downstream by broadcast)
  for (var e = i32(lid); e < 32; e += 64) {
    let flat = owner * 32 + e;
    let i0 = flat / 32;
    let i1 = flat / 8 % 4;
    let i2 = flat / 4 % 2;
    let i3 = flat % 4;
    var acc0: f32 = 0.0;
    let s2: f32 = arena0[4640 + i0 * 32 + i1 * 8 + i2 * 4 + i3];
    for (var r0: i32 = 0; r0 < 4 + fib_z; r0++) {
      let s1: f32 = arena0[4384 + i0 * 128 + i1 * 32 + i2 * 16 + i3 * 4 + r0];
      let s3: f32 = s1 - s2;
      let s4: f32 = exp(s3);
      acc0 = acc0 + s4;
    }
    arena0[4704 + flat] = acc0;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 11: k11_div_attn (5 op(s); alone it would end because: would be recomputed for every read by reshape -> matmul)
  for (var e = i32(lid); e < 128; e += 64) {
    let flat = owner * 128 + e;
    let i0 = flat / 128;
    let i1 = flat / 32 % 4;
    let i2 = flat / 16 % 2;
    let i3 = flat / 4 % 4;
    let i4 = flat % 4;
    let s0: f32 = arena0[4384 + i0 * 128 + i1 * 32 + i2 * 16 + i3 * 4 + i4];
    let s1: f32 = arena0[4640 + i0 * 32 + i1 * 8 + i2 * 4 + i3];
    let s2: f32 = s0 - s1;
    let s3: f32 = exp(s2);
    let s4: f32 = arena0[4704 + i0 * 32 + i1 * 8 + i2 * 4 + i3];
    let s5: f32 = s3 / s4;
    arena0[4768 + flat] = s5;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 12: k12_matmul_attn (6 op(s); alone it would end because: matmul result is re-read downstream by permute -> reshape -> reshape -> matmul)
  for (var e = i32(lid); e < 512; e += 64) {
    let flat = owner * 512 + e;
    let i0 = flat / 128;
    let i1 = flat / 64 % 2;
    let i2 = flat / 16 % 4;
    let i3 = flat % 16;
    var acc0: f32 = 0.0;
    for (var r0: i32 = 0; r0 < 4 + fib_z; r0++) {
      let s1: f32 = arena0[4768 + ((i0) % 4) * 32 + ((i0) / 4) * 128 + i1 * 16 + i2 * 4 + r0];
      let s2: f32 = arena0[1088 + i0 * 384 + i1 * 16 + i3 + r0 * 96 + 64];
      let s3: f32 = s1 * s2;
      acc0 = acc0 + s3;
    }
    arena0[5024 + flat] = acc0;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 13: k13_add_attn_proj (9 op(s); alone it would end because: contains a reduction and would be recomputed for every read by reshape -> permute -> reshape -> roll -> roll -> reshape (used 3 times))
  for (var e = i32(lid); e < 512; e += 64) {
    let flat = owner * 512 + e;
    let i0 = flat / 128;
    let i1 = flat / 32 % 4;
    let i2 = flat % 32;
    var acc0: f32 = 0.0;
    for (var r0: i32 = 0; r0 < 32 + fib_z; r0++) {
      let s1: f32 = arena0[5024 + ((r0) % 16) + ((r0) / 16) * 64 + i0 * 128 + i1 * 16];
      let s2: f32 = arena1[3252 + i2 * 32 + r0];
      let s3: f32 = s1 * s2;
      acc0 = acc0 + s3;
    }
    let s4: f32 = arena1[4276 + i2];
    let s5: f32 = acc0 + s4;
    arena0[6048 + flat] = s5;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 14: k14_div_i2t_norm (9 op(s); alone it would end because: contains a reduction and would be recomputed for every read by broadcast)
  for (var e = i32(lid); e < 16; e += 64) {
    let flat = owner * 16 + e;
    let i0 = flat / 16;
    let i1 = flat % 16;
    var acc0: f32 = 0.0;
    for (var r0: i32 = 0; r0 < 32 + fib_z; r0++) {
      let s1: f32 = arena0[6048 + ((((((i1) % 4) + 3) % 4)) % 2) * 32 + ((((((i1) % 4) + 3) % 4)) / 2) * 128 + ((((((i1) / 4) + 3) % 4)) % 2) * 64 + ((((((i1) / 4) + 3) % 4)) / 2) * 256 + i0 * 512 + r0];
      acc0 = acc0 + s1;
    }
    let s2: f32 = acc0 / f32(32.0);
    arena0[7072 + flat] = s2;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 15: k15_rsqrt_i2t_norm (15 op(s); alone it would end because: contains a reduction and would be recomputed for every read by broadcast)
  for (var e = i32(lid); e < 16; e += 64) {
    let flat = owner * 16 + e;
    let i0 = flat / 16;
    let i1 = flat % 16;
    var acc0: f32 = 0.0;
    let s2: f32 = arena0[7072 + i0 * 16 + i1];
    for (var r0: i32 = 0; r0 < 32 + fib_z; r0++) {
      let s1: f32 = arena0[6048 + ((((((i1) % 4) + 3) % 4)) % 2) * 32 + ((((((i1) % 4) + 3) % 4)) / 2) * 128 + ((((((i1) / 4) + 3) % 4)) % 2) * 64 + ((((((i1) / 4) + 3) % 4)) / 2) * 256 + i0 * 512 + r0];
      let s3: f32 = s1 - s2;
      let s4: f32 = s3 * s3;
      acc0 = acc0 + s4;
    }
    let s5: f32 = acc0 / f32(32.0);
    let s6: f32 = s5 + f32(0.00001);
    let s7: f32 = inverseSqrt(s6);
    arena0[7104 + flat] = s7;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 16: k16_add_i2t_norm (16 op(s); alone it would end because: would be recomputed for every read by reshape -> matmul)
  for (var e = i32(lid); e < 512; e += 64) {
    let flat = owner * 512 + e;
    let i0 = flat / 512;
    let i1 = flat / 32 % 16;
    let i2 = flat % 32;
    let s0: f32 = arena0[6048 + ((((((i1) % 4) + 3) % 4)) % 2) * 32 + ((((((i1) % 4) + 3) % 4)) / 2) * 128 + ((((((i1) / 4) + 3) % 4)) % 2) * 64 + ((((((i1) / 4) + 3) % 4)) / 2) * 256 + i0 * 512 + i2];
    let s1: f32 = arena0[7072 + i0 * 16 + i1];
    let s2: f32 = s0 - s1;
    let s3: f32 = arena0[7104 + i0 * 16 + i1];
    let s4: f32 = s2 * s3;
    let s5: f32 = arena1[4312 + i2];
    let s6: f32 = s4 * s5;
    let s7: f32 = arena1[4344 + i2];
    let s8: f32 = s6 + s7;
    arena0[7136 + flat] = s8;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 17: k17_mul_i2t (11 op(s); alone it would end because: contains a reduction and would be recomputed for every read by matmul)
  for (var e = i32(lid); e < 512; e += 64) {
    let flat = owner * 512 + e;
    let i0 = flat / 512;
    let i1 = flat / 256 % 2;
    let i2 = flat / 16 % 16;
    let i3 = flat % 16;
    var acc0: f32 = 0.0;
    for (var r0: i32 = 0; r0 < 32 + fib_z; r0++) {
      let s1: f32 = arena0[7136 + i0 * 512 + i2 * 32 + r0];
      let s2: f32 = arena1[4376 + i1 * 512 + i3 * 32 + r0];
      let s3: f32 = s1 * s2;
      acc0 = acc0 + s3;
    }
    let s4: f32 = arena1[5400 + i1 * 16 + i3];
    let s5: f32 = acc0 + s4;
    let s6: f32 = s5 * f32(0.25);
    arena0[8160 + flat] = s6;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 18: k18_add_i2t_kv_text (7 op(s); alone it would end because: contains a reduction and would be recomputed for every read by reshape -> permute (used 2 times))
  for (var e = i32(lid); e < 512; e += 64) {
    let flat = owner * 512 + e;
    let i0 = flat / 512;
    let i1 = flat / 64 % 8;
    let i2 = flat % 64;
    var acc0: f32 = 0.0;
    for (var r0: i32 = 0; r0 < 32 + fib_z; r0++) {
      let s1: f32 = buf31[i0 * 256 + i1 * 32 + r0];
      let s2: f32 = arena1[5432 + i2 * 32 + r0];
      let s3: f32 = s1 * s2;
      acc0 = acc0 + s3;
    }
    let s4: f32 = arena1[7480 + i2];
    let s5: f32 = acc0 + s4;
    arena0[9184 + flat] = s5;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 19: k19_mul_i2t (4 op(s); alone it would end because: would be recomputed for every read by reshape -> broadcast)
  for (var e = i32(lid); e < 8; e += 64) {
    let flat = owner * 8 + e;
    let i0 = flat / 8;
    let i1 = flat % 8;
    let s0: f32 = buf35[i0 * 8 + i1];
    let s1: f32 = f32(1.0) - s0;
    let s2: f32 = s1 * f32(-10000.0);
    arena0[10208 + flat] = s2;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 20: k20_add_i2t (9 op(s); alone it would end because: used by 2 consumers and contains a reduction)
  for (var e = i32(lid); e < 256; e += 64) {
    let flat = owner * 256 + e;
    let i0 = flat / 256;
    let i1 = flat / 128 % 2;
    let i2 = flat / 8 % 16;
    let i3 = flat % 8;
    var acc0: f32 = 0.0;
    for (var r0: i32 = 0; r0 < 16 + fib_z; r0++) {
      let s1: f32 = arena0[8160 + i0 * 512 + i1 * 256 + i2 * 16 + r0];
      let s2: f32 = arena0[9184 + i0 * 512 + i1 * 16 + i3 * 64 + r0];
      let s3: f32 = s1 * s2;
      acc0 = acc0 + s3;
    }
    let s4: f32 = arena0[10208 + i0 * 8 + i3];
    let s5: f32 = acc0 + s4;
    arena0[10224 + flat] = s5;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 21: k21_reduce_max_i2t (1 op(s); alone it would end because: reduce result is re-read downstream by broadcast)
  for (var e = i32(lid); e < 32; e += 64) {
    let flat = owner * 32 + e;
    let i0 = flat / 32;
    let i1 = flat / 16 % 2;
    let i2 = flat % 16;
    var acc0: f32 = bitcast<f32>(0xff7fffffu);
    for (var r0: i32 = 0; r0 < 8 + fib_z; r0++) {
      let s1: f32 = arena0[10224 + i0 * 256 + i1 * 128 + i2 * 8 + r0];
      acc0 = max(acc0, s1);
    }
    arena0[10736 + flat] = acc0;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 22: k22_reduce_sum_i2t (4 op(s); alone it would end because: reduce result is re-read downstream by broadcast)
  for (var e = i32(lid); e < 32; e += 64) {
    let flat = owner * 32 + e;
    let i0 = flat / 32;
    let i1 = flat / 16 % 2;
    let i2 = flat % 16;
    var acc0: f32 = 0.0;
    let s2: f32 = arena0[10736 + i0 * 32 + i1 * 16 + i2];
    for (var r0: i32 = 0; r0 < 8 + fib_z; r0++) {
      let s1: f32 = arena0[10224 + i0 * 256 + i1 * 128 + i2 * 8 + r0];
      let s3: f32 = s1 - s2;
      let s4: f32 = exp(s3);
      acc0 = acc0 + s4;
    }
    arena0[10800 + flat] = acc0;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 23: k23_div_i2t (5 op(s); alone it would end because: would be recomputed for every read by matmul)
  for (var e = i32(lid); e < 256; e += 64) {
    let flat = owner * 256 + e;
    let i0 = flat / 256;
    let i1 = flat / 128 % 2;
    let i2 = flat / 8 % 16;
    let i3 = flat % 8;
    let s0: f32 = arena0[10224 + i0 * 256 + i1 * 128 + i2 * 8 + i3];
    let s1: f32 = arena0[10736 + i0 * 32 + i1 * 16 + i2];
    let s2: f32 = s0 - s1;
    let s3: f32 = exp(s2);
    let s4: f32 = arena0[10800 + i0 * 32 + i1 * 16 + i2];
    let s5: f32 = s3 / s4;
    arena0[10864 + flat] = s5;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 24: k24_matmul_i2t (5 op(s); alone it would end because: matmul result is re-read downstream by permute -> reshape -> reshape -> matmul)
  for (var e = i32(lid); e < 512; e += 64) {
    let flat = owner * 512 + e;
    let i0 = flat / 512;
    let i1 = flat / 256 % 2;
    let i2 = flat / 16 % 16;
    let i3 = flat % 16;
    var acc0: f32 = 0.0;
    for (var r0: i32 = 0; r0 < 8 + fib_z; r0++) {
      let s1: f32 = arena0[10864 + i0 * 256 + i1 * 128 + i2 * 8 + r0];
      let s2: f32 = arena0[9184 + i0 * 512 + i1 * 16 + i3 + r0 * 64 + 32];
      let s3: f32 = s1 * s2;
      acc0 = acc0 + s3;
    }
    arena0[11376 + flat] = acc0;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 25: k25_add (20 op(s); alone it would end because: used by 3 consumers and contains a reduction)
  for (var e = i32(lid); e < 512; e += 64) {
    let flat = owner * 512 + e;
    let i0 = flat / 512;
    let i1 = flat / 32 % 16;
    let i2 = flat % 32;
    let s0: f32 = buf0[i0 * 512 + i1 * 32 + i2];
    let s1: f32 = arena0[6048 + ((((((i1) % 4) + 3) % 4)) % 2) * 32 + ((((((i1) % 4) + 3) % 4)) / 2) * 128 + ((((((i1) / 4) + 3) % 4)) % 2) * 64 + ((((((i1) / 4) + 3) % 4)) / 2) * 256 + i0 * 512 + i2];
    let s2: f32 = s0 + s1;
    let s3: f32 = arena1[4308 + 0];
    var acc4: f32 = 0.0;
    for (var r0: i32 = 0; r0 < 32 + fib_z; r0++) {
      let s5: f32 = arena0[11376 + ((r0) % 16) + ((r0) / 16) * 256 + i0 * 512 + i1 * 16];
      let s6: f32 = arena1[7544 + i2 * 32 + r0];
      let s7: f32 = s5 * s6;
      acc4 = acc4 + s7;
    }
    let s8: f32 = arena1[8568 + i2];
    let s9: f32 = acc4 + s8;
    let s10: f32 = s3 * s9;
    let s11: f32 = s2 + s10;
    arena0[12400 + flat] = s11;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 26: k26_div_norm2 (3 op(s); alone it would end because: contains a reduction and would be recomputed for every read by broadcast)
  for (var e = i32(lid); e < 16; e += 64) {
    let flat = owner * 16 + e;
    let i0 = flat / 16;
    let i1 = flat % 16;
    var acc0: f32 = 0.0;
    for (var r0: i32 = 0; r0 < 32 + fib_z; r0++) {
      let s1: f32 = arena0[12400 + i0 * 512 + i1 * 32 + r0];
      acc0 = acc0 + s1;
    }
    let s2: f32 = acc0 / f32(32.0);
    arena0[13424 + flat] = s2;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 27: k27_rsqrt_norm2 (9 op(s); alone it would end because: contains a reduction and would be recomputed for every read by broadcast)
  for (var e = i32(lid); e < 16; e += 64) {
    let flat = owner * 16 + e;
    let i0 = flat / 16;
    let i1 = flat % 16;
    var acc0: f32 = 0.0;
    let s2: f32 = arena0[13424 + i0 * 16 + i1];
    for (var r0: i32 = 0; r0 < 32 + fib_z; r0++) {
      let s1: f32 = arena0[12400 + i0 * 512 + i1 * 32 + r0];
      let s3: f32 = s1 - s2;
      let s4: f32 = s3 * s3;
      acc0 = acc0 + s4;
    }
    let s5: f32 = acc0 / f32(32.0);
    let s6: f32 = s5 + f32(0.00001);
    let s7: f32 = inverseSqrt(s6);
    arena0[13456 + flat] = s7;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 28: k28_add_norm2 (10 op(s); alone it would end because: would be recomputed for every read by reshape -> matmul)
  for (var e = i32(lid); e < 512; e += 64) {
    let flat = owner * 512 + e;
    let i0 = flat / 512;
    let i1 = flat / 32 % 16;
    let i2 = flat % 32;
    let s0: f32 = arena0[12400 + i0 * 512 + i1 * 32 + i2];
    let s1: f32 = arena0[13424 + i0 * 16 + i1];
    let s2: f32 = s0 - s1;
    let s3: f32 = arena0[13456 + i0 * 16 + i1];
    let s4: f32 = s2 * s3;
    let s5: f32 = arena1[8600 + i2];
    let s6: f32 = s4 * s5;
    let s7: f32 = arena1[8632 + i2];
    let s8: f32 = s6 + s7;
    arena0[13488 + flat] = s8;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 29: k29_add_mlp_fc1 (7 op(s); alone it would end because: used by 2 consumers and contains a reduction)
  for (var e = i32(lid); e < 2048; e += 64) {
    let flat = owner * 2048 + e;
    let i0 = flat / 2048;
    let i1 = flat / 128 % 16;
    let i2 = flat % 128;
    var acc0: f32 = 0.0;
    for (var r0: i32 = 0; r0 < 32 + fib_z; r0++) {
      let s1: f32 = arena0[13488 + i0 * 512 + i1 * 32 + r0];
      let s2: f32 = arena1[8664 + i2 * 32 + r0];
      let s3: f32 = s1 * s2;
      acc0 = acc0 + s3;
    }
    let s4: f32 = arena1[12760 + i2];
    let s5: f32 = acc0 + s4;
    arena0[14512 + flat] = s5;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 30: k30_mul_mlp (8 op(s); alone it would end because: would be recomputed for every read by reshape -> matmul)
  for (var e = i32(lid); e < 2048; e += 64) {
    let flat = owner * 2048 + e;
    let i0 = flat / 2048;
    let i1 = flat / 128 % 16;
    let i2 = flat % 128;
    let s0: f32 = arena0[14512 + i0 * 2048 + i1 * 128 + i2];
    let s1: f32 = f32(0.5) * s0;
    let s2: f32 = s0 * f32(0.7071067811865476);
    let s3: f32 = fib_erf(s2);
    let s4: f32 = f32(1.0) + s3;
    let s5: f32 = s1 * s4;
    arena0[18608 + flat] = s5;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 31: k31_add (8 op(s); alone it would end because: graph output "out")
  for (var e = i32(lid); e < 512; e += 64) {
    let flat = owner * 512 + e;
    let i0 = flat / 512;
    let i1 = flat / 32 % 16;
    let i2 = flat % 32;
    let s0: f32 = arena0[12400 + i0 * 512 + i1 * 32 + i2];
    var acc1: f32 = 0.0;
    for (var r0: i32 = 0; r0 < 128 + fib_z; r0++) {
      let s2: f32 = arena0[18608 + i0 * 2048 + i1 * 128 + r0];
      let s3: f32 = arena1[12888 + i2 * 128 + r0];
      let s4: f32 = s2 * s3;
      acc1 = acc1 + s4;
    }
    let s5: f32 = arena1[16984 + i2];
    let s6: f32 = acc1 + s5;
    let s7: f32 = s0 + s6;
    buf56[flat] = s7;
  }
  storageBarrier();
  workgroupBarrier();
}

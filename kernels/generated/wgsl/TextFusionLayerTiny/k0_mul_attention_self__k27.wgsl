// k0_mul_attention_self__k27 — end of the graph
// fiberc owner-phased kernel: one workgroup per owner (batch element) runs every phase for
// its owner's part of each tensor; barriers separate the phases. The planner proved that no
// phase reads another owner's part of anything an earlier phase wrote.
@group(0) @binding(0) var<storage, read_write> arena1: array<f32>;
@group(0) @binding(1) var<storage, read> buf0: array<f32>;
@group(0) @binding(2) var<storage, read> arena0: array<f32>;
@group(0) @binding(3) var<storage, read> buf7: array<f32>;
@group(0) @binding(4) var<storage, read> buf24: array<f32>;
@group(0) @binding(5) var<storage, read_write> buf55: array<f32>;

fn fib_erf(x: f32) -> f32 {
  let t = 1.0 / (1.0 + 0.3275911 * abs(x));
  let y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * exp(-x * x);
  return select(-y, y, x >= 0.0);
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

  // phase 0: k0_mul_attention_self (11 op(s); alone it would end because: contains a reduction and would be recomputed for every read by matmul)
  for (var e = i32(lid); e < 256; e += 64) {
    let flat = owner * 256 + e;
    let i0 = flat / 256;
    let i1 = flat / 128 % 2;
    let i2 = flat / 16 % 8;
    let i3 = flat % 16;
    var acc0: f32 = 0.0;
    for (var r0: i32 = 0; r0 < 32 + fib_z; r0++) {
      let s1: f32 = buf0[i0 * 256 + i2 * 32 + r0];
      let s2: f32 = arena0[i1 * 512 + i3 * 32 + r0];
      let s3: f32 = s1 * s2;
      acc0 = acc0 + s3;
    }
    let s4: f32 = arena0[1024 + i1 * 16 + i3];
    let s5: f32 = acc0 + s4;
    let s6: f32 = s5 * f32(0.25);
    arena1[flat] = s6;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 1: k1_add_attention_self_key (7 op(s); alone it would end because: contains a reduction and would be recomputed for every read by reshape -> permute -> permute -> matmul)
  for (var e = i32(lid); e < 256; e += 64) {
    let flat = owner * 256 + e;
    let i0 = flat / 256;
    let i1 = flat / 32 % 8;
    let i2 = flat % 32;
    var acc0: f32 = 0.0;
    for (var r0: i32 = 0; r0 < 32 + fib_z; r0++) {
      let s1: f32 = buf0[i0 * 256 + i1 * 32 + r0];
      let s2: f32 = arena0[1056 + i2 * 32 + r0];
      let s3: f32 = s1 * s2;
      acc0 = acc0 + s3;
    }
    let s4: f32 = arena0[2080 + i2];
    let s5: f32 = acc0 + s4;
    arena1[512 + flat] = s5;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 2: k2_mul (4 op(s); alone it would end because: would be recomputed for every read by reshape -> broadcast)
  for (var e = i32(lid); e < 8; e += 64) {
    let flat = owner * 8 + e;
    let i0 = flat / 8;
    let i1 = flat % 8;
    let s0: f32 = buf7[i0 * 8 + i1];
    let s1: f32 = f32(1.0) - s0;
    let s2: f32 = s1 * f32(-10000.0);
    arena1[1024 + flat] = s2;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 3: k3_add_attention_self (7 op(s); alone it would end because: used by 2 consumers and contains a reduction)
  for (var e = i32(lid); e < 128; e += 64) {
    let flat = owner * 128 + e;
    let i0 = flat / 128;
    let i1 = flat / 64 % 2;
    let i2 = flat / 8 % 8;
    let i3 = flat % 8;
    var acc0: f32 = 0.0;
    for (var r0: i32 = 0; r0 < 16 + fib_z; r0++) {
      let s1: f32 = arena1[i0 * 256 + i1 * 128 + i2 * 16 + r0];
      let s2: f32 = arena1[512 + i0 * 256 + i1 * 16 + i3 * 32 + r0];
      let s3: f32 = s1 * s2;
      acc0 = acc0 + s3;
    }
    let s4: f32 = arena1[1024 + i0 * 8 + i3];
    let s5: f32 = acc0 + s4;
    arena1[1040 + flat] = s5;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 4: k4_reduce_max_attention_self (1 op(s); alone it would end because: reduce result is re-read downstream by broadcast)
  for (var e = i32(lid); e < 16; e += 64) {
    let flat = owner * 16 + e;
    let i0 = flat / 16;
    let i1 = flat / 8 % 2;
    let i2 = flat % 8;
    var acc0: f32 = bitcast<f32>(0xff7fffffu);
    for (var r0: i32 = 0; r0 < 8 + fib_z; r0++) {
      let s1: f32 = arena1[1040 + i0 * 128 + i1 * 64 + i2 * 8 + r0];
      acc0 = max(acc0, s1);
    }
    arena1[1296 + flat] = acc0;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 5: k5_reduce_sum_attention_self (4 op(s); alone it would end because: reduce result is re-read downstream by broadcast)
  for (var e = i32(lid); e < 16; e += 64) {
    let flat = owner * 16 + e;
    let i0 = flat / 16;
    let i1 = flat / 8 % 2;
    let i2 = flat % 8;
    var acc0: f32 = 0.0;
    let s2: f32 = arena1[1296 + i0 * 16 + i1 * 8 + i2];
    for (var r0: i32 = 0; r0 < 8 + fib_z; r0++) {
      let s1: f32 = arena1[1040 + i0 * 128 + i1 * 64 + i2 * 8 + r0];
      let s3: f32 = s1 - s2;
      let s4: f32 = exp(s3);
      acc0 = acc0 + s4;
    }
    arena1[1328 + flat] = acc0;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 6: k6_div_attention_self (5 op(s); alone it would end because: would be recomputed for every read by matmul)
  for (var e = i32(lid); e < 128; e += 64) {
    let flat = owner * 128 + e;
    let i0 = flat / 128;
    let i1 = flat / 64 % 2;
    let i2 = flat / 8 % 8;
    let i3 = flat % 8;
    let s0: f32 = arena1[1040 + i0 * 128 + i1 * 64 + i2 * 8 + i3];
    let s1: f32 = arena1[1296 + i0 * 16 + i1 * 8 + i2];
    let s2: f32 = s0 - s1;
    let s3: f32 = exp(s2);
    let s4: f32 = arena1[1328 + i0 * 16 + i1 * 8 + i2];
    let s5: f32 = s3 / s4;
    arena1[1360 + flat] = s5;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 7: k7_add_attention_self_value (7 op(s); alone it would end because: contains a reduction and would be recomputed for every read by reshape -> permute -> matmul)
  for (var e = i32(lid); e < 256; e += 64) {
    let flat = owner * 256 + e;
    let i0 = flat / 256;
    let i1 = flat / 32 % 8;
    let i2 = flat % 32;
    var acc0: f32 = 0.0;
    for (var r0: i32 = 0; r0 < 32 + fib_z; r0++) {
      let s1: f32 = buf0[i0 * 256 + i1 * 32 + r0];
      let s2: f32 = arena0[2112 + i2 * 32 + r0];
      let s3: f32 = s1 * s2;
      acc0 = acc0 + s3;
    }
    let s4: f32 = arena0[3136 + i2];
    let s5: f32 = acc0 + s4;
    arena1[1616 + flat] = s5;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 8: k8_matmul_attention_self (3 op(s); alone it would end because: matmul result is re-read downstream by permute -> reshape -> reshape -> matmul)
  for (var e = i32(lid); e < 256; e += 64) {
    let flat = owner * 256 + e;
    let i0 = flat / 256;
    let i1 = flat / 128 % 2;
    let i2 = flat / 16 % 8;
    let i3 = flat % 16;
    var acc0: f32 = 0.0;
    for (var r0: i32 = 0; r0 < 8 + fib_z; r0++) {
      let s1: f32 = arena1[1360 + i0 * 128 + i1 * 64 + i2 * 8 + r0];
      let s2: f32 = arena1[1616 + i0 * 256 + i1 * 16 + i3 + r0 * 32];
      let s3: f32 = s1 * s2;
      acc0 = acc0 + s3;
    }
    arena1[2128 + flat] = acc0;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 9: k9_add_attention_output_dense (9 op(s); alone it would end because: used by 2 consumers and contains a reduction)
  for (var e = i32(lid); e < 256; e += 64) {
    let flat = owner * 256 + e;
    let i0 = flat / 256;
    let i1 = flat / 32 % 8;
    let i2 = flat % 32;
    var acc0: f32 = 0.0;
    for (var r0: i32 = 0; r0 < 32 + fib_z; r0++) {
      let s1: f32 = arena1[2128 + ((r0) % 16) + ((r0) / 16) * 128 + i0 * 256 + i1 * 16];
      let s2: f32 = arena0[3168 + i2 * 32 + r0];
      let s3: f32 = s1 * s2;
      acc0 = acc0 + s3;
    }
    let s4: f32 = arena0[4192 + i2];
    let s5: f32 = acc0 + s4;
    arena1[2640 + flat] = s5;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 10: k10_mul_crossattention (11 op(s); alone it would end because: contains a reduction and would be recomputed for every read by matmul)
  for (var e = i32(lid); e < 256; e += 64) {
    let flat = owner * 256 + e;
    let i0 = flat / 256;
    let i1 = flat / 128 % 2;
    let i2 = flat / 16 % 8;
    let i3 = flat % 16;
    var acc0: f32 = 0.0;
    for (var r0: i32 = 0; r0 < 32 + fib_z; r0++) {
      let s1: f32 = arena1[2640 + i0 * 256 + i2 * 32 + r0];
      let s2: f32 = arena0[4228 + i1 * 512 + i3 * 32 + r0];
      let s3: f32 = s1 * s2;
      acc0 = acc0 + s3;
    }
    let s4: f32 = arena0[5252 + i1 * 16 + i3];
    let s5: f32 = acc0 + s4;
    let s6: f32 = s5 * f32(0.25);
    arena1[3152 + flat] = s6;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 11: k11_add_crossattention_key (7 op(s); alone it would end because: contains a reduction and would be recomputed for every read by reshape -> permute -> permute -> matmul)
  for (var e = i32(lid); e < 512; e += 64) {
    let flat = owner * 512 + e;
    let i0 = flat / 512;
    let i1 = flat / 32 % 16;
    let i2 = flat % 32;
    var acc0: f32 = 0.0;
    for (var r0: i32 = 0; r0 < 32 + fib_z; r0++) {
      let s1: f32 = buf24[i0 * 512 + i1 * 32 + r0];
      let s2: f32 = arena0[5284 + i2 * 32 + r0];
      let s3: f32 = s1 * s2;
      acc0 = acc0 + s3;
    }
    let s4: f32 = arena0[6308 + i2];
    let s5: f32 = acc0 + s4;
    arena1[3664 + flat] = s5;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 12: k12_add_crossattention (6 op(s); alone it would end because: used by 2 consumers and contains a reduction)
  for (var e = i32(lid); e < 256; e += 64) {
    let flat = owner * 256 + e;
    let i0 = flat / 256;
    let i1 = flat / 128 % 2;
    let i2 = flat / 16 % 8;
    let i3 = flat % 16;
    var acc0: f32 = 0.0;
    for (var r0: i32 = 0; r0 < 16 + fib_z; r0++) {
      let s1: f32 = arena1[3152 + i0 * 256 + i1 * 128 + i2 * 16 + r0];
      let s2: f32 = arena1[3664 + i0 * 512 + i1 * 16 + i3 * 32 + r0];
      let s3: f32 = s1 * s2;
      acc0 = acc0 + s3;
    }
    let s4: f32 = acc0 + f32(0.0);
    arena1[4688 + flat] = s4;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 13: k13_reduce_max_crossattention (1 op(s); alone it would end because: reduce result is re-read downstream by broadcast)
  for (var e = i32(lid); e < 16; e += 64) {
    let flat = owner * 16 + e;
    let i0 = flat / 16;
    let i1 = flat / 8 % 2;
    let i2 = flat % 8;
    var acc0: f32 = bitcast<f32>(0xff7fffffu);
    for (var r0: i32 = 0; r0 < 16 + fib_z; r0++) {
      let s1: f32 = arena1[4688 + i0 * 256 + i1 * 128 + i2 * 16 + r0];
      acc0 = max(acc0, s1);
    }
    arena1[5200 + flat] = acc0;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 14: k14_reduce_sum_crossattention (4 op(s); alone it would end because: reduce result is re-read downstream by broadcast)
  for (var e = i32(lid); e < 16; e += 64) {
    let flat = owner * 16 + e;
    let i0 = flat / 16;
    let i1 = flat / 8 % 2;
    let i2 = flat % 8;
    var acc0: f32 = 0.0;
    let s2: f32 = arena1[5200 + i0 * 16 + i1 * 8 + i2];
    for (var r0: i32 = 0; r0 < 16 + fib_z; r0++) {
      let s1: f32 = arena1[4688 + i0 * 256 + i1 * 128 + i2 * 16 + r0];
      let s3: f32 = s1 - s2;
      let s4: f32 = exp(s3);
      acc0 = acc0 + s4;
    }
    arena1[5232 + flat] = acc0;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 15: k15_div_crossattention (5 op(s); alone it would end because: would be recomputed for every read by matmul)
  for (var e = i32(lid); e < 256; e += 64) {
    let flat = owner * 256 + e;
    let i0 = flat / 256;
    let i1 = flat / 128 % 2;
    let i2 = flat / 16 % 8;
    let i3 = flat % 16;
    let s0: f32 = arena1[4688 + i0 * 256 + i1 * 128 + i2 * 16 + i3];
    let s1: f32 = arena1[5200 + i0 * 16 + i1 * 8 + i2];
    let s2: f32 = s0 - s1;
    let s3: f32 = exp(s2);
    let s4: f32 = arena1[5232 + i0 * 16 + i1 * 8 + i2];
    let s5: f32 = s3 / s4;
    arena1[5264 + flat] = s5;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 16: k16_add_crossattention_value (7 op(s); alone it would end because: contains a reduction and would be recomputed for every read by reshape -> permute -> matmul)
  for (var e = i32(lid); e < 512; e += 64) {
    let flat = owner * 512 + e;
    let i0 = flat / 512;
    let i1 = flat / 32 % 16;
    let i2 = flat % 32;
    var acc0: f32 = 0.0;
    for (var r0: i32 = 0; r0 < 32 + fib_z; r0++) {
      let s1: f32 = buf24[i0 * 512 + i1 * 32 + r0];
      let s2: f32 = arena0[6340 + i2 * 32 + r0];
      let s3: f32 = s1 * s2;
      acc0 = acc0 + s3;
    }
    let s4: f32 = arena0[7364 + i2];
    let s5: f32 = acc0 + s4;
    arena1[5776 + flat] = s5;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 17: k17_matmul_crossattention (3 op(s); alone it would end because: matmul result is re-read downstream by permute -> reshape -> reshape -> matmul)
  for (var e = i32(lid); e < 256; e += 64) {
    let flat = owner * 256 + e;
    let i0 = flat / 256;
    let i1 = flat / 128 % 2;
    let i2 = flat / 16 % 8;
    let i3 = flat % 16;
    var acc0: f32 = 0.0;
    for (var r0: i32 = 0; r0 < 16 + fib_z; r0++) {
      let s1: f32 = arena1[5264 + i0 * 256 + i1 * 128 + i2 * 16 + r0];
      let s2: f32 = arena1[5776 + i0 * 512 + i1 * 16 + i3 + r0 * 32];
      let s3: f32 = s1 * s2;
      acc0 = acc0 + s3;
    }
    arena1[6800 + flat] = acc0;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 18: k18_add (14 op(s); alone it would end because: used by 2 consumers and contains a reduction)
  for (var e = i32(lid); e < 256; e += 64) {
    let flat = owner * 256 + e;
    let i0 = flat / 256;
    let i1 = flat / 32 % 8;
    let i2 = flat % 32;
    let s0: f32 = buf0[i0 * 256 + i1 * 32 + i2];
    let s1: f32 = arena1[2640 + i0 * 256 + i1 * 32 + i2];
    let s2: f32 = s0 + s1;
    let s3: f32 = arena0[4224 + 0];
    var acc4: f32 = 0.0;
    for (var r0: i32 = 0; r0 < 32 + fib_z; r0++) {
      let s5: f32 = arena1[6800 + ((r0) % 16) + ((r0) / 16) * 128 + i0 * 256 + i1 * 16];
      let s6: f32 = arena0[7396 + i2 * 32 + r0];
      let s7: f32 = s5 * s6;
      acc4 = acc4 + s7;
    }
    let s8: f32 = arena0[8420 + i2];
    let s9: f32 = acc4 + s8;
    let s10: f32 = s3 * s9;
    let s11: f32 = s2 + s10;
    arena1[7312 + flat] = s11;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 19: k19_div_attention_output_LayerNorm (3 op(s); alone it would end because: contains a reduction and would be recomputed for every read by broadcast)
  for (var e = i32(lid); e < 8; e += 64) {
    let flat = owner * 8 + e;
    let i0 = flat / 8;
    let i1 = flat % 8;
    var acc0: f32 = 0.0;
    for (var r0: i32 = 0; r0 < 32 + fib_z; r0++) {
      let s1: f32 = arena1[7312 + i0 * 256 + i1 * 32 + r0];
      acc0 = acc0 + s1;
    }
    let s2: f32 = acc0 / f32(32.0);
    arena1[7824 + flat] = s2;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 20: k20_rsqrt_attention_output_LayerNorm (9 op(s); alone it would end because: contains a reduction and would be recomputed for every read by broadcast)
  for (var e = i32(lid); e < 8; e += 64) {
    let flat = owner * 8 + e;
    let i0 = flat / 8;
    let i1 = flat % 8;
    var acc0: f32 = 0.0;
    let s2: f32 = arena1[7824 + i0 * 8 + i1];
    for (var r0: i32 = 0; r0 < 32 + fib_z; r0++) {
      let s1: f32 = arena1[7312 + i0 * 256 + i1 * 32 + r0];
      let s3: f32 = s1 - s2;
      let s4: f32 = s3 * s3;
      acc0 = acc0 + s4;
    }
    let s5: f32 = acc0 / f32(32.0);
    let s6: f32 = s5 + f32(0.00001);
    let s7: f32 = inverseSqrt(s6);
    arena1[7840 + flat] = s7;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 21: k21_mul_attention_output_LayerNorm (7 op(s); alone it would end because: would be recomputed for every read by binary (used 2 times))
  for (var e = i32(lid); e < 256; e += 64) {
    let flat = owner * 256 + e;
    let i0 = flat / 256;
    let i1 = flat / 32 % 8;
    let i2 = flat % 32;
    let s0: f32 = arena1[7312 + i0 * 256 + i1 * 32 + i2];
    let s1: f32 = arena1[7824 + i0 * 8 + i1];
    let s2: f32 = s0 - s1;
    let s3: f32 = arena1[7840 + i0 * 8 + i1];
    let s4: f32 = s2 * s3;
    let s5: f32 = arena0[8452 + i2];
    let s6: f32 = s4 * s5;
    arena1[7856 + flat] = s6;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 22: k22_add_intermediate_dense (10 op(s); alone it would end because: used by 2 consumers and contains a reduction)
  for (var e = i32(lid); e < 512; e += 64) {
    let flat = owner * 512 + e;
    let i0 = flat / 512;
    let i1 = flat / 64 % 8;
    let i2 = flat % 64;
    var acc0: f32 = 0.0;
    for (var r0: i32 = 0; r0 < 32 + fib_z; r0++) {
      let s1: f32 = arena1[7856 + i0 * 256 + i1 * 32 + r0];
      let s2: f32 = arena0[8484 + r0];
      let s3: f32 = s1 + s2;
      let s4: f32 = arena0[8516 + i2 * 32 + r0];
      let s5: f32 = s3 * s4;
      acc0 = acc0 + s5;
    }
    let s6: f32 = arena0[10564 + i2];
    let s7: f32 = acc0 + s6;
    arena1[8368 + flat] = s7;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 23: k23_mul (8 op(s); alone it would end because: would be recomputed for every read by reshape -> matmul)
  for (var e = i32(lid); e < 512; e += 64) {
    let flat = owner * 512 + e;
    let i0 = flat / 512;
    let i1 = flat / 64 % 8;
    let i2 = flat % 64;
    let s0: f32 = arena1[8368 + i0 * 512 + i1 * 64 + i2];
    let s1: f32 = f32(0.5) * s0;
    let s2: f32 = s0 * f32(0.7071067811865476);
    let s3: f32 = fib_erf(s2);
    let s4: f32 = f32(1.0) + s3;
    let s5: f32 = s1 * s4;
    arena1[9392 + flat] = s5;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 24: k24_add (11 op(s); alone it would end because: used by 2 consumers and contains a reduction)
  for (var e = i32(lid); e < 256; e += 64) {
    let flat = owner * 256 + e;
    let i0 = flat / 256;
    let i1 = flat / 32 % 8;
    let i2 = flat % 32;
    let s0: f32 = arena1[7856 + i0 * 256 + i1 * 32 + i2];
    let s1: f32 = arena0[8484 + i2];
    let s2: f32 = s0 + s1;
    var acc3: f32 = 0.0;
    for (var r0: i32 = 0; r0 < 64 + fib_z; r0++) {
      let s4: f32 = arena1[9392 + i0 * 512 + i1 * 64 + r0];
      let s5: f32 = arena0[10628 + i2 * 64 + r0];
      let s6: f32 = s4 * s5;
      acc3 = acc3 + s6;
    }
    let s7: f32 = arena0[12676 + i2];
    let s8: f32 = acc3 + s7;
    let s9: f32 = s2 + s8;
    arena1[10416 + flat] = s9;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 25: k25_div_output_LayerNorm (3 op(s); alone it would end because: contains a reduction and would be recomputed for every read by broadcast)
  for (var e = i32(lid); e < 8; e += 64) {
    let flat = owner * 8 + e;
    let i0 = flat / 8;
    let i1 = flat % 8;
    var acc0: f32 = 0.0;
    for (var r0: i32 = 0; r0 < 32 + fib_z; r0++) {
      let s1: f32 = arena1[10416 + i0 * 256 + i1 * 32 + r0];
      acc0 = acc0 + s1;
    }
    let s2: f32 = acc0 / f32(32.0);
    arena1[10928 + flat] = s2;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 26: k26_rsqrt_output_LayerNorm (9 op(s); alone it would end because: contains a reduction and would be recomputed for every read by broadcast)
  for (var e = i32(lid); e < 8; e += 64) {
    let flat = owner * 8 + e;
    let i0 = flat / 8;
    let i1 = flat % 8;
    var acc0: f32 = 0.0;
    let s2: f32 = arena1[10928 + i0 * 8 + i1];
    for (var r0: i32 = 0; r0 < 32 + fib_z; r0++) {
      let s1: f32 = arena1[10416 + i0 * 256 + i1 * 32 + r0];
      let s3: f32 = s1 - s2;
      let s4: f32 = s3 * s3;
      acc0 = acc0 + s4;
    }
    let s5: f32 = acc0 / f32(32.0);
    let s6: f32 = s5 + f32(0.00001);
    let s7: f32 = inverseSqrt(s6);
    arena1[10944 + flat] = s7;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 27: k27_add_output_LayerNorm (10 op(s); alone it would end because: graph output "out")
  for (var e = i32(lid); e < 256; e += 64) {
    let flat = owner * 256 + e;
    let i0 = flat / 256;
    let i1 = flat / 32 % 8;
    let i2 = flat % 32;
    let s0: f32 = arena1[10416 + i0 * 256 + i1 * 32 + i2];
    let s1: f32 = arena1[10928 + i0 * 8 + i1];
    let s2: f32 = s0 - s1;
    let s3: f32 = arena1[10944 + i0 * 8 + i1];
    let s4: f32 = s2 * s3;
    let s5: f32 = arena0[12708 + i2];
    let s6: f32 = s4 * s5;
    let s7: f32 = arena0[12740 + i2];
    let s8: f32 = s6 + s7;
    buf55[flat] = s8;
  }
  storageBarrier();
  workgroupBarrier();
}

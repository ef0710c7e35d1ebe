// k0_mul_attention_self__k18 — end of the graph
// fiberc owner-phased kernel: one workgroup per owner (batch element) runs every phase for
// its owner's part of each tensor; barriers separate the phases. The planner proved that no
// phase reads another owner's part of anything an earlier phase wrote.
@group(0) @binding(0) var<storage, read> arena0: array<f32>;
@group(0) @binding(1) var<storage, read> buf0: array<f32>;
@group(0) @binding(2) var<storage, read> buf7: array<f32>;
@group(0) @binding(3) var<storage, read> buf20: array<f32>;
@group(0) @binding(4) var<storage, read_write> arena2: array<f32>;
@group(0) @binding(5) var<storage, read_write> arena1: array<f32>;
// Where this dispatch's tensors start in their arenas (elements): dispatches that differ only
// there share this shader, each bound to its own offsets.
struct FibBases {
  v: array<vec4<i32>, 7>,
}
@group(0) @binding(6) var<uniform> fib_bases: FibBases;
// Intermediates private to this dispatch: each workgroup keeps its owner's part on chip.
var<workgroup> fib_wg_f32: array<f32, 3880>;

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
  let fib_b0 = fib_bases.v[0].x;
  let fib_b1 = fib_bases.v[0].y;
  let fib_b2 = fib_bases.v[0].z;
  let fib_b3 = fib_bases.v[0].w;
  let fib_b4 = fib_bases.v[1].x;
  let fib_b5 = fib_bases.v[1].y;
  let fib_b6 = fib_bases.v[1].z;
  let fib_b7 = fib_bases.v[1].w;
  let fib_b8 = fib_bases.v[2].x;
  let fib_b9 = fib_bases.v[2].y;
  let fib_b10 = fib_bases.v[2].z;
  let fib_b11 = fib_bases.v[2].w;
  let fib_b12 = fib_bases.v[3].x;
  let fib_b13 = fib_bases.v[3].y;
  let fib_b14 = fib_bases.v[3].z;
  let fib_b15 = fib_bases.v[3].w;
  let fib_b16 = fib_bases.v[4].x;
  let fib_b17 = fib_bases.v[4].y;
  let fib_b18 = fib_bases.v[4].z;
  let fib_b19 = fib_bases.v[4].w;
  let fib_b20 = fib_bases.v[5].x;
  let fib_b21 = fib_bases.v[5].y;
  let fib_b22 = fib_bases.v[5].z;
  let fib_b23 = fib_bases.v[5].w;
  let fib_b24 = fib_bases.v[6].x;
  let fib_b25 = fib_bases.v[6].y;
  let fib_b26 = fib_bases.v[6].z;
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
      let s2: f32 = arena0[fib_b0 + i1 * 512 + i3 * 32 + r0];
      let s3: f32 = s1 * s2;
      acc0 = acc0 + s3;
    }
    let s4: f32 = arena0[fib_b1 + i1 * 16 + i3];
    let s5: f32 = acc0 + s4;
    let s6: f32 = s5 * f32(0.25);
    fib_wg_f32[-owner * 256 + flat] = s6;
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
      let s2: f32 = arena0[fib_b2 + i2 * 32 + r0];
      let s3: f32 = s1 * s2;
      acc0 = acc0 + s3;
    }
    let s4: f32 = arena0[fib_b3 + i2];
    let s5: f32 = acc0 + s4;
    fib_wg_f32[256 + -owner * 256 + flat] = s5;
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
    fib_wg_f32[512 + -owner * 8 + flat] = s2;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 3: k3_add_attention_self_value (7 op(s); alone it would end because: contains a reduction and would be recomputed for every read by reshape -> permute -> matmul)
  for (var e = i32(lid); e < 256; e += 64) {
    let flat = owner * 256 + e;
    let i0 = flat / 256;
    let i1 = flat / 32 % 8;
    let i2 = flat % 32;
    var acc0: f32 = 0.0;
    for (var r0: i32 = 0; r0 < 32 + fib_z; r0++) {
      let s1: f32 = buf0[i0 * 256 + i1 * 32 + r0];
      let s2: f32 = arena0[fib_b4 + i2 * 32 + r0];
      let s3: f32 = s1 * s2;
      acc0 = acc0 + s3;
    }
    let s4: f32 = arena0[fib_b5 + i2];
    let s5: f32 = acc0 + s4;
    fib_wg_f32[520 + -owner * 256 + flat] = s5;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 4: k4_matmul_attention_self (17 op(s); alone it would end because: attention: online-softmax template (scores and probabilities are never stored))
  for (var e = i32(lid); e < 16; e += 64) {
    let flat = owner * 16 + e;
    let i0 = flat / 16;
    let i1 = flat / 8 % 2;
    let i2 = flat % 8;
    var run_max: f32 = bitcast<f32>(0xff7fffffu);
    var run_sum: f32 = 0.0;
    var acc_0: f32 = 0.0;
    var acc_1: f32 = 0.0;
    var acc_2: f32 = 0.0;
    var acc_3: f32 = 0.0;
    var acc_4: f32 = 0.0;
    var acc_5: f32 = 0.0;
    var acc_6: f32 = 0.0;
    var acc_7: f32 = 0.0;
    var acc_8: f32 = 0.0;
    var acc_9: f32 = 0.0;
    var acc_10: f32 = 0.0;
    var acc_11: f32 = 0.0;
    var acc_12: f32 = 0.0;
    var acc_13: f32 = 0.0;
    var acc_14: f32 = 0.0;
    var acc_15: f32 = 0.0;
    for (var r0: i32 = 0; r0 < 8 + fib_z; r0++) {
      var acc0: f32 = 0.0;
      for (var r1: i32 = 0; r1 < 16 + fib_z; r1++) {
        let s1: f32 = fib_wg_f32[-owner * 256 + i0 * 256 + i1 * 128 + i2 * 16 + r1];
        let s2: f32 = fib_wg_f32[256 + -owner * 256 + i0 * 256 + i1 * 16 + r0 * 32 + r1];
        let s3: f32 = s1 * s2;
        acc0 = acc0 + s3;
      }
      let s4: f32 = fib_wg_f32[512 + -owner * 8 + i0 * 8 + r0];
      let s5: f32 = acc0 + s4;
      let s6: f32 = fib_wg_f32[520 + -owner * 256 + i0 * 256 + i1 * 16 + r0 * 32];
      let s7: f32 = fib_wg_f32[520 + -owner * 256 + i0 * 256 + i1 * 16 + r0 * 32 + 1];
      let s8: f32 = fib_wg_f32[520 + -owner * 256 + i0 * 256 + i1 * 16 + r0 * 32 + 2];
      let s9: f32 = fib_wg_f32[520 + -owner * 256 + i0 * 256 + i1 * 16 + r0 * 32 + 3];
      let s10: f32 = fib_wg_f32[520 + -owner * 256 + i0 * 256 + i1 * 16 + r0 * 32 + 4];
      let s11: f32 = fib_wg_f32[520 + -owner * 256 + i0 * 256 + i1 * 16 + r0 * 32 + 5];
      let s12: f32 = fib_wg_f32[520 + -owner * 256 + i0 * 256 + i1 * 16 + r0 * 32 + 6];
      let s13: f32 = fib_wg_f32[520 + -owner * 256 + i0 * 256 + i1 * 16 + r0 * 32 + 7];
      let s14: f32 = fib_wg_f32[520 + -owner * 256 + i0 * 256 + i1 * 16 + r0 * 32 + 8];
      let s15: f32 = fib_wg_f32[520 + -owner * 256 + i0 * 256 + i1 * 16 + r0 * 32 + 9];
      let s16: f32 = fib_wg_f32[520 + -owner * 256 + i0 * 256 + i1 * 16 + r0 * 32 + 10];
      let s17: f32 = fib_wg_f32[520 + -owner * 256 + i0 * 256 + i1 * 16 + r0 * 32 + 11];
      let s18: f32 = fib_wg_f32[520 + -owner * 256 + i0 * 256 + i1 * 16 + r0 * 32 + 12];
      let s19: f32 = fib_wg_f32[520 + -owner * 256 + i0 * 256 + i1 * 16 + r0 * 32 + 13];
      let s20: f32 = fib_wg_f32[520 + -owner * 256 + i0 * 256 + i1 * 16 + r0 * 32 + 14];
      let s21: f32 = fib_wg_f32[520 + -owner * 256 + i0 * 256 + i1 * 16 + r0 * 32 + 15];
      let new_max = max(run_max, s5);
      let rescale = exp(run_max - new_max);
      let weight = exp(s5 - new_max);
      run_sum = run_sum * rescale + weight;
      acc_0 = acc_0 * rescale + weight * s6;
      acc_1 = acc_1 * rescale + weight * s7;
      acc_2 = acc_2 * rescale + weight * s8;
      acc_3 = acc_3 * rescale + weight * s9;
      acc_4 = acc_4 * rescale + weight * s10;
      acc_5 = acc_5 * rescale + weight * s11;
      acc_6 = acc_6 * rescale + weight * s12;
      acc_7 = acc_7 * rescale + weight * s13;
      acc_8 = acc_8 * rescale + weight * s14;
      acc_9 = acc_9 * rescale + weight * s15;
      acc_10 = acc_10 * rescale + weight * s16;
      acc_11 = acc_11 * rescale + weight * s17;
      acc_12 = acc_12 * rescale + weight * s18;
      acc_13 = acc_13 * rescale + weight * s19;
      acc_14 = acc_14 * rescale + weight * s20;
      acc_15 = acc_15 * rescale + weight * s21;
      run_max = new_max;
    }
    let inv_sum = select(0.0, 1.0 / run_sum, run_sum > 0.0);
    fib_wg_f32[776 + -owner * 256 + flat * 16 + 0] = acc_0 * inv_sum;
    fib_wg_f32[776 + -owner * 256 + flat * 16 + 1] = acc_1 * inv_sum;
    fib_wg_f32[776 + -owner * 256 + flat * 16 + 2] = acc_2 * inv_sum;
    fib_wg_f32[776 + -owner * 256 + flat * 16 + 3] = acc_3 * inv_sum;
    fib_wg_f32[776 + -owner * 256 + flat * 16 + 4] = acc_4 * inv_sum;
    fib_wg_f32[776 + -owner * 256 + flat * 16 + 5] = acc_5 * inv_sum;
    fib_wg_f32[776 + -owner * 256 + flat * 16 + 6] = acc_6 * inv_sum;
    fib_wg_f32[776 + -owner * 256 + flat * 16 + 7] = acc_7 * inv_sum;
    fib_wg_f32[776 + -owner * 256 + flat * 16 + 8] = acc_8 * inv_sum;
    fib_wg_f32[776 + -owner * 256 + flat * 16 + 9] = acc_9 * inv_sum;
    fib_wg_f32[776 + -owner * 256 + flat * 16 + 10] = acc_10 * inv_sum;
    fib_wg_f32[776 + -owner * 256 + flat * 16 + 11] = acc_11 * inv_sum;
    fib_wg_f32[776 + -owner * 256 + flat * 16 + 12] = acc_12 * inv_sum;
    fib_wg_f32[776 + -owner * 256 + flat * 16 + 13] = acc_13 * inv_sum;
    fib_wg_f32[776 + -owner * 256 + flat * 16 + 14] = acc_14 * inv_sum;
    fib_wg_f32[776 + -owner * 256 + flat * 16 + 15] = acc_15 * inv_sum;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 5: k5_add_attention_output_dense (9 op(s); alone it would end because: used by 2 consumers and contains a reduction)
  for (var e = i32(lid); e < 256; e += 64) {
    let flat = owner * 256 + e;
    let i0 = flat / 256;
    let i1 = flat / 32 % 8;
    let i2 = flat % 32;
    var acc0: f32 = 0.0;
    for (var r0: i32 = 0; r0 < 32 + fib_z; r0++) {
      let s1: f32 = fib_wg_f32[776 + -owner * 256 + ((r0) % 16) + ((r0) / 16) * 128 + i0 * 256 + i1 * 16];
      let s2: f32 = arena0[fib_b6 + i2 * 32 + r0];
      let s3: f32 = s1 * s2;
      acc0 = acc0 + s3;
    }
    let s4: f32 = arena0[fib_b7 + i2];
    let s5: f32 = acc0 + s4;
    fib_wg_f32[1032 + -owner * 256 + flat] = s5;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 6: k6_mul_crossattention (11 op(s); alone it would end because: contains a reduction and would be recomputed for every read by matmul)
  for (var e = i32(lid); e < 256; e += 64) {
    let flat = owner * 256 + e;
    let i0 = flat / 256;
    let i1 = flat / 128 % 2;
    let i2 = flat / 16 % 8;
    let i3 = flat % 16;
    var acc0: f32 = 0.0;
    for (var r0: i32 = 0; r0 < 32 + fib_z; r0++) {
      let s1: f32 = fib_wg_f32[1032 + -owner * 256 + i0 * 256 + i2 * 32 + r0];
      let s2: f32 = arena0[fib_b8 + i1 * 512 + i3 * 32 + r0];
      let s3: f32 = s1 * s2;
      acc0 = acc0 + s3;
    }
    let s4: f32 = arena0[fib_b9 + i1 * 16 + i3];
    let s5: f32 = acc0 + s4;
    let s6: f32 = s5 * f32(0.25);
    fib_wg_f32[1288 + -owner * 256 + flat] = s6;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 7: k7_add_crossattention_key (7 op(s); a 4x4 register tile per invocation; alone it would end because: contains a reduction and would be recomputed for every read by reshape -> permute -> permute -> matmul)
  for (var e = i32(lid); e < 32; e += 64) {
    let flat = owner * 32 + e;
    let i0 = flat / 32;
    let tile_m = flat / 8 % 4;
    let tile_n = flat % 8;
    let m0 = tile_m * 4;
    var acc_0_0: f32 = 0.0;
    var acc_0_1: f32 = 0.0;
    var acc_0_2: f32 = 0.0;
    var acc_0_3: f32 = 0.0;
    var acc_1_0: f32 = 0.0;
    var acc_1_1: f32 = 0.0;
    var acc_1_2: f32 = 0.0;
    var acc_1_3: f32 = 0.0;
    var acc_2_0: f32 = 0.0;
    var acc_2_1: f32 = 0.0;
    var acc_2_2: f32 = 0.0;
    var acc_2_3: f32 = 0.0;
    var acc_3_0: f32 = 0.0;
    var acc_3_1: f32 = 0.0;
    var acc_3_2: f32 = 0.0;
    var acc_3_3: f32 = 0.0;
    for (var r0_1: i32 = 0; r0_1 < 32 + fib_z; r0_1++) {
      let s0: f32 = buf20[i0 * 512 + m0 * 32 + r0_1];
      let s1: f32 = buf20[i0 * 512 + m0 * 32 + r0_1 + 32];
      let s2: f32 = buf20[i0 * 512 + m0 * 32 + r0_1 + 64];
      let s3: f32 = buf20[i0 * 512 + m0 * 32 + r0_1 + 96];
      let s4: f32 = arena0[fib_b10 + r0_1 + tile_n * 32];
      let s5: f32 = arena0[fib_b10 + r0_1 + tile_n * 32 + 256];
      let s6: f32 = arena0[fib_b10 + r0_1 + tile_n * 32 + 512];
      let s7: f32 = arena0[fib_b10 + r0_1 + tile_n * 32 + 768];
      acc_0_0 = acc_0_0 + s0 * s4;
      acc_0_1 = acc_0_1 + s0 * s5;
      acc_0_2 = acc_0_2 + s0 * s6;
      acc_0_3 = acc_0_3 + s0 * s7;
      acc_1_0 = acc_1_0 + s1 * s4;
      acc_1_1 = acc_1_1 + s1 * s5;
      acc_1_2 = acc_1_2 + s1 * s6;
      acc_1_3 = acc_1_3 + s1 * s7;
      acc_2_0 = acc_2_0 + s2 * s4;
      acc_2_1 = acc_2_1 + s2 * s5;
      acc_2_2 = acc_2_2 + s2 * s6;
      acc_2_3 = acc_2_3 + s2 * s7;
      acc_3_0 = acc_3_0 + s3 * s4;
      acc_3_1 = acc_3_1 + s3 * s5;
      acc_3_2 = acc_3_2 + s3 * s6;
      acc_3_3 = acc_3_3 + s3 * s7;
    }
    var tile_acc: array<array<f32, 4>, 4>;
    tile_acc[0] = array<f32, 4>(acc_0_0, acc_0_1, acc_0_2, acc_0_3);
    tile_acc[1] = array<f32, 4>(acc_1_0, acc_1_1, acc_1_2, acc_1_3);
    tile_acc[2] = array<f32, 4>(acc_2_0, acc_2_1, acc_2_2, acc_2_3);
    tile_acc[3] = array<f32, 4>(acc_3_0, acc_3_1, acc_3_2, acc_3_3);
    let s8: f32 = arena0[fib_b11 + tile_n];
    let s10: f32 = arena0[fib_b11 + tile_n + 8];
    let s12: f32 = arena0[fib_b11 + tile_n + 16];
    let s14: f32 = arena0[fib_b11 + tile_n + 24];
    for (var ti: i32 = 0; ti < 4 + fib_z; ti++) {
      let s9: f32 = tile_acc[ti][0] + s8;
      let s11: f32 = tile_acc[ti][1] + s10;
      let s13: f32 = tile_acc[ti][2] + s12;
      let s15: f32 = tile_acc[ti][3] + s14;
      if (m0 + ti < 16 && tile_n < 32) {
        fib_wg_f32[1544 + -owner * 512 + i0 * 512 + m0 * 32 + ti * 32 + tile_n] = s9;
      }
      if (m0 + ti < 16 && tile_n + 8 < 32) {
        fib_wg_f32[1544 + -owner * 512 + i0 * 512 + m0 * 32 + ti * 32 + tile_n + 8] = s11;
      }
      if (m0 + ti < 16 && tile_n + 16 < 32) {
        fib_wg_f32[1544 + -owner * 512 + i0 * 512 + m0 * 32 + ti * 32 + tile_n + 16] = s13;
      }
      if (m0 + ti < 16 && tile_n + 24 < 32) {
        fib_wg_f32[1544 + -owner * 512 + i0 * 512 + m0 * 32 + ti * 32 + tile_n + 24] = s15;
      }
    }
  }
  storageBarrier();
  workgroupBarrier();

  // phase 8: k8_add_crossattention_value (7 op(s); a 4x4 register tile per invocation; alone it would end because: contains a reduction and would be recomputed for every read by reshape -> permute -> matmul)
  for (var e = i32(lid); e < 32; e += 64) {
    let flat = owner * 32 + e;
    let i0 = flat / 32;
    let tile_m = flat / 8 % 4;
    let tile_n = flat % 8;
    let m0 = tile_m * 4;
    var acc_0_0: f32 = 0.0;
    var acc_0_1: f32 = 0.0;
    var acc_0_2: f32 = 0.0;
    var acc_0_3: f32 = 0.0;
    var acc_1_0: f32 = 0.0;
    var acc_1_1: f32 = 0.0;
    var acc_1_2: f32 = 0.0;
    var acc_1_3: f32 = 0.0;
    var acc_2_0: f32 = 0.0;
    var acc_2_1: f32 = 0.0;
    var acc_2_2: f32 = 0.0;
    var acc_2_3: f32 = 0.0;
    var acc_3_0: f32 = 0.0;
    var acc_3_1: f32 = 0.0;
    var acc_3_2: f32 = 0.0;
    var acc_3_3: f32 = 0.0;
    for (var r0_1: i32 = 0; r0_1 < 32 + fib_z; r0_1++) {
      let s0: f32 = buf20[i0 * 512 + m0 * 32 + r0_1];
      let s1: f32 = buf20[i0 * 512 + m0 * 32 + r0_1 + 32];
      let s2: f32 = buf20[i0 * 512 + m0 * 32 + r0_1 + 64];
      let s3: f32 = buf20[i0 * 512 + m0 * 32 + r0_1 + 96];
      let s4: f32 = arena0[fib_b12 + r0_1 + tile_n * 32];
      let s5: f32 = arena0[fib_b12 + r0_1 + tile_n * 32 + 256];
      let s6: f32 = arena0[fib_b12 + r0_1 + tile_n * 32 + 512];
      let s7: f32 = arena0[fib_b12 + r0_1 + tile_n * 32 + 768];
      acc_0_0 = acc_0_0 + s0 * s4;
      acc_0_1 = acc_0_1 + s0 * s5;
      acc_0_2 = acc_0_2 + s0 * s6;
      acc_0_3 = acc_0_3 + s0 * s7;
      acc_1_0 = acc_1_0 + s1 * s4;
      acc_1_1 = acc_1_1 + s1 * s5;
      acc_1_2 = acc_1_2 + s1 * s6;
      acc_1_3 = acc_1_3 + s1 * s7;
      acc_2_0 = acc_2_0 + s2 * s4;
      acc_2_1 = acc_2_1 + s2 * s5;
      acc_2_2 = acc_2_2 + s2 * s6;
      acc_2_3 = acc_2_3 + s2 * s7;
      acc_3_0 = acc_3_0 + s3 * s4;
      acc_3_1 = acc_3_1 + s3 * s5;
      acc_3_2 = acc_3_2 + s3 * s6;
      acc_3_3 = acc_3_3 + s3 * s7;
    }
    var tile_acc: array<array<f32, 4>, 4>;
    tile_acc[0] = array<f32, 4>(acc_0_0, acc_0_1, acc_0_2, acc_0_3);
    tile_acc[1] = array<f32, 4>(acc_1_0, acc_1_1, acc_1_2, acc_1_3);
    tile_acc[2] = array<f32, 4>(acc_2_0, acc_2_1, acc_2_2, acc_2_3);
    tile_acc[3] = array<f32, 4>(acc_3_0, acc_3_1, acc_3_2, acc_3_3);
    let s8: f32 = arena0[fib_b13 + tile_n];
    let s10: f32 = arena0[fib_b13 + tile_n + 8];
    let s12: f32 = arena0[fib_b13 + tile_n + 16];
    let s14: f32 = arena0[fib_b13 + tile_n + 24];
    for (var ti: i32 = 0; ti < 4 + fib_z; ti++) {
      let s9: f32 = tile_acc[ti][0] + s8;
      let s11: f32 = tile_acc[ti][1] + s10;
      let s13: f32 = tile_acc[ti][2] + s12;
      let s15: f32 = tile_acc[ti][3] + s14;
      if (m0 + ti < 16 && tile_n < 32) {
        fib_wg_f32[2056 + -owner * 512 + i0 * 512 + m0 * 32 + ti * 32 + tile_n] = s9;
      }
      if (m0 + ti < 16 && tile_n + 8 < 32) {
        fib_wg_f32[2056 + -owner * 512 + i0 * 512 + m0 * 32 + ti * 32 + tile_n + 8] = s11;
      }
      if (m0 + ti < 16 && tile_n + 16 < 32) {
        fib_wg_f32[2056 + -owner * 512 + i0 * 512 + m0 * 32 + ti * 32 + tile_n + 16] = s13;
      }
      if (m0 + ti < 16 && tile_n + 24 < 32) {
        fib_wg_f32[2056 + -owner * 512 + i0 * 512 + m0 * 32 + ti * 32 + tile_n + 24] = s15;
      }
    }
  }
  storageBarrier();
  workgroupBarrier();

  // phase 9: k9_matmul_crossattention (16 op(s); alone it would end because: attention: online-softmax template (scores and probabilities are never stored))
  for (var e = i32(lid); e < 16; e += 64) {
    let flat = owner * 16 + e;
    let i0 = flat / 16;
    let i1 = flat / 8 % 2;
    let i2 = flat % 8;
    var run_max: f32 = bitcast<f32>(0xff7fffffu);
    var run_sum: f32 = 0.0;
    var acc_0: f32 = 0.0;
    var acc_1: f32 = 0.0;
    var acc_2: f32 = 0.0;
    var acc_3: f32 = 0.0;
    var acc_4: f32 = 0.0;
    var acc_5: f32 = 0.0;
    var acc_6: f32 = 0.0;
    var acc_7: f32 = 0.0;
    var acc_8: f32 = 0.0;
    var acc_9: f32 = 0.0;
    var acc_10: f32 = 0.0;
    var acc_11: f32 = 0.0;
    var acc_12: f32 = 0.0;
    var acc_13: f32 = 0.0;
    var acc_14: f32 = 0.0;
    var acc_15: f32 = 0.0;
    for (var r0: i32 = 0; r0 < 16 + fib_z; r0++) {
      var acc0: f32 = 0.0;
      for (var r1: i32 = 0; r1 < 16 + fib_z; r1++) {
        let s1: f32 = fib_wg_f32[1288 + -owner * 256 + i0 * 256 + i1 * 128 + i2 * 16 + r1];
        let s2: f32 = fib_wg_f32[1544 + -owner * 512 + i0 * 512 + i1 * 16 + r0 * 32 + r1];
        let s3: f32 = s1 * s2;
        acc0 = acc0 + s3;
      }
      let s4: f32 = acc0 + f32(0.0);
      let s5: f32 = fib_wg_f32[2056 + -owner * 512 + i0 * 512 + i1 * 16 + r0 * 32];
      let s6: f32 = fib_wg_f32[2056 + -owner * 512 + i0 * 512 + i1 * 16 + r0 * 32 + 1];
      let s7: f32 = fib_wg_f32[2056 + -owner * 512 + i0 * 512 + i1 * 16 + r0 * 32 + 2];
      let s8: f32 = fib_wg_f32[2056 + -owner * 512 + i0 * 512 + i1 * 16 + r0 * 32 + 3];
      let s9: f32 = fib_wg_f32[2056 + -owner * 512 + i0 * 512 + i1 * 16 + r0 * 32 + 4];
      let s10: f32 = fib_wg_f32[2056 + -owner * 512 + i0 * 512 + i1 * 16 + r0 * 32 + 5];
      let s11: f32 = fib_wg_f32[2056 + -owner * 512 + i0 * 512 + i1 * 16 + r0 * 32 + 6];
      let s12: f32 = fib_wg_f32[2056 + -owner * 512 + i0 * 512 + i1 * 16 + r0 * 32 + 7];
      let s13: f32 = fib_wg_f32[2056 + -owner * 512 + i0 * 512 + i1 * 16 + r0 * 32 + 8];
      let s14: f32 = fib_wg_f32[2056 + -owner * 512 + i0 * 512 + i1 * 16 + r0 * 32 + 9];
      let s15: f32 = fib_wg_f32[2056 + -owner * 512 + i0 * 512 + i1 * 16 + r0 * 32 + 10];
      let s16: f32 = fib_wg_f32[2056 + -owner * 512 + i0 * 512 + i1 * 16 + r0 * 32 + 11];
      let s17: f32 = fib_wg_f32[2056 + -owner * 512 + i0 * 512 + i1 * 16 + r0 * 32 + 12];
      let s18: f32 = fib_wg_f32[2056 + -owner * 512 + i0 * 512 + i1 * 16 + r0 * 32 + 13];
      let s19: f32 = fib_wg_f32[2056 + -owner * 512 + i0 * 512 + i1 * 16 + r0 * 32 + 14];
      let s20: f32 = fib_wg_f32[2056 + -owner * 512 + i0 * 512 + i1 * 16 + r0 * 32 + 15];
      let new_max = max(run_max, s4);
      let rescale = exp(run_max - new_max);
      let weight = exp(s4 - new_max);
      run_sum = run_sum * rescale + weight;
      acc_0 = acc_0 * rescale + weight * s5;
      acc_1 = acc_1 * rescale + weight * s6;
      acc_2 = acc_2 * rescale + weight * s7;
      acc_3 = acc_3 * rescale + weight * s8;
      acc_4 = acc_4 * rescale + weight * s9;
      acc_5 = acc_5 * rescale + weight * s10;
      acc_6 = acc_6 * rescale + weight * s11;
      acc_7 = acc_7 * rescale + weight * s12;
      acc_8 = acc_8 * rescale + weight * s13;
      acc_9 = acc_9 * rescale + weight * s14;
      acc_10 = acc_10 * rescale + weight * s15;
      acc_11 = acc_11 * rescale + weight * s16;
      acc_12 = acc_12 * rescale + weight * s17;
      acc_13 = acc_13 * rescale + weight * s18;
      acc_14 = acc_14 * rescale + weight * s19;
      acc_15 = acc_15 * rescale + weight * s20;
      run_max = new_max;
    }
    let inv_sum = select(0.0, 1.0 / run_sum, run_sum > 0.0);
    fib_wg_f32[2568 + -owner * 256 + flat * 16 + 0] = acc_0 * inv_sum;
    fib_wg_f32[2568 + -owner * 256 + flat * 16 + 1] = acc_1 * inv_sum;
    fib_wg_f32[2568 + -owner * 256 + flat * 16 + 2] = acc_2 * inv_sum;
    fib_wg_f32[2568 + -owner * 256 + flat * 16 + 3] = acc_3 * inv_sum;
    fib_wg_f32[2568 + -owner * 256 + flat * 16 + 4] = acc_4 * inv_sum;
    fib_wg_f32[2568 + -owner * 256 + flat * 16 + 5] = acc_5 * inv_sum;
    fib_wg_f32[2568 + -owner * 256 + flat * 16 + 6] = acc_6 * inv_sum;
    fib_wg_f32[2568 + -owner * 256 + flat * 16 + 7] = acc_7 * inv_sum;
    fib_wg_f32[2568 + -owner * 256 + flat * 16 + 8] = acc_8 * inv_sum;
    fib_wg_f32[2568 + -owner * 256 + flat * 16 + 9] = acc_9 * inv_sum;
    fib_wg_f32[2568 + -owner * 256 + flat * 16 + 10] = acc_10 * inv_sum;
    fib_wg_f32[2568 + -owner * 256 + flat * 16 + 11] = acc_11 * inv_sum;
    fib_wg_f32[2568 + -owner * 256 + flat * 16 + 12] = acc_12 * inv_sum;
    fib_wg_f32[2568 + -owner * 256 + flat * 16 + 13] = acc_13 * inv_sum;
    fib_wg_f32[2568 + -owner * 256 + flat * 16 + 14] = acc_14 * inv_sum;
    fib_wg_f32[2568 + -owner * 256 + flat * 16 + 15] = acc_15 * inv_sum;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 10: k10_add (14 op(s); alone it would end because: used by 2 consumers and contains a reduction)
  for (var e = i32(lid); e < 256; e += 64) {
    let flat = owner * 256 + e;
    let i0 = flat / 256;
    let i1 = flat / 32 % 8;
    let i2 = flat % 32;
    let s0: f32 = buf0[i0 * 256 + i1 * 32 + i2];
    let s1: f32 = fib_wg_f32[1032 + -owner * 256 + i0 * 256 + i1 * 32 + i2];
    let s2: f32 = s0 + s1;
    let s3: f32 = arena0[fib_b14 + 0];
    var acc4: f32 = 0.0;
    for (var r0: i32 = 0; r0 < 32 + fib_z; r0++) {
      let s5: f32 = fib_wg_f32[2568 + -owner * 256 + ((r0) % 16) + ((r0) / 16) * 128 + i0 * 256 + i1 * 16];
      let s6: f32 = arena0[fib_b15 + i2 * 32 + r0];
      let s7: f32 = s5 * s6;
      acc4 = acc4 + s7;
    }
    let s8: f32 = arena0[fib_b16 + i2];
    let s9: f32 = acc4 + s8;
    let s10: f32 = s3 * s9;
    let s11: f32 = s2 + s10;
    fib_wg_f32[2824 + -owner * 256 + flat] = s11;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 11: k11_div_attention_output_LayerNorm (3 op(s); alone it would end because: contains a reduction and would be recomputed for every read by broadcast)
  for (var e = i32(lid); e < 8; e += 64) {
    let flat = owner * 8 + e;
    let i0 = flat / 8;
    let i1 = flat % 8;
    var acc0: f32 = 0.0;
    for (var r0: i32 = 0; r0 < 32 + fib_z; r0++) {
      let s1: f32 = fib_wg_f32[2824 + -owner * 256 + i0 * 256 + i1 * 32 + r0];
      acc0 = acc0 + s1;
    }
    let s2: f32 = acc0 / f32(32.0);
    fib_wg_f32[3080 + -owner * 8 + flat] = s2;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 12: k12_rsqrt_attention_output_LayerNorm (9 op(s); alone it would end because: contains a reduction and would be recomputed for every read by broadcast)
  for (var e = i32(lid); e < 8; e += 64) {
    let flat = owner * 8 + e;
    let i0 = flat / 8;
    let i1 = flat % 8;
    var acc0: f32 = 0.0;
    let s2: f32 = fib_wg_f32[3080 + -owner * 8 + i0 * 8 + i1];
    for (var r0: i32 = 0; r0 < 32 + fib_z; r0++) {
      let s1: f32 = fib_wg_f32[2824 + -owner * 256 + i0 * 256 + i1 * 32 + r0];
      let s3: f32 = s1 - s2;
      let s4: f32 = s3 * s3;
      acc0 = acc0 + s4;
    }
    let s5: f32 = acc0 / f32(32.0);
    let s6: f32 = s5 + f32(0.00001);
    let s7: f32 = inverseSqrt(s6);
    fib_wg_f32[3088 + -owner * 8 + flat] = s7;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 13: k13_mul_attention_output_LayerNorm (7 op(s); alone it would end because: would be recomputed for every read by binary (used 2 times))
  for (var e = i32(lid); e < 256; e += 64) {
    let flat = owner * 256 + e;
    let i0 = flat / 256;
    let i1 = flat / 32 % 8;
    let i2 = flat % 32;
    let s0: f32 = fib_wg_f32[2824 + -owner * 256 + i0 * 256 + i1 * 32 + i2];
    let s1: f32 = fib_wg_f32[3080 + -owner * 8 + i0 * 8 + i1];
    let s2: f32 = s0 - s1;
    let s3: f32 = fib_wg_f32[3088 + -owner * 8 + i0 * 8 + i1];
    let s4: f32 = s2 * s3;
    let s5: f32 = arena0[fib_b17 + i2];
    let s6: f32 = s4 * s5;
    fib_wg_f32[3096 + -owner * 256 + flat] = s6;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 14: k14_mul (18 op(s); a 4x4 register tile per invocation; alone it would end because: contains a reduction and would be recomputed for every read by reshape -> matmul)
  for (var e = i32(lid); e < 32; e += 64) {
    let flat = owner * 32 + e;
    let i0 = flat / 32;
    let tile_m = flat / 16 % 2;
    let tile_n = flat % 16;
    let m0 = tile_m * 4;
    var acc_0_0: f32 = 0.0;
    var acc_0_1: f32 = 0.0;
    var acc_0_2: f32 = 0.0;
    var acc_0_3: f32 = 0.0;
    var acc_1_0: f32 = 0.0;
    var acc_1_1: f32 = 0.0;
    var acc_1_2: f32 = 0.0;
    var acc_1_3: f32 = 0.0;
    var acc_2_0: f32 = 0.0;
    var acc_2_1: f32 = 0.0;
    var acc_2_2: f32 = 0.0;
    var acc_2_3: f32 = 0.0;
    var acc_3_0: f32 = 0.0;
    var acc_3_1: f32 = 0.0;
    var acc_3_2: f32 = 0.0;
    var acc_3_3: f32 = 0.0;
    for (var r0_1: i32 = 0; r0_1 < 32 + fib_z; r0_1++) {
      let s0: f32 = fib_wg_f32[3096 + -owner * 256 + i0 * 256 + m0 * 32 + r0_1];
      let s1: f32 = arena0[fib_b18 + r0_1];
      let s2: f32 = s0 + s1;
      let s3: f32 = fib_wg_f32[3096 + -owner * 256 + i0 * 256 + m0 * 32 + r0_1 + 32];
      let s4: f32 = arena0[fib_b18 + r0_1];
      let s5: f32 = s3 + s4;
      let s6: f32 = fib_wg_f32[3096 + -owner * 256 + i0 * 256 + m0 * 32 + r0_1 + 64];
      let s7: f32 = arena0[fib_b18 + r0_1];
      let s8: f32 = s6 + s7;
      let s9: f32 = fib_wg_f32[3096 + -owner * 256 + i0 * 256 + m0 * 32 + r0_1 + 96];
      let s10: f32 = arena0[fib_b18 + r0_1];
      let s11: f32 = s9 + s10;
      let s12: f32 = arena0[fib_b19 + r0_1 + tile_n * 32];
      let s13: f32 = arena0[fib_b19 + r0_1 + tile_n * 32 + 512];
      let s14: f32 = arena0[fib_b19 + r0_1 + tile_n * 32 + 1024];
      let s15: f32 = arena0[fib_b19 + r0_1 + tile_n * 32 + 1536];
      acc_0_0 = acc_0_0 + s2 * s12;
      acc_0_1 = acc_0_1 + s2 * s13;
      acc_0_2 = acc_0_2 + s2 * s14;
      acc_0_3 = acc_0_3 + s2 * s15;
      acc_1_0 = acc_1_0 + s5 * s12;
      acc_1_1 = acc_1_1 + s5 * s13;
      acc_1_2 = acc_1_2 + s5 * s14;
      acc_1_3 = acc_1_3 + s5 * s15;
      acc_2_0 = acc_2_0 + s8 * s12;
      acc_2_1 = acc_2_1 + s8 * s13;
      acc_2_2 = acc_2_2 + s8 * s14;
      acc_2_3 = acc_2_3 + s8 * s15;
      acc_3_0 = acc_3_0 + s11 * s12;
      acc_3_1 = acc_3_1 + s11 * s13;
      acc_3_2 = acc_3_2 + s11 * s14;
      acc_3_3 = acc_3_3 + s11 * s15;
    }
    var tile_acc: array<array<f32, 4>, 4>;
    tile_acc[0] = array<f32, 4>(acc_0_0, acc_0_1, acc_0_2, acc_0_3);
    tile_acc[1] = array<f32, 4>(acc_1_0, acc_1_1, acc_1_2, acc_1_3);
    tile_acc[2] = array<f32, 4>(acc_2_0, acc_2_1, acc_2_2, acc_2_3);
    tile_acc[3] = array<f32, 4>(acc_3_0, acc_3_1, acc_3_2, acc_3_3);
    let s16: f32 = arena0[fib_b20 + tile_n];
    let s23: f32 = arena0[fib_b20 + tile_n + 16];
    let s30: f32 = arena0[fib_b20 + tile_n + 32];
    let s37: f32 = arena0[fib_b20 + tile_n + 48];
    for (var ti: i32 = 0; ti < 4 + fib_z; ti++) {
      let s17: f32 = tile_acc[ti][0] + s16;
      let s18: f32 = f32(0.5) * s17;
      let s19: f32 = s17 * f32(0.7071067811865476);
      let s20: f32 = fib_erf(s19);
      let s21: f32 = f32(1.0) + s20;
      let s22: f32 = s18 * s21;
      let s24: f32 = tile_acc[ti][1] + s23;
      let s25: f32 = f32(0.5) * s24;
      let s26: f32 = s24 * f32(0.7071067811865476);
      let s27: f32 = fib_erf(s26);
      let s28: f32 = f32(1.0) + s27;
      let s29: f32 = s25 * s28;
      let s31: f32 = tile_acc[ti][2] + s30;
      let s32: f32 = f32(0.5) * s31;
      let s33: f32 = s31 * f32(0.7071067811865476);
      let s34: f32 = fib_erf(s33);
      let s35: f32 = f32(1.0) + s34;
      let s36: f32 = s32 * s35;
      let s38: f32 = tile_acc[ti][3] + s37;
      let s39: f32 = f32(0.5) * s38;
      let s40: f32 = s38 * f32(0.7071067811865476);
      let s41: f32 = fib_erf(s40);
      let s42: f32 = f32(1.0) + s41;
      let s43: f32 = s39 * s42;
      if (m0 + ti < 8 && tile_n < 64) {
        fib_wg_f32[3352 + -owner * 512 + i0 * 512 + m0 * 64 + ti * 64 + tile_n] = s22;
      }
      if (m0 + ti < 8 && tile_n + 16 < 64) {
        fib_wg_f32[3352 + -owner * 512 + i0 * 512 + m0 * 64 + ti * 64 + tile_n + 16] = s29;
      }
      if (m0 + ti < 8 && tile_n + 32 < 64) {
        fib_wg_f32[3352 + -owner * 512 + i0 * 512 + m0 * 64 + ti * 64 + tile_n + 32] = s36;
      }
      if (m0 + ti < 8 && tile_n + 48 < 64) {
        fib_wg_f32[3352 + -owner * 512 + i0 * 512 + m0 * 64 + ti * 64 + tile_n + 48] = s43;
      }
    }
  }
  storageBarrier();
  workgroupBarrier();

  // phase 15: k15_add (11 op(s); a 4x4 register tile per invocation; alone it would end because: used by 2 consumers and contains a reduction)
  for (var e = i32(lid); e < 16; e += 64) {
    let flat = owner * 16 + e;
    let i0 = flat / 16;
    let tile_m = flat / 8 % 2;
    let tile_n = flat % 8;
    let m0 = tile_m * 4;
    var acc_0_0: f32 = 0.0;
    var acc_0_1: f32 = 0.0;
    var acc_0_2: f32 = 0.0;
    var acc_0_3: f32 = 0.0;
    var acc_1_0: f32 = 0.0;
    var acc_1_1: f32 = 0.0;
    var acc_1_2: f32 = 0.0;
    var acc_1_3: f32 = 0.0;
    var acc_2_0: f32 = 0.0;
    var acc_2_1: f32 = 0.0;
    var acc_2_2: f32 = 0.0;
    var acc_2_3: f32 = 0.0;
    var acc_3_0: f32 = 0.0;
    var acc_3_1: f32 = 0.0;
    var acc_3_2: f32 = 0.0;
    var acc_3_3: f32 = 0.0;
    for (var r0_1: i32 = 0; r0_1 < 64 + fib_z; r0_1++) {
      let s0: f32 = fib_wg_f32[3352 + -owner * 512 + i0 * 512 + m0 * 64 + r0_1];
      let s1: f32 = fib_wg_f32[3352 + -owner * 512 + i0 * 512 + m0 * 64 + r0_1 + 64];
      let s2: f32 = fib_wg_f32[3352 + -owner * 512 + i0 * 512 + m0 * 64 + r0_1 + 128];
      let s3: f32 = fib_wg_f32[3352 + -owner * 512 + i0 * 512 + m0 * 64 + r0_1 + 192];
      let s4: f32 = arena0[fib_b22 + r0_1 + tile_n * 64];
      let s5: f32 = arena0[fib_b22 + r0_1 + tile_n * 64 + 512];
      let s6: f32 = arena0[fib_b22 + r0_1 + tile_n * 64 + 1024];
      let s7: f32 = arena0[fib_b22 + r0_1 + tile_n * 64 + 1536];
      acc_0_0 = acc_0_0 + s0 * s4;
      acc_0_1 = acc_0_1 + s0 * s5;
      acc_0_2 = acc_0_2 + s0 * s6;
      acc_0_3 = acc_0_3 + s0 * s7;
      acc_1_0 = acc_1_0 + s1 * s4;
      acc_1_1 = acc_1_1 + s1 * s5;
      acc_1_2 = acc_1_2 + s1 * s6;
      acc_1_3 = acc_1_3 + s1 * s7;
      acc_2_0 = acc_2_0 + s2 * s4;
      acc_2_1 = acc_2_1 + s2 * s5;
      acc_2_2 = acc_2_2 + s2 * s6;
      acc_2_3 = acc_2_3 + s2 * s7;
      acc_3_0 = acc_3_0 + s3 * s4;
      acc_3_1 = acc_3_1 + s3 * s5;
      acc_3_2 = acc_3_2 + s3 * s6;
      acc_3_3 = acc_3_3 + s3 * s7;
    }
    var tile_acc: array<array<f32, 4>, 4>;
    tile_acc[0] = array<f32, 4>(acc_0_0, acc_0_1, acc_0_2, acc_0_3);
    tile_acc[1] = array<f32, 4>(acc_1_0, acc_1_1, acc_1_2, acc_1_3);
    tile_acc[2] = array<f32, 4>(acc_2_0, acc_2_1, acc_2_2, acc_2_3);
    tile_acc[3] = array<f32, 4>(acc_3_0, acc_3_1, acc_3_2, acc_3_3);
    let s9: f32 = arena0[fib_b18 + tile_n];
    let s11: f32 = arena0[fib_b23 + tile_n];
    let s15: f32 = arena0[fib_b18 + tile_n + 8];
    let s17: f32 = arena0[fib_b23 + tile_n + 8];
    let s21: f32 = arena0[fib_b18 + tile_n + 16];
    let s23: f32 = arena0[fib_b23 + tile_n + 16];
    let s27: f32 = arena0[fib_b18 + tile_n + 24];
    let s29: f32 = arena0[fib_b23 + tile_n + 24];
    for (var ti: i32 = 0; ti < 4 + fib_z; ti++) {
      let s8: f32 = fib_wg_f32[3096 + -owner * 256 + i0 * 256 + m0 * 32 + ti * 32 + tile_n];
      let s10: f32 = s8 + s9;
      let s12: f32 = tile_acc[ti][0] + s11;
      let s13: f32 = s10 + s12;
      let s14: f32 = fib_wg_f32[3096 + -owner * 256 + i0 * 256 + m0 * 32 + ti * 32 + tile_n + 8];
      let s16: f32 = s14 + s15;
      let s18: f32 = tile_acc[ti][1] + s17;
      let s19: f32 = s16 + s18;
      let s20: f32 = fib_wg_f32[3096 + -owner * 256 + i0 * 256 + m0 * 32 + ti * 32 + tile_n + 16];
      let s22: f32 = s20 + s21;
      let s24: f32 = tile_acc[ti][2] + s23;
      let s25: f32 = s22 + s24;
      let s26: f32 = fib_wg_f32[3096 + -owner * 256 + i0 * 256 + m0 * 32 + ti * 32 + tile_n + 24];
      let s28: f32 = s26 + s27;
      let s30: f32 = tile_acc[ti][3] + s29;
      let s31: f32 = s28 + s30;
      if (m0 + ti < 8 && tile_n < 32) {
        arena2[fib_b21 + i0 * 256 + m0 * 32 + ti * 32 + tile_n] = s13;
      }
      if (m0 + ti < 8 && tile_n + 8 < 32) {
        arena2[fib_b21 + i0 * 256 + m0 * 32 + ti * 32 + tile_n + 8] = s19;
      }
      if (m0 + ti < 8 && tile_n + 16 < 32) {
        arena2[fib_b21 + i0 * 256 + m0 * 32 + ti * 32 + tile_n + 16] = s25;
      }
      if (m0 + ti < 8 && tile_n + 24 < 32) {
        arena2[fib_b21 + i0 * 256 + m0 * 32 + ti * 32 + tile_n + 24] = s31;
      }
    }
  }
  storageBarrier();
  workgroupBarrier();

  // phase 16: k16_div_output_LayerNorm (3 op(s); alone it would end because: contains a reduction and would be recomputed for every read by broadcast)
  for (var e = i32(lid); e < 8; e += 64) {
    let flat = owner * 8 + e;
    let i0 = flat / 8;
    let i1 = flat % 8;
    var acc0: f32 = 0.0;
    for (var r0: i32 = 0; r0 < 32 + fib_z; r0++) {
      let s1: f32 = arena2[fib_b21 + i0 * 256 + i1 * 32 + r0];
      acc0 = acc0 + s1;
    }
    let s2: f32 = acc0 / f32(32.0);
    fib_wg_f32[3864 + -owner * 8 + flat] = s2;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 17: k17_rsqrt_output_LayerNorm (9 op(s); alone it would end because: contains a reduction and would be recomputed for every read by broadcast)
  for (var e = i32(lid); e < 8; e += 64) {
    let flat = owner * 8 + e;
    let i0 = flat / 8;
    let i1 = flat % 8;
    var acc0: f32 = 0.0;
    let s2: f32 = fib_wg_f32[3864 + -owner * 8 + i0 * 8 + i1];
    for (var r0: i32 = 0; r0 < 32 + fib_z; r0++) {
      let s1: f32 = arena2[fib_b21 + i0 * 256 + i1 * 32 + r0];
      let s3: f32 = s1 - s2;
      let s4: f32 = s3 * s3;
      acc0 = acc0 + s4;
    }
    let s5: f32 = acc0 / f32(32.0);
    let s6: f32 = s5 + f32(0.00001);
    let s7: f32 = inverseSqrt(s6);
    fib_wg_f32[3872 + -owner * 8 + flat] = s7;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 18: k18_add_output_LayerNorm (10 op(s); alone it would end because: graph output "out")
  for (var e = i32(lid); e < 256; e += 64) {
    let flat = owner * 256 + e;
    let i0 = flat / 256;
    let i1 = flat / 32 % 8;
    let i2 = flat % 32;
    let s0: f32 = arena2[fib_b21 + i0 * 256 + i1 * 32 + i2];
    let s1: f32 = fib_wg_f32[3864 + -owner * 8 + i0 * 8 + i1];
    let s2: f32 = s0 - s1;
    let s3: f32 = fib_wg_f32[3872 + -owner * 8 + i0 * 8 + i1];
    let s4: f32 = s2 * s3;
    let s5: f32 = arena0[fib_b25 + i2];
    let s6: f32 = s4 * s5;
    let s7: f32 = arena0[fib_b26 + i2];
    let s8: f32 = s6 + s7;
    arena1[fib_b24 + flat] = s8;
  }
  storageBarrier();
  workgroupBarrier();
}

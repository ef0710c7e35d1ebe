// k0_div_norm1__k22 — end of the graph
// fiberc owner-phased kernel: one workgroup per owner (batch element) runs every phase for
// its owner's part of each tensor; barriers separate the phases. The planner proved that no
// phase reads another owner's part of anything an earlier phase wrote.
@group(0) @binding(0) var<storage, read> buf0: array<f32>;
@group(0) @binding(1) var<storage, read> arena0: array<f32>;
@group(0) @binding(2) var<storage, read_write> arena2: array<f32>;
@group(0) @binding(3) var<storage, read> buf27: array<f32>;
@group(0) @binding(4) var<storage, read> buf31: array<f32>;
@group(0) @binding(5) var<storage, read_write> arena1: array<f32>;
// Where this dispatch's tensors start in their arenas (elements): dispatches that differ only
// there share this shader, each bound to its own offsets.
struct FibBases {
  v: array<vec4<i32>, 8>,
}
@group(0) @binding(6) var<uniform> fib_bases: FibBases;
// Intermediates private to this dispatch: each workgroup keeps its owner's part on chip.
var<workgroup> fib_wg_f32: array<f32, 3800>;
var<workgroup> fib_wg_i32: array<i32, 16>;

fn fib_erf(x: f32) -> f32 {
  let t = 1.0 / (1.0 + 0.3275911 * abs(x));
  let y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * exp(-x * x);
  return select(-y, y, x >= 0.0);
}

fn fib_idiv(a: i32, b: i32) -> i32 {
  let q = a / b;
  return select(select(q, q - 1, (a % b != 0) && ((a < 0) != (b < 0))), 0, b == 0);
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
  let fib_b27 = fib_bases.v[6].w;
  let fib_b28 = fib_bases.v[7].x;
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
    fib_wg_f32[-owner * 16 + flat] = s2;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 1: k1_rsqrt_norm1 (9 op(s); alone it would end because: contains a reduction and would be recomputed for every read by broadcast)
  for (var e = i32(lid); e < 16; e += 64) {
    let flat = owner * 16 + e;
    let i0 = flat / 16;
    let i1 = flat % 16;
    var acc0: f32 = 0.0;
    let s2: f32 = fib_wg_f32[-owner * 16 + i0 * 16 + i1];
    for (var r0: i32 = 0; r0 < 32 + fib_z; r0++) {
      let s1: f32 = buf0[i0 * 512 + i1 * 32 + r0];
      let s3: f32 = s1 - s2;
      let s4: f32 = s3 * s3;
      acc0 = acc0 + s4;
    }
    let s5: f32 = acc0 / f32(32.0);
    let s6: f32 = s5 + f32(0.00001);
    let s7: f32 = inverseSqrt(s6);
    fib_wg_f32[16 + -owner * 16 + flat] = s7;
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
    let s1: f32 = fib_wg_f32[-owner * 16 + i0 * 16 + i1];
    let s2: f32 = s0 - s1;
    let s3: f32 = fib_wg_f32[16 + -owner * 16 + i0 * 16 + i1];
    let s4: f32 = s2 * s3;
    let s5: f32 = arena0[fib_b0 + i2];
    let s6: f32 = s4 * s5;
    let s7: f32 = arena0[fib_b1 + i2];
    let s8: f32 = s6 + s7;
    fib_wg_f32[32 + -owner * 512 + flat] = s8;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 3: k3_add_attn_qkv (13 op(s); a 4x4 register tile per invocation; alone it would end because: contains a reduction and would be recomputed for every read by reshape -> permute (used 3 times))
  for (var e = i32(lid); e < 96; e += 64) {
    let flat = owner * 96 + e;
    let i0 = flat / 24;
    let tile_m = 0;
    let tile_n = flat % 24;
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
      let s0: f32 = fib_wg_f32[32 + -owner * 512 + ((i0) / 4) * 512 + ((((((i0) / 2)) % 2) * 2 + ((m0) / 2) + 1) % 4) * 128 + ((((i0) % 2) * 2 + ((m0) % 2) + 1) % 4) * 32 + r0_1];
      let s1: f32 = fib_wg_f32[32 + -owner * 512 + ((i0) / 4) * 512 + ((((((i0) / 2)) % 2) * 2 + ((m0 + 1) / 2) + 1) % 4) * 128 + ((((i0) % 2) * 2 + ((m0 + 1) % 2) + 1) % 4) * 32 + r0_1];
      let s2: f32 = fib_wg_f32[32 + -owner * 512 + ((((((i0) / 2)) % 2) + 1) % 2) * 256 + ((i0) / 4) * 512 + ((m0) / 2) * 128 + ((((i0) % 2) * 2 + ((m0) % 2) + 1) % 4) * 32 + r0_1];
      let s3: f32 = fib_wg_f32[32 + -owner * 512 + ((i0) / 4) * 512 + ((((((i0) / 2)) % 2) * 2 + ((m0 + 1) / 2) + 2) % 4) * 128 + ((((i0) % 2) * 2 + ((m0 + 1) % 2) + 1) % 4) * 32 + r0_1];
      let s4: f32 = arena0[fib_b2 + r0_1 + tile_n * 32];
      let s5: f32 = arena0[fib_b2 + r0_1 + tile_n * 32 + 768];
      let s6: f32 = arena0[fib_b2 + r0_1 + tile_n * 32 + 1536];
      let s7: f32 = arena0[fib_b2 + r0_1 + tile_n * 32 + 2304];
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
    let s8: f32 = arena0[fib_b3 + tile_n];
    let s10: f32 = arena0[fib_b3 + tile_n + 24];
    let s12: f32 = arena0[fib_b3 + tile_n + 48];
    let s14: f32 = arena0[fib_b3 + tile_n + 72];
    for (var ti: i32 = 0; ti < 4 + fib_z; ti++) {
      let s9: f32 = tile_acc[ti][0] + s8;
      let s11: f32 = tile_acc[ti][1] + s10;
      let s13: f32 = tile_acc[ti][2] + s12;
      let s15: f32 = tile_acc[ti][3] + s14;
      if (m0 + ti < 4 && tile_n < 96) {
        fib_wg_f32[544 + -owner * 1536 + i0 * 384 + m0 * 96 + ti * 96 + tile_n] = s9;
      }
      if (m0 + ti < 4 && tile_n + 24 < 96) {
        fib_wg_f32[544 + -owner * 1536 + i0 * 384 + m0 * 96 + ti * 96 + tile_n + 24] = s11;
      }
      if (m0 + ti < 4 && tile_n + 48 < 96) {
        fib_wg_f32[544 + -owner * 1536 + i0 * 384 + m0 * 96 + ti * 96 + tile_n + 48] = s13;
      }
      if (m0 + ti < 4 && tile_n + 72 < 96) {
        fib_wg_f32[544 + -owner * 1536 + i0 * 384 + m0 * 96 + ti * 96 + tile_n + 72] = s15;
      }
    }
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
    fib_wg_i32[flat] = s11;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 5: k5_gather_attn (1 op(s); depends on no input: every workgroup computes its own copy; alone it would end because: gather result is re-read downstream by permute -> reshape -> broadcast)
  for (var e = i32(lid); e < 32; e += 64) {
    let flat = e;
    let i0 = flat / 8;
    let i1 = flat / 2 % 4;
    let i2 = flat % 2;
    let s0: i32 = fib_wg_i32[i0 * 4 + i1];
    let v1 = s0;
    var s4: f32 = 0.0;
    if ((v1) >= 0 && (v1) < 9) {
      let s1: i32 = max(s0, i32(0));
      let s2: i32 = min(s1, i32(8));
      let v2 = s2;
      let s3: f32 = arena0[fib_b4 + i2 + v2 * 2];
      s4 = s3;
    }
    fib_wg_f32[2080 + flat] = s4;
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
    fib_wg_f32[2112 + flat] = s10;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 7: k7_where_attn (13 op(s); depends on no input: every workgroup computes its own copy; alone it would end because: would be recomputed for every read by reshape -> broadcast)
  for (var e = i32(lid); e < 64; e += 64) {
    let flat = e;
    let i0 = flat / 16;
    let i1 = flat / 4 % 4;
    let i2 = flat % 4;
    let s0: f32 = fib_wg_f32[2112 + ((i0) % 2) * 2 + ((i0) / 2) * 8 + ((i1) % 2) + ((i1) / 2) * 4];
    let s1: f32 = fib_wg_f32[2112 + ((i0) % 2) * 2 + ((i0) / 2) * 8 + ((i2) % 2) + ((i2) / 2) * 4];
    let s2: f32 = select(0.0, 1.0, s0 != s1);
    let s3: f32 = select(f32(0.0), f32(-100.0), s2 != 0.0);
    fib_wg_f32[2128 + flat] = s3;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 8: k8_matmul_attn (30 op(s); alone it would end because: attention: online-softmax template (scores and probabilities are never stored))
  for (var e = i32(lid); e < 32; e += 64) {
    let flat = owner * 32 + e;
    let i0 = flat / 8;
    let i1 = flat / 4 % 2;
    let i2 = flat % 4;
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
    for (var r0: i32 = 0; r0 < 4 + fib_z; r0++) {
      var acc0: f32 = 0.0;
      for (var r1: i32 = 0; r1 < 16 + fib_z; r1++) {
        let s1: f32 = fib_wg_f32[544 + -owner * 1536 + ((i0) % 4) * 384 + ((i0) / 4) * 1536 + i1 * 16 + i2 * 96 + r1];
        let s2: f32 = s1 * f32(0.25);
        let s3: f32 = fib_wg_f32[544 + -owner * 1536 + ((i0) % 4) * 384 + ((i0) / 4) * 1536 + i1 * 16 + r0 * 96 + r1 + 32];
        let s4: f32 = s2 * s3;
        acc0 = acc0 + s4;
      }
      let s5: f32 = fib_wg_f32[2080 + i1 + i2 * 8 + r0 * 2];
      let s6: f32 = fib_wg_f32[2128 + ((i0) % 4) * 16 + i2 * 4 + r0];
      let s7: f32 = s5 + s6;
      let s8: f32 = acc0 + s7;
      let s9: f32 = fib_wg_f32[544 + -owner * 1536 + i0 * 384 + i1 * 16 + r0 * 96 + 64];
      let s10: f32 = fib_wg_f32[544 + -owner * 1536 + i0 * 384 + i1 * 16 + r0 * 96 + 65];
      let s11: f32 = fib_wg_f32[544 + -owner * 1536 + i0 * 384 + i1 * 16 + r0 * 96 + 66];
      let s12: f32 = fib_wg_f32[544 + -owner * 1536 + i0 * 384 + i1 * 16 + r0 * 96 + 67];
      let s13: f32 = fib_wg_f32[544 + -owner * 1536 + i0 * 384 + i1 * 16 + r0 * 96 + 68];
      let s14: f32 = fib_wg_f32[544 + -owner * 1536 + i0 * 384 + i1 * 16 + r0 * 96 + 69];
      let s15: f32 = fib_wg_f32[544 + -owner * 1536 + i0 * 384 + i1 * 16 + r0 * 96 + 70];
      let s16: f32 = fib_wg_f32[544 + -owner * 1536 + i0 * 384 + i1 * 16 + r0 * 96 + 71];
      let s17: f32 = fib_wg_f32[544 + -owner * 1536 + i0 * 384 + i1 * 16 + r0 * 96 + 72];
      let s18: f32 = fib_wg_f32[544 + -owner * 1536 + i0 * 384 + i1 * 16 + r0 * 96 + 73];
      let s19: f32 = fib_wg_f32[544 + -owner * 1536 + i0 * 384 + i1 * 16 + r0 * 96 + 74];
      let s20: f32 = fib_wg_f32[544 + -owner * 1536 + i0 * 384 + i1 * 16 + r0 * 96 + 75];
      let s21: f32 = fib_wg_f32[544 + -owner * 1536 + i0 * 384 + i1 * 16 + r0 * 96 + 76];
      let s22: f32 = fib_wg_f32[544 + -owner * 1536 + i0 * 384 + i1 * 16 + r0 * 96 + 77];
      let s23: f32 = fib_wg_f32[544 + -owner * 1536 + i0 * 384 + i1 * 16 + r0 * 96 + 78];
      let s24: f32 = fib_wg_f32[544 + -owner * 1536 + i0 * 384 + i1 * 16 + r0 * 96 + 79];
      let new_max = max(run_max, s8);
      let rescale = exp(run_max - new_max);
      let weight = exp(s8 - new_max);
      run_sum = run_sum * rescale + weight;
      acc_0 = acc_0 * rescale + weight * s9;
      acc_1 = acc_1 * rescale + weight * s10;
      acc_2 = acc_2 * rescale + weight * s11;
      acc_3 = acc_3 * rescale + weight * s12;
      acc_4 = acc_4 * rescale + weight * s13;
      acc_5 = acc_5 * rescale + weight * s14;
      acc_6 = acc_6 * rescale + weight * s15;
      acc_7 = acc_7 * rescale + weight * s16;
      acc_8 = acc_8 * rescale + weight * s17;
      acc_9 = acc_9 * rescale + weight * s18;
      acc_10 = acc_10 * rescale + weight * s19;
      acc_11 = acc_11 * rescale + weight * s20;
      acc_12 = acc_12 * rescale + weight * s21;
      acc_13 = acc_13 * rescale + weight * s22;
      acc_14 = acc_14 * rescale + weight * s23;
      acc_15 = acc_15 * rescale + weight * s24;
      run_max = new_max;
    }
    let inv_sum = select(0.0, 1.0 / run_sum, run_sum > 0.0);
    fib_wg_f32[2192 + -owner * 512 + flat * 16 + 0] = acc_0 * inv_sum;
    fib_wg_f32[2192 + -owner * 512 + flat * 16 + 1] = acc_1 * inv_sum;
    fib_wg_f32[2192 + -owner * 512 + flat * 16 + 2] = acc_2 * inv_sum;
    fib_wg_f32[2192 + -owner * 512 + flat * 16 + 3] = acc_3 * inv_sum;
    fib_wg_f32[2192 + -owner * 512 + flat * 16 + 4] = acc_4 * inv_sum;
    fib_wg_f32[2192 + -owner * 512 + flat * 16 + 5] = acc_5 * inv_sum;
    fib_wg_f32[2192 + -owner * 512 + flat * 16 + 6] = acc_6 * inv_sum;
    fib_wg_f32[2192 + -owner * 512 + flat * 16 + 7] = acc_7 * inv_sum;
    fib_wg_f32[2192 + -owner * 512 + flat * 16 + 8] = acc_8 * inv_sum;
    fib_wg_f32[2192 + -owner * 512 + flat * 16 + 9] = acc_9 * inv_sum;
    fib_wg_f32[2192 + -owner * 512 + flat * 16 + 10] = acc_10 * inv_sum;
    fib_wg_f32[2192 + -owner * 512 + flat * 16 + 11] = acc_11 * inv_sum;
    fib_wg_f32[2192 + -owner * 512 + flat * 16 + 12] = acc_12 * inv_sum;
    fib_wg_f32[2192 + -owner * 512 + flat * 16 + 13] = acc_13 * inv_sum;
    fib_wg_f32[2192 + -owner * 512 + flat * 16 + 14] = acc_14 * inv_sum;
    fib_wg_f32[2192 + -owner * 512 + flat * 16 + 15] = acc_15 * inv_sum;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 9: k9_add_attn_proj (9 op(s); a 4x4 register tile per invocation; alone it would end because: contains a reduction and would be recomputed for every read by reshape -> permute -> reshape -> roll -> roll -> reshape (used 3 times))
  for (var e = i32(lid); e < 32; e += 64) {
    let flat = owner * 32 + e;
    let i0 = flat / 8;
    let tile_m = 0;
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
      let s0: f32 = fib_wg_f32[2192 + -owner * 512 + ((r0_1) % 16) + ((r0_1) / 16) * 64 + i0 * 128 + m0 * 16];
      let s1: f32 = fib_wg_f32[2192 + -owner * 512 + ((r0_1) % 16) + ((r0_1) / 16) * 64 + i0 * 128 + m0 * 16 + 16];
      let s2: f32 = fib_wg_f32[2192 + -owner * 512 + ((r0_1) % 16) + ((r0_1) / 16) * 64 + i0 * 128 + m0 * 16 + 32];
      let s3: f32 = fib_wg_f32[2192 + -owner * 512 + ((r0_1) % 16) + ((r0_1) / 16) * 64 + i0 * 128 + m0 * 16 + 48];
      let s4: f32 = arena0[fib_b5 + r0_1 + tile_n * 32];
      let s5: f32 = arena0[fib_b5 + r0_1 + tile_n * 32 + 256];
      let s6: f32 = arena0[fib_b5 + r0_1 + tile_n * 32 + 512];
      let s7: f32 = arena0[fib_b5 + r0_1 + tile_n * 32 + 768];
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
    let s8: f32 = arena0[fib_b6 + tile_n];
    let s10: f32 = arena0[fib_b6 + tile_n + 8];
    let s12: f32 = arena0[fib_b6 + tile_n + 16];
    let s14: f32 = arena0[fib_b6 + tile_n + 24];
    for (var ti: i32 = 0; ti < 4 + fib_z; ti++) {
      let s9: f32 = tile_acc[ti][0] + s8;
      let s11: f32 = tile_acc[ti][1] + s10;
      let s13: f32 = tile_acc[ti][2] + s12;
      let s15: f32 = tile_acc[ti][3] + s14;
      if (m0 + ti < 4 && tile_n < 32) {
        fib_wg_f32[2704 + -owner * 512 + i0 * 128 + m0 * 32 + ti * 32 + tile_n] = s9;
      }
      if (m0 + ti < 4 && tile_n + 8 < 32) {
        fib_wg_f32[2704 + -owner * 512 + i0 * 128 + m0 * 32 + ti * 32 + tile_n + 8] = s11;
      }
      if (m0 + ti < 4 && tile_n + 16 < 32) {
        fib_wg_f32[2704 + -owner * 512 + i0 * 128 + m0 * 32 + ti * 32 + tile_n + 16] = s13;
      }
      if (m0 + ti < 4 && tile_n + 24 < 32) {
        fib_wg_f32[2704 + -owner * 512 + i0 * 128 + m0 * 32 + ti * 32 + tile_n + 24] = s15;
      }
    }
  }
  storageBarrier();
  workgroupBarrier();

  // phase 10: k10_div_i2t_norm (9 op(s); alone it would end because: contains a reduction and would be recomputed for every read by broadcast)
  for (var e = i32(lid); e < 16; e += 64) {
    let flat = owner * 16 + e;
    let i0 = flat / 16;
    let i1 = flat % 16;
    var acc0: f32 = 0.0;
    for (var r0: i32 = 0; r0 < 32 + fib_z; r0++) {
      let s1: f32 = fib_wg_f32[2704 + -owner * 512 + ((((((i1) % 4) + 3) % 4)) % 2) * 32 + ((((((i1) % 4) + 3) % 4)) / 2) * 128 + ((((((i1) / 4) + 3) % 4)) % 2) * 64 + ((((((i1) / 4) + 3) % 4)) / 2) * 256 + i0 * 512 + r0];
      acc0 = acc0 + s1;
    }
    let s2: f32 = acc0 / f32(32.0);
    fib_wg_f32[3216 + -owner * 16 + flat] = s2;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 11: k11_rsqrt_i2t_norm (15 op(s); alone it would end because: contains a reduction and would be recomputed for every read by broadcast)
  for (var e = i32(lid); e < 16; e += 64) {
    let flat = owner * 16 + e;
    let i0 = flat / 16;
    let i1 = flat % 16;
    var acc0: f32 = 0.0;
    let s2: f32 = fib_wg_f32[3216 + -owner * 16 + i0 * 16 + i1];
    for (var r0: i32 = 0; r0 < 32 + fib_z; r0++) {
      let s1: f32 = fib_wg_f32[2704 + -owner * 512 + ((((((i1) % 4) + 3) % 4)) % 2) * 32 + ((((((i1) % 4) + 3) % 4)) / 2) * 128 + ((((((i1) / 4) + 3) % 4)) % 2) * 64 + ((((((i1) / 4) + 3) % 4)) / 2) * 256 + i0 * 512 + r0];
      let s3: f32 = s1 - s2;
      let s4: f32 = s3 * s3;
      acc0 = acc0 + s4;
    }
    let s5: f32 = acc0 / f32(32.0);
    let s6: f32 = s5 + f32(0.00001);
    let s7: f32 = inverseSqrt(s6);
    fib_wg_f32[3232 + -owner * 16 + flat] = s7;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 12: k12_add_i2t_norm (16 op(s); alone it would end because: would be recomputed for every read by reshape -> matmul)
  for (var e = i32(lid); e < 512; e += 64) {
    let flat = owner * 512 + e;
    let i0 = flat / 512;
    let i1 = flat / 32 % 16;
    let i2 = flat % 32;
    let s0: f32 = fib_wg_f32[2704 + -owner * 512 + ((((((i1) % 4) + 3) % 4)) % 2) * 32 + ((((((i1) % 4) + 3) % 4)) / 2) * 128 + ((((((i1) / 4) + 3) % 4)) % 2) * 64 + ((((((i1) / 4) + 3) % 4)) / 2) * 256 + i0 * 512 + i2];
    let s1: f32 = fib_wg_f32[3216 + -owner * 16 + i0 * 16 + i1];
    let s2: f32 = s0 - s1;
    let s3: f32 = fib_wg_f32[3232 + -owner * 16 + i0 * 16 + i1];
    let s4: f32 = s2 * s3;
    let s5: f32 = arena0[fib_b7 + i2];
    let s6: f32 = s4 * s5;
    let s7: f32 = arena0[fib_b8 + i2];
    let s8: f32 = s6 + s7;
    fib_wg_f32[3248 + -owner * 512 + flat] = s8;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 13: k13_mul_i2t (11 op(s); a 4x4 register tile per invocation; alone it would end because: contains a reduction and would be recomputed for every read by matmul)
  for (var e = i32(lid); e < 32; e += 64) {
    let flat = owner * 32 + e;
    let i0 = flat / 32;
    let i1 = flat / 16 % 2;
    let tile_m = flat / 4 % 4;
    let tile_n = flat % 4;
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
      let s0: f32 = fib_wg_f32[3248 + -owner * 512 + i0 * 512 + m0 * 32 + r0_1];
      let s1: f32 = fib_wg_f32[3248 + -owner * 512 + i0 * 512 + m0 * 32 + r0_1 + 32];
      let s2: f32 = fib_wg_f32[3248 + -owner * 512 + i0 * 512 + m0 * 32 + r0_1 + 64];
      let s3: f32 = fib_wg_f32[3248 + -owner * 512 + i0 * 512 + m0 * 32 + r0_1 + 96];
      let s4: f32 = arena0[fib_b10 + i1 * 512 + r0_1 + tile_n * 32];
      let s5: f32 = arena0[fib_b10 + i1 * 512 + r0_1 + tile_n * 32 + 128];
      let s6: f32 = arena0[fib_b10 + i1 * 512 + r0_1 + tile_n * 32 + 256];
      let s7: f32 = arena0[fib_b10 + i1 * 512 + r0_1 + tile_n * 32 + 384];
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
    let s8: f32 = arena0[fib_b11 + i1 * 16 + tile_n];
    let s11: f32 = arena0[fib_b11 + i1 * 16 + tile_n + 4];
    let s14: f32 = arena0[fib_b11 + i1 * 16 + tile_n + 8];
    let s17: f32 = arena0[fib_b11 + i1 * 16 + tile_n + 12];
    for (var ti: i32 = 0; ti < 4 + fib_z; ti++) {
      let s9: f32 = tile_acc[ti][0] + s8;
      let s10: f32 = s9 * f32(0.25);
      let s12: f32 = tile_acc[ti][1] + s11;
      let s13: f32 = s12 * f32(0.25);
      let s15: f32 = tile_acc[ti][2] + s14;
      let s16: f32 = s15 * f32(0.25);
      let s18: f32 = tile_acc[ti][3] + s17;
      let s19: f32 = s18 * f32(0.25);
      if (m0 + ti < 16 && tile_n < 16) {
        arena2[fib_b9 + i0 * 512 + i1 * 256 + m0 * 16 + ti * 16 + tile_n] = s10;
      }
      if (m0 + ti < 16 && tile_n + 4 < 16) {
        arena2[fib_b9 + i0 * 512 + i1 * 256 + m0 * 16 + ti * 16 + tile_n + 4] = s13;
      }
      if (m0 + ti < 16 && tile_n + 8 < 16) {
        arena2[fib_b9 + i0 * 512 + i1 * 256 + m0 * 16 + ti * 16 + tile_n + 8] = s16;
      }
      if (m0 + ti < 16 && tile_n + 12 < 16) {
        arena2[fib_b9 + i0 * 512 + i1 * 256 + m0 * 16 + ti * 16 + tile_n + 12] = s19;
      }
    }
  }
  storageBarrier();
  workgroupBarrier();

  // phase 14: k14_add_i2t_kv_text (7 op(s); a 4x4 register tile per invocation; alone it would end because: contains a reduction and would be recomputed for every read by reshape -> permute (used 2 times))
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
      let s0: f32 = buf27[i0 * 256 + m0 * 32 + r0_1];
      let s1: f32 = buf27[i0 * 256 + m0 * 32 + r0_1 + 32];
      let s2: f32 = buf27[i0 * 256 + m0 * 32 + r0_1 + 64];
      let s3: f32 = buf27[i0 * 256 + m0 * 32 + r0_1 + 96];
      let s4: f32 = arena0[fib_b13 + r0_1 + tile_n * 32];
      let s5: f32 = arena0[fib_b13 + r0_1 + tile_n * 32 + 512];
      let s6: f32 = arena0[fib_b13 + r0_1 + tile_n * 32 + 1024];
      let s7: f32 = arena0[fib_b13 + r0_1 + tile_n * 32 + 1536];
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
    let s8: f32 = arena0[fib_b14 + tile_n];
    let s10: f32 = arena0[fib_b14 + tile_n + 16];
    let s12: f32 = arena0[fib_b14 + tile_n + 32];
    let s14: f32 = arena0[fib_b14 + tile_n + 48];
    for (var ti: i32 = 0; ti < 4 + fib_z; ti++) {
      let s9: f32 = tile_acc[ti][0] + s8;
      let s11: f32 = tile_acc[ti][1] + s10;
      let s13: f32 = tile_acc[ti][2] + s12;
      let s15: f32 = tile_acc[ti][3] + s14;
      if (m0 + ti < 8 && tile_n < 64) {
        arena2[fib_b12 + i0 * 512 + m0 * 64 + ti * 64 + tile_n] = s9;
      }
      if (m0 + ti < 8 && tile_n + 16 < 64) {
        arena2[fib_b12 + i0 * 512 + m0 * 64 + ti * 64 + tile_n + 16] = s11;
      }
      if (m0 + ti < 8 && tile_n + 32 < 64) {
        arena2[fib_b12 + i0 * 512 + m0 * 64 + ti * 64 + tile_n + 32] = s13;
      }
      if (m0 + ti < 8 && tile_n + 48 < 64) {
        arena2[fib_b12 + i0 * 512 + m0 * 64 + ti * 64 + tile_n + 48] = s15;
      }
    }
  }
  storageBarrier();
  workgroupBarrier();

  // phase 15: k15_mul_i2t (4 op(s); alone it would end because: would be recomputed for every read by reshape -> broadcast)
  for (var e = i32(lid); e < 8; e += 64) {
    let flat = owner * 8 + e;
    let i0 = flat / 8;
    let i1 = flat % 8;
    let s0: f32 = buf31[i0 * 8 + i1];
    let s1: f32 = f32(1.0) - s0;
    let s2: f32 = s1 * f32(-10000.0);
    fib_wg_f32[3760 + -owner * 8 + flat] = s2;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 16: k16_matmul_i2t (19 op(s); alone it would end because: attention: online-softmax template (scores and probabilities are never stored))
  for (var e = i32(lid); e < 32; e += 64) {
    let flat = owner * 32 + e;
    let i0 = flat / 32;
    let i1 = flat / 16 % 2;
    let i2 = flat % 16;
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
        let s1: f32 = arena2[fib_b9 + i0 * 512 + i1 * 256 + i2 * 16 + r1];
        let s2: f32 = arena2[fib_b12 + i0 * 512 + i1 * 16 + r0 * 64 + r1];
        let s3: f32 = s1 * s2;
        acc0 = acc0 + s3;
      }
      let s4: f32 = fib_wg_f32[3760 + -owner * 8 + i0 * 8 + r0];
      let s5: f32 = acc0 + s4;
      let s6: f32 = arena2[fib_b12 + i0 * 512 + i1 * 16 + r0 * 64 + 32];
      let s7: f32 = arena2[fib_b12 + i0 * 512 + i1 * 16 + r0 * 64 + 33];
      let s8: f32 = arena2[fib_b12 + i0 * 512 + i1 * 16 + r0 * 64 + 34];
      let s9: f32 = arena2[fib_b12 + i0 * 512 + i1 * 16 + r0 * 64 + 35];
      let s10: f32 = arena2[fib_b12 + i0 * 512 + i1 * 16 + r0 * 64 + 36];
      let s11: f32 = arena2[fib_b12 + i0 * 512 + i1 * 16 + r0 * 64 + 37];
      let s12: f32 = arena2[fib_b12 + i0 * 512 + i1 * 16 + r0 * 64 + 38];
      let s13: f32 = arena2[fib_b12 + i0 * 512 + i1 * 16 + r0 * 64 + 39];
      let s14: f32 = arena2[fib_b12 + i0 * 512 + i1 * 16 + r0 * 64 + 40];
      let s15: f32 = arena2[fib_b12 + i0 * 512 + i1 * 16 + r0 * 64 + 41];
      let s16: f32 = arena2[fib_b12 + i0 * 512 + i1 * 16 + r0 * 64 + 42];
      let s17: f32 = arena2[fib_b12 + i0 * 512 + i1 * 16 + r0 * 64 + 43];
      let s18: f32 = arena2[fib_b12 + i0 * 512 + i1 * 16 + r0 * 64 + 44];
      let s19: f32 = arena2[fib_b12 + i0 * 512 + i1 * 16 + r0 * 64 + 45];
      let s20: f32 = arena2[fib_b12 + i0 * 512 + i1 * 16 + r0 * 64 + 46];
      let s21: f32 = arena2[fib_b12 + i0 * 512 + i1 * 16 + r0 * 64 + 47];
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
    arena2[fib_b15 + flat * 16 + 0] = acc_0 * inv_sum;
    arena2[fib_b15 + flat * 16 + 1] = acc_1 * inv_sum;
    arena2[fib_b15 + flat * 16 + 2] = acc_2 * inv_sum;
    arena2[fib_b15 + flat * 16 + 3] = acc_3 * inv_sum;
    arena2[fib_b15 + flat * 16 + 4] = acc_4 * inv_sum;
    arena2[fib_b15 + flat * 16 + 5] = acc_5 * inv_sum;
    arena2[fib_b15 + flat * 16 + 6] = acc_6 * inv_sum;
    arena2[fib_b15 + flat * 16 + 7] = acc_7 * inv_sum;
    arena2[fib_b15 + flat * 16 + 8] = acc_8 * inv_sum;
    arena2[fib_b15 + flat * 16 + 9] = acc_9 * inv_sum;
    arena2[fib_b15 + flat * 16 + 10] = acc_10 * inv_sum;
    arena2[fib_b15 + flat * 16 + 11] = acc_11 * inv_sum;
    arena2[fib_b15 + flat * 16 + 12] = acc_12 * inv_sum;
    arena2[fib_b15 + flat * 16 + 13] = acc_13 * inv_sum;
    arena2[fib_b15 + flat * 16 + 14] = acc_14 * inv_sum;
    arena2[fib_b15 + flat * 16 + 15] = acc_15 * inv_sum;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 17: k17_add (20 op(s); a 4x4 register tile per invocation; alone it would end because: used by 3 consumers and contains a reduction)
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
      let s0: f32 = arena2[fib_b15 + ((r0_1) % 16) + ((r0_1) / 16) * 256 + i0 * 512 + m0 * 16];
      let s1: f32 = arena2[fib_b15 + ((r0_1) % 16) + ((r0_1) / 16) * 256 + i0 * 512 + m0 * 16 + 16];
      let s2: f32 = arena2[fib_b15 + ((r0_1) % 16) + ((r0_1) / 16) * 256 + i0 * 512 + m0 * 16 + 32];
      let s3: f32 = arena2[fib_b15 + ((r0_1) % 16) + ((r0_1) / 16) * 256 + i0 * 512 + m0 * 16 + 48];
      let s4: f32 = arena0[fib_b17 + r0_1 + tile_n * 32];
      let s5: f32 = arena0[fib_b17 + r0_1 + tile_n * 32 + 256];
      let s6: f32 = arena0[fib_b17 + r0_1 + tile_n * 32 + 512];
      let s7: f32 = arena0[fib_b17 + r0_1 + tile_n * 32 + 768];
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
    let s11: f32 = arena0[fib_b18 + 0];
    let s12: f32 = arena0[fib_b19 + tile_n];
    let s19: f32 = arena0[fib_b18 + 0];
    let s20: f32 = arena0[fib_b19 + tile_n + 8];
    let s27: f32 = arena0[fib_b18 + 0];
    let s28: f32 = arena0[fib_b19 + tile_n + 16];
    let s35: f32 = arena0[fib_b18 + 0];
    let s36: f32 = arena0[fib_b19 + tile_n + 24];
    for (var ti: i32 = 0; ti < 4 + fib_z; ti++) {
      let s8: f32 = buf0[i0 * 512 + m0 * 32 + ti * 32 + tile_n];
      let s9: f32 = fib_wg_f32[2704 + -owner * 512 + ((((((m0 + ti) % 4) + 3) % 4)) % 2) * 32 + ((((((m0 + ti) % 4) + 3) % 4)) / 2) * 128 + ((((((m0 + ti) / 4) + 3) % 4)) % 2) * 64 + ((((((m0 + ti) / 4) + 3) % 4)) / 2) * 256 + i0 * 512 + tile_n];
      let s10: f32 = s8 + s9;
      let s13: f32 = tile_acc[ti][0] + s12;
      let s14: f32 = s11 * s13;
      let s15: f32 = s10 + s14;
      let s16: f32 = buf0[i0 * 512 + m0 * 32 + ti * 32 + tile_n + 8];
      let s17: f32 = fib_wg_f32[2704 + -owner * 512 + ((((((m0 + ti) % 4) + 3) % 4)) % 2) * 32 + ((((((m0 + ti) % 4) + 3) % 4)) / 2) * 128 + ((((((m0 + ti) / 4) + 3) % 4)) % 2) * 64 + ((((((m0 + ti) / 4) + 3) % 4)) / 2) * 256 + i0 * 512 + tile_n + 8];
      let s18: f32 = s16 + s17;
      let s21: f32 = tile_acc[ti][1] + s20;
      let s22: f32 = s19 * s21;
      let s23: f32 = s18 + s22;
      let s24: f32 = buf0[i0 * 512 + m0 * 32 + ti * 32 + tile_n + 16];
      let s25: f32 = fib_wg_f32[2704 + -owner * 512 + ((((((m0 + ti) % 4) + 3) % 4)) % 2) * 32 + ((((((m0 + ti) % 4) + 3) % 4)) / 2) * 128 + ((((((m0 + ti) / 4) + 3) % 4)) % 2) * 64 + ((((((m0 + ti) / 4) + 3) % 4)) / 2) * 256 + i0 * 512 + tile_n + 16];
      let s26: f32 = s24 + s25;
      let s29: f32 = tile_acc[ti][2] + s28;
      let s30: f32 = s27 * s29;
      let s31: f32 = s26 + s30;
      let s32: f32 = buf0[i0 * 512 + m0 * 32 + ti * 32 + tile_n + 24];
      let s33: f32 = fib_wg_f32[2704 + -owner * 512 + ((((((m0 + ti) % 4) + 3) % 4)) % 2) * 32 + ((((((m0 + ti) % 4) + 3) % 4)) / 2) * 128 + ((((((m0 + ti) / 4) + 3) % 4)) % 2) * 64 + ((((((m0 + ti) / 4) + 3) % 4)) / 2) * 256 + i0 * 512 + tile_n + 24];
      let s34: f32 = s32 + s33;
      let s37: f32 = tile_acc[ti][3] + s36;
      let s38: f32 = s35 * s37;
      let s39: f32 = s34 + s38;
      if (m0 + ti < 16 && tile_n < 32) {
        arena2[fib_b16 + i0 * 512 + m0 * 32 + ti * 32 + tile_n] = s15;
      }
      if (m0 + ti < 16 && tile_n + 8 < 32) {
        arena2[fib_b16 + i0 * 512 + m0 * 32 + ti * 32 + tile_n + 8] = s23;
      }
      if (m0 + ti < 16 && tile_n + 16 < 32) {
        arena2[fib_b16 + i0 * 512 + m0 * 32 + ti * 32 + tile_n + 16] = s31;
      }
      if (m0 + ti < 16 && tile_n + 24 < 32) {
        arena2[fib_b16 + i0 * 512 + m0 * 32 + ti * 32 + tile_n + 24] = s39;
      }
    }
  }
  storageBarrier();
  workgroupBarrier();

  // phase 18: k18_div_norm2 (3 op(s); alone it would end because: contains a reduction and would be recomputed for every read by broadcast)
  for (var e = i32(lid); e < 16; e += 64) {
    let flat = owner * 16 + e;
    let i0 = flat / 16;
    let i1 = flat % 16;
    var acc0: f32 = 0.0;
    for (var r0: i32 = 0; r0 < 32 + fib_z; r0++) {
      let s1: f32 = arena2[fib_b16 + i0 * 512 + i1 * 32 + r0];
      acc0 = acc0 + s1;
    }
    let s2: f32 = acc0 / f32(32.0);
    fib_wg_f32[3768 + -owner * 16 + flat] = s2;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 19: k19_rsqrt_norm2 (9 op(s); alone it would end because: contains a reduction and would be recomputed for every read by broadcast)
  for (var e = i32(lid); e < 16; e += 64) {
    let flat = owner * 16 + e;
    let i0 = flat / 16;
    let i1 = flat % 16;
    var acc0: f32 = 0.0;
    let s2: f32 = fib_wg_f32[3768 + -owner * 16 + i0 * 16 + i1];
    for (var r0: i32 = 0; r0 < 32 + fib_z; r0++) {
      let s1: f32 = arena2[fib_b16 + i0 * 512 + i1 * 32 + r0];
      let s3: f32 = s1 - s2;
      let s4: f32 = s3 * s3;
      acc0 = acc0 + s4;
    }
    let s5: f32 = acc0 / f32(32.0);
    let s6: f32 = s5 + f32(0.00001);
    let s7: f32 = inverseSqrt(s6);
    fib_wg_f32[3784 + -owner * 16 + flat] = s7;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 20: k20_add_norm2 (10 op(s); alone it would end because: would be recomputed for every read by reshape -> matmul)
  for (var e = i32(lid); e < 512; e += 64) {
    let flat = owner * 512 + e;
    let i0 = flat / 512;
    let i1 = flat / 32 % 16;
    let i2 = flat % 32;
    let s0: f32 = arena2[fib_b16 + i0 * 512 + i1 * 32 + i2];
    let s1: f32 = fib_wg_f32[3768 + -owner * 16 + i0 * 16 + i1];
    let s2: f32 = s0 - s1;
    let s3: f32 = fib_wg_f32[3784 + -owner * 16 + i0 * 16 + i1];
    let s4: f32 = s2 * s3;
    let s5: f32 = arena0[fib_b21 + i2];
    let s6: f32 = s4 * s5;
    let s7: f32 = arena0[fib_b22 + i2];
    let s8: f32 = s6 + s7;
    arena2[fib_b20 + flat] = s8;
  }
  storageBarrier();
  workgroupBarrier();

  // phase 21: k21_mul_mlp (15 op(s); a 4x4 register tile per invocation; alone it would end because: contains a reduction and would be recomputed for every read by reshape -> matmul)
  for (var e = i32(lid); e < 128; e += 64) {
    let flat = owner * 128 + e;
    let i0 = flat / 128;
    let tile_m = flat / 32 % 4;
    let tile_n = flat % 32;
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
      let s0: f32 = arena2[fib_b20 + i0 * 512 + m0 * 32 + r0_1];
      let s1: f32 = arena2[fib_b20 + i0 * 512 + m0 * 32 + r0_1 + 32];
      let s2: f32 = arena2[fib_b20 + i0 * 512 + m0 * 32 + r0_1 + 64];
      let s3: f32 = arena2[fib_b20 + i0 * 512 + m0 * 32 + r0_1 + 96];
      let s4: f32 = arena0[fib_b24 + r0_1 + tile_n * 32];
      let s5: f32 = arena0[fib_b24 + r0_1 + tile_n * 32 + 1024];
      let s6: f32 = arena0[fib_b24 + r0_1 + tile_n * 32 + 2048];
      let s7: f32 = arena0[fib_b24 + r0_1 + tile_n * 32 + 3072];
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
    let s8: f32 = arena0[fib_b25 + tile_n];
    let s15: f32 = arena0[fib_b25 + tile_n + 32];
    let s22: f32 = arena0[fib_b25 + tile_n + 64];
    let s29: f32 = arena0[fib_b25 + tile_n + 96];
    for (var ti: i32 = 0; ti < 4 + fib_z; ti++) {
      let s9: f32 = tile_acc[ti][0] + s8;
      let s10: f32 = f32(0.5) * s9;
      let s11: f32 = s9 * f32(0.7071067811865476);
      let s12: f32 = fib_erf(s11);
      let s13: f32 = f32(1.0) + s12;
      let s14: f32 = s10 * s13;
      let s16: f32 = tile_acc[ti][1] + s15;
      let s17: f32 = f32(0.5) * s16;
      let s18: f32 = s16 * f32(0.7071067811865476);
      let s19: f32 = fib_erf(s18);
      let s20: f32 = f32(1.0) + s19;
      let s21: f32 = s17 * s20;
      let s23: f32 = tile_acc[ti][2] + s22;
      let s24: f32 = f32(0.5) * s23;
      let s25: f32 = s23 * f32(0.7071067811865476);
      let s26: f32 = fib_erf(s25);
      let s27: f32 = f32(1.0) + s26;
      let s28: f32 = s24 * s27;
      let s30: f32 = tile_acc[ti][3] + s29;
      let s31: f32 = f32(0.5) * s30;
      let s32: f32 = s30 * f32(0.7071067811865476);
      let s33: f32 = fib_erf(s32);
      let s34: f32 = f32(1.0) + s33;
      let s35: f32 = s31 * s34;
      if (m0 + ti < 16 && tile_n < 128) {
        arena2[fib_b23 + i0 * 2048 + m0 * 128 + ti * 128 + tile_n] = s14;
      }
      if (m0 + ti < 16 && tile_n + 32 < 128) {
        arena2[fib_b23 + i0 * 2048 + m0 * 128 + ti * 128 + tile_n + 32] = s21;
      }
      if (m0 + ti < 16 && tile_n + 64 < 128) {
        arena2[fib_b23 + i0 * 2048 + m0 * 128 + ti * 128 + tile_n + 64] = s28;
      }
      if (m0 + ti < 16 && tile_n + 96 < 128) {
        arena2[fib_b23 + i0 * 2048 + m0 * 128 + ti * 128 + tile_n + 96] = s35;
      }
    }
  }
  storageBarrier();
  workgroupBarrier();

  // phase 22: k22_add (8 op(s); a 4x4 register tile per invocation; alone it would end because: graph output "out")
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
    for (var r0_1: i32 = 0; r0_1 < 128 + fib_z; r0_1++) {
      let s0: f32 = arena2[fib_b23 + i0 * 2048 + m0 * 128 + r0_1];
      let s1: f32 = arena2[fib_b23 + i0 * 2048 + m0 * 128 + r0_1 + 128];
      let s2: f32 = arena2[fib_b23 + i0 * 2048 + m0 * 128 + r0_1 + 256];
      let s3: f32 = arena2[fib_b23 + i0 * 2048 + m0 * 128 + r0_1 + 384];
      let s4: f32 = arena0[fib_b27 + r0_1 + tile_n * 128];
      let s5: f32 = arena0[fib_b27 + r0_1 + tile_n * 128 + 1024];
      let s6: f32 = arena0[fib_b27 + r0_1 + tile_n * 128 + 2048];
      let s7: f32 = arena0[fib_b27 + r0_1 + tile_n * 128 + 3072];
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
    let s9: f32 = arena0[fib_b28 + tile_n];
    let s13: f32 = arena0[fib_b28 + tile_n + 8];
    let s17: f32 = arena0[fib_b28 + tile_n + 16];
    let s21: f32 = arena0[fib_b28 + tile_n + 24];
    for (var ti: i32 = 0; ti < 4 + fib_z; ti++) {
      let s8: f32 = arena2[fib_b16 + i0 * 512 + m0 * 32 + ti * 32 + tile_n];
      let s10: f32 = tile_acc[ti][0] + s9;
      let s11: f32 = s8 + s10;
      let s12: f32 = arena2[fib_b16 + i0 * 512 + m0 * 32 + ti * 32 + tile_n + 8];
      let s14: f32 = tile_acc[ti][1] + s13;
      let s15: f32 = s12 + s14;
      let s16: f32 = arena2[fib_b16 + i0 * 512 + m0 * 32 + ti * 32 + tile_n + 16];
      let s18: f32 = tile_acc[ti][2] + s17;
      let s19: f32 = s16 + s18;
      let s20: f32 = arena2[fib_b16 + i0 * 512 + m0 * 32 + ti * 32 + tile_n + 24];
      let s22: f32 = tile_acc[ti][3] + s21;
      let s23: f32 = s20 + s22;
      if (m0 + ti < 16 && tile_n < 32) {
        arena1[fib_b26 + i0 * 512 + m0 * 32 + ti * 32 + tile_n] = s11;
      }
      if (m0 + ti < 16 && tile_n + 8 < 32) {
        arena1[fib_b26 + i0 * 512 + m0 * 32 + ti * 32 + tile_n + 8] = s15;
      }
      if (m0 + ti < 16 && tile_n + 16 < 32) {
        arena1[fib_b26 + i0 * 512 + m0 * 32 + ti * 32 + tile_n + 16] = s19;
      }
      if (m0 + ti < 16 && tile_n + 24 < 32) {
        arena1[fib_b26 + i0 * 512 + m0 * 32 + ti * 32 + tile_n + 24] = s23;
      }
    }
  }
  storageBarrier();
  workgroupBarrier();
}

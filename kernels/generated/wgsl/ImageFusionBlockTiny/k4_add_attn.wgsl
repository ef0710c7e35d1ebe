// k4_add_attn — would be recomputed for every read by gather; fuses 19 op(s)
// fiberc pointwise kernel: one invocation per output element; reductions are loops.
@group(0) @binding(0) var<storage, read_write> buf10: array<i32>;

fn fib_idiv(a: i32, b: i32) -> i32 {
  let q = a / b;
  return select(q, q - 1, (a % b != 0) && ((a < 0) != (b < 0)));
}

fn fib_imod(a: i32, b: i32) -> i32 {
  let r = a % b;
  return select(r, r + b, r != 0 && ((r < 0) != (b < 0)));
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let flat = i32(gid.x + gid.y * groups.x * 64u);
  if (flat >= 16) {
    return;
  }
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
  buf10[flat] = s11;
}

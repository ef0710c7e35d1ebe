import { idx } from '../../compile/index-expr.js';
import type { Kernel } from '../../compile/kernel-ir.js';
import { substituteVar } from '../../compile/tile.js';
import { decomposeFlat, f32Literal, LOG2E, scalarEmitter, type PtxFunction } from './scalar.js';

/**
 * The attention template in PTX, as in WGSL (codegen/wgsl/emit.ts): a thread computes one
 * query row — register `flat` numbers rows — in one pass over the keys, keeping a running max,
 * a running sum of exponentials and one accumulator per value column, rescaled when the max
 * grows (online softmax). Scores and probabilities are never stored; a row whose every score
 * is -inf gives 0, not NaN.
 */
export function attentionLines(kernel: Kernel, fn: PtxFunction, flat: string, owner: string | undefined): string[] {
  const a = kernel.attention!;
  const { scalar, place, varRegs, loopRegs, address, buffer } = scalarEmitter(kernel, fn, owner);
  const regs = fn.regs;
  const shape = kernel.output.node.shape;
  const r = shape.length;
  // `flat` numbers rows: every output axis but the last (the value columns).
  const lines = decomposeFlat(fn, flat, shape.slice(0, -1), varRegs);
  const [runMax, runSum, newMax, rescale, weight, t] = [regs.f(), regs.f(), regs.f(), regs.f(), regs.f(), regs.f()];
  const acc = [...Array(a.columns).keys()].map(() => regs.f());
  const main = place.blocks[0]!;
  main.push(`mov.f32 ${runMax}, ${f32Literal(-3.4028234663852886e38)};`, `mov.f32 ${runSum}, ${f32Literal(0)};`, ...acc.map((x) => `mov.f32 ${x}, ${f32Literal(0)};`));
  const counter = regs.r();
  const finished = regs.p();
  const [top, end] = [fn.label('keys'), fn.label('keys_end')];
  main.push(`mov.s32 ${counter}, 0;`);
  loopRegs.set(a.keys.name, counter);
  place.open(a.keys.name);
  const score = scalar(a.score);
  const values = acc.map((_, d) => scalar(substituteVar(a.value, `i${r - 1}`, idx.constant(d))));
  const body = place.close();
  // exp(x) as ex2(x * log2 e), as the scalar emitter computes it.
  const exp = (dst: string, x: string, y: string): string[] => [`sub.f32 ${t}, ${x}, ${y};`, `mul.f32 ${t}, ${t}, ${f32Literal(LOG2E)};`, `ex2.approx.f32 ${dst}, ${t};`];
  body.push(
    `max.f32 ${newMax}, ${runMax}, ${score};`,
    ...exp(rescale, runMax, newMax),
    ...exp(weight, score, newMax),
    `fma.rn.f32 ${runSum}, ${runSum}, ${rescale}, ${weight};`,
    ...acc.flatMap((x, d) => [`mul.f32 ${x}, ${x}, ${rescale};`, `fma.rn.f32 ${x}, ${weight}, ${values[d]}, ${x};`]),
    `mov.f32 ${runMax}, ${newMax};`,
  );
  main.push(`${top}:`, `setp.ge.s32 ${finished}, ${counter}, ${a.keys.size};`, `@${finished} bra ${end};`, ...body, `add.s32 ${counter}, ${counter}, 1;`, `bra ${top};`, `${end}:`);
  // 1 / sum, or 0 for a row with no weight at all.
  const [inv, some] = [regs.f(), regs.p()];
  main.push(`setp.gt.f32 ${some}, ${runSum}, ${f32Literal(0)};`, `rcp.rn.f32 ${inv}, ${runSum};`, `selp.f32 ${inv}, ${inv}, ${f32Literal(0)}, ${some};`);
  const out = buffer(kernel.output.id);
  acc.forEach((x, d) => {
    const [at, v] = [regs.r(), regs.f()];
    main.push(`mad.lo.s32 ${at}, ${flat}, ${a.columns}, ${d};`, `mul.f32 ${v}, ${x}, ${inv};`);
    main.push(`st.${out.space}.f32 [${address(main, out, at)}], ${v};`);
  });
  return [...lines, ...main];
}

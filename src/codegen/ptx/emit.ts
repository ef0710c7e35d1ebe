import type { Kernel, ScalarType } from '../../compile/kernel-ir.js';
import { workItems } from '../../compile/kernel-ir.js';
import { blockIndex, decomposeFlat, entryText, PtxFunction, scalarEmitter, type EntryText } from './scalar.js';
import { attentionLines } from './attention.js';
import { mmaEntry } from './mma.js';
import type { DispatchSchedule, ScheduledPlan } from '../../compile/schedule.js';
import type { BindingSource } from '../../compile/bindings.js';
import { registerTileEntry } from './register-tile.js';
import { dispatchName, type Dispatch, type Plan, type PlannedKernel } from '../../compile/plan.js';

/**
 * PTX from the kernel IR: one `.entry` per dispatch — a plain kernel (one thread per output
 * element), an owner-phased dispatch (one thread block per owner, `bar.sync` between phases,
 * workgroup-scope tensors in `.shared`), the attention template, or a tiled matmul (f32
 * register tiles, or `mma.sync` tensor cores for f16/bf16 operands). Typed virtual registers
 * (%f f32, %r s32, %rd u64 addresses, %p predicates) are declared up front; reductions are
 * counted loops with predicated branches; scalars that do not depend on a loop's variable are
 * computed before the loop. Every kernel has an f32 path. Math follows the interpreter
 * (spec/ir.md): exp/log through ex2/lg2 with the conversion constants, erf by the same
 * polynomial as WGSL, tanh from exp, C99 pow, NaN-propagating max/min.
 */

/** Architectures fiberc emits for, and the PTX ISA version each needs. */
export const PTX_ARCHS = ['sm_80', 'sm_90', 'sm_90a'] as const;
export type PtxArch = (typeof PTX_ARCHS)[number];
const PTX_VERSION: Record<PtxArch, string> = { sm_80: '8.0', sm_90: '8.0', sm_90a: '8.0' };

/** A PTX module: the text and the entry names it defines. */
export interface PtxModule {
  readonly source: string;
  /** Per entry: its name, the sources of its parameters (its binding table, in order) and its launch geometry. */
  readonly entries: readonly { readonly name: string; readonly bindings: readonly BindingSource[]; readonly threads: number; readonly blocks: readonly [number, number] }[];
}


/**
 * The instructions computing `kernel`'s value for the element whose row-major index is in
 * register `flat`, ending with its store. `owner` (owner-phased entries) addresses replicas.
 */
function phaseLines(kernel: Kernel, fn: PtxFunction, flat: string, owner: string | undefined): string[] {
  if (kernel.attention) return attentionLines(kernel, fn, flat, owner);
  const { scalar, place, varRegs, address, buffer } = scalarEmitter(kernel, fn, owner);
  const { blocks } = place;
  const out = buffer(kernel.output.id);
  const decompose = decomposeFlat(fn, flat, kernel.output.node.shape, varRegs);
  const result = scalar(kernel.value);
  const store: string[] = [];
  const addr = address(store, out, flat);
  store.push(`st.${out.space}.${kernel.output.type === 'i32' ? 's32' : 'f32'} [${addr}], ${result};`);
  return [...decompose, ...blocks[0]!, ...store];
}

/** One plain kernel: a thread per output element (the attention template: per query row). */
function singleEntry(k: PlannedKernel, plan: Plan, { threads, items, bindings }: DispatchSchedule): EntryText {
  const fn = new PtxFunction(k.kernel.name, plan, false, bindings);
  const header: string[] = [];
  const block = blockIndex(fn, header);
  const [ntid, tid, flat] = [fn.regs.r(), fn.regs.r(), fn.regs.r()];
  const exit = fn.regs.p();
  const done = fn.label('exit');
  header.push(`mov.u32 ${ntid}, %ntid.x;`, `mov.u32 ${tid}, %tid.x;`, `mad.lo.s32 ${flat}, ${block}, ${ntid}, ${tid};`, `setp.ge.s32 ${exit}, ${flat}, ${items};`, `@${exit} bra ${done};`);
  const body = [...header, ...phaseLines(k.kernel, fn, flat, undefined), `${done}:`, 'ret;'];
  return { lines: entryText(fn, `${k.kernel.name}: ${k.reason}; fuses ${k.kernel.fused.length} op(s)`, threads, body), fn };
}

/**
 * An owner-phased dispatch: one block per owner (batch element) runs every phase over its
 * owner's part, the block's threads striding over the elements, with bar.sync between phases
 * (the same plan, and the same proof of legality, as the WGSL owner-phased shaders).
 */
function ownerEntry(d: Dispatch, plan: Plan, name: string, { threads, bindings }: DispatchSchedule): EntryText {
  const fn = new PtxFunction(name, plan, true, bindings);
  const owners = d.owners!;
  const body: string[] = [];
  const owner = blockIndex(fn, body);
  const [tid, ntid] = [fn.regs.r(), fn.regs.r()];
  const skip = fn.regs.p();
  const done = fn.label('exit');
  body.push(`mov.u32 ${tid}, %tid.x;`, `mov.u32 ${ntid}, %ntid.x;`, `setp.ge.s32 ${skip}, ${owner}, ${owners};`, `@${skip} bra ${done};`);
  for (const [type, n] of Object.entries(d.workgroupWords ?? {})) if (n > 0) fn.shared.set(type as ScalarType, n);
  for (const p of d.phases) {
    const whole = (plan.tensors.get(p.kernel.output.id)?.replicas ?? 1) > 1;
    const chunk = workItems(p.kernel) / (whole ? 1 : owners);
    const [e, flat] = [fn.regs.r(), fn.regs.r()];
    const over = fn.regs.p();
    const [top, end] = [fn.label('phase'), fn.label('phase_end')];
    body.push(`// phase ${p.kernel.name}`, `mov.s32 ${e}, ${tid};`, `${top}:`, `setp.ge.s32 ${over}, ${e}, ${chunk};`, `@${over} bra ${end};`,
      whole ? `mov.s32 ${flat}, ${e};` : `mad.lo.s32 ${flat}, ${owner}, ${chunk}, ${e};`,
      ...phaseLines(p.kernel, fn, flat, owner), `add.s32 ${e}, ${e}, ${ntid};`, `bra ${top};`, `${end}:`, 'bar.sync 0;');
  }
  body.push(`${done}:`, 'ret;');
  return { lines: entryText(fn, `${name}: ${d.phases.length} phases, one block per batch element; ${d.reason}`, threads, body), fn };
}

/** The module header for an architecture. */
export function ptxHeader(arch: PtxArch): string[] {
  return [`// fiberc PTX for ${arch}`, `.version ${PTX_VERSION[arch]}`, `.target ${arch}`, '.address_size 64', ''];
}

/**
 * The dispatches of a plan as one PTX module for `arch` (all, or those named in `only`): a
 * plain entry per single kernel, an owner-phased entry per stitched dispatch; attention
 * kernels run the online-softmax template (attention.ts).
 */
export function emitPtx(plan: ScheduledPlan, arch: PtxArch, only?: ReadonlySet<string>): PtxModule {
  const entries: PtxModule['entries'][number][] = [];
  const parts = ptxHeader(arch);
  for (const d of plan.dispatches) {
    const name = dispatchName(d);
    if (only && !only.has(name)) continue;
    const s = d.schedule;
    const e = s.strategy.kind === 'tensor-core' ? mmaEntry(d.phases[0]!, plan, s.strategy.tile, s.strategy.precision, s)
      : s.strategy.kind === 'register-tile' ? registerTileEntry(d.phases[0]!, plan, s.strategy.tile, s)
        : s.strategy.kind === 'owner-phased' ? ownerEntry(d, plan, name, s) : singleEntry(d.phases[0]!, plan, s);
    parts.push(...e.lines, '');
    entries.push({ name: e.fn.name, bindings: s.bindings.map((b) => b.source), threads: s.threads, blocks: s.grid });
  }
  return { source: parts.join('\n'), entries };
}

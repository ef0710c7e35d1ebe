import { numel } from '../ir/shape.js';
import { dispatchName, type Plan } from './plan-types.js';
import { describeSchedule, type ScheduledDispatch, type ScheduledPlan } from './schedule.js';

/** One kernel launch (dispatch) of a plan as `fiberc plan --json` reports it. */
export interface KernelReport {
  readonly name: string;
  /** The planned kernels this dispatch runs as phases (one unless stitched by owner). */
  readonly phases: readonly string[];
  /** Workgroups per owner-phased dispatch are one per owner (batch element); null for plain kernels. */
  readonly owners: number | null;
  /** The primitive ops fused into this kernel, by kind (e.g. "matmul", "binary:add"). */
  readonly ops: readonly string[];
  readonly flops: number;
  readonly bytesRead: number;
  readonly bytesWritten: number;
  readonly workgroupMemory: number;
  readonly workgroupSize: number;
  readonly workgroups: readonly number[];
  /** How the schedule computes it (`tile 32x4 sg8`, `vec4`, `mma f16`, `owner-phased`...); absent for an unscheduled plan. */
  readonly strategy?: string;
  /** Buffers it binds (its binding table's length). */
  readonly bindings?: number;
  /** Why this kernel ends where it does (what stopped fusion into the consumer). */
  readonly reason: string;
  /** Depends only on params and constants: run once per parameter upload, not every run. */
  readonly paramOnly: boolean;
  /** For PTX targets: ptxas's resource report for this kernel. */
  readonly ptxas?: { readonly registers: number; readonly sharedBytes: number; readonly spillStores: number; readonly spillLoads: number };
}

/** A whole plan: `dispatches` is the number of kernel launches of one forward run. */
export interface PlanReport {
  readonly entry: string;
  readonly target: string;
  readonly mode: string;
  readonly dispatches: number;
  /**
   * Distinct kernels among the dispatches (WGSL: distinct shader sources; a runtime compiles
   * identical ones once); absent when the code is not known.
   */
  readonly distinctKernels?: number;
  readonly flops: number;
  readonly bytesRead: number;
  readonly bytesWritten: number;
  /** Device memory the plan allocates, in bytes (scratch after sharing by liveness). */
  readonly memory: { readonly params: number; readonly scratch: number; readonly outputs: number; readonly inputs: number; readonly total: number };
  readonly limits: Plan['limits'];
  readonly kernels: readonly KernelReport[];
}

/** What a code generator adds to a plan's report. */
export interface ReportExtras {
  /** ptxas's resource report per entry (PTX targets). */
  readonly ptxas?: readonly (KernelReport['ptxas'] & { readonly name: string })[];
  /** The code of each dispatch, to count distinct kernels. */
  readonly code?: readonly string[];
}

/** The measurable facts of a plan, for `fiberc plan`, the demo and the benchmarks. */
export function reportPlan(plan: Plan | ScheduledPlan, entry: string, target: string, { ptxas, code }: ReportExtras = {}): PlanReport {
  const kernels: KernelReport[] = plan.dispatches.map((d) => ({
    name: d.phases.length === 1 ? d.phases[0]!.kernel.name : `${d.phases[0]!.kernel.name}..${d.phases[d.phases.length - 1]!.kernel.name.split('_')[0]}`,
    phases: d.phases.map((p) => p.kernel.name),
    owners: d.owners,
    ops: d.phases.flatMap((p) => p.kernel.fused.map((n) => (n.op.kind === 'unary' || n.op.kind === 'binary' || n.op.kind === 'reduce' ? `${n.op.kind}:${n.op.fn}` : n.op.kind))),
    flops: d.phases.reduce((s, p) => s + p.kernel.flops, 0),
    bytesRead: d.phases.reduce((s, p) => s + p.kernel.bytesRead, 0),
    bytesWritten: d.phases.reduce((s, p) => s + p.kernel.bytesWritten, 0),
    workgroupMemory: Object.values(d.workgroupWords ?? {}).reduce((a, n) => a + n * 4, 0),
    ...scheduleFacts(d),
    reason: d.reason,
    paramOnly: d.paramOnly === true,
    ...(ptxas ? { ptxas: ptxas.find((p) => p.name === dispatchName(d)) } : {}),
  }));
  const sum = (f: (k: KernelReport) => number): number => kernels.reduce((s, k) => s + f(k), 0);
  return {
    entry, target, mode: plan.mode, dispatches: kernels.length, ...(code ? { distinctKernels: new Set(code).size } : {}),
    flops: sum((k) => k.flops), bytesRead: sum((k) => k.bytesRead), bytesWritten: sum((k) => k.bytesWritten),
    memory: deviceMemory(plan), limits: plan.limits, kernels,
  };
}

/** A dispatch's launch as scheduled (a register tile launches one invocation per tile), else as planned. */
function scheduleFacts(d: Plan['dispatches'][number] | ScheduledDispatch): Pick<KernelReport, 'workgroupSize' | 'workgroups' | 'strategy' | 'bindings'> {
  if (!('schedule' in d)) return { workgroupSize: d.workgroupSize, workgroups: d.workgroups };
  const s = d.schedule;
  return { workgroupSize: s.threads, workgroups: s.grid, strategy: describeSchedule(s), bindings: s.bindings.length };
}

/** Bytes of each arena role, of the inputs' own buffers, and their total. */
function deviceMemory(plan: Plan): PlanReport['memory'] {
  const role = (r: string): number => plan.arenas.filter((a) => a.role === r).reduce((s, a) => s + a.length * 4, 0);
  const inputs = [...plan.tensors.values()].filter((t) => !t.arena && !t.workgroup).reduce((s, t) => s + numel(t.ref.node.shape) * 4, 0);
  const [params, scratch, outputs] = [role('params'), role('scratch'), role('outputs')];
  return { params, scratch, outputs, inputs, total: params + scratch + outputs + inputs };
}

const si = (n: number): string => (n >= 1e9 ? `${(n / 1e9).toFixed(2)}G` : n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(n));

/** The plan as a table, one kernel per line, with totals. */
export function formatPlan(r: PlanReport): string {
  const head = `plan for ${r.entry} on ${r.target} (${r.mode}; limits: ${r.limits.maxStorageBuffersPerShaderStage} storage buffers/stage, ${r.limits.maxComputeWorkgroupStorageSize} B workgroup memory, ${r.limits.maxComputeInvocationsPerWorkgroup} invocations/workgroup)`;
  const withPtxas = r.kernels.some((k) => k.ptxas);
  const scheduled = r.kernels.some((k) => k.strategy);
  const rows = [['kernel', 'phases', 'ops', 'FLOPs', 'read', 'written', 'wg mem', ...(scheduled ? ['computed as', 'binds'] : []), 'grid', ...(withPtxas ? ['regs', 'smem', 'spills'] : []), 'ends because']];
  for (const k of r.kernels) {
    const ops = new Map<string, number>();
    for (const o of k.ops) ops.set(o, (ops.get(o) ?? 0) + 1);
    const opText = [...ops].map(([o, n]) => (n > 1 ? `${o}x${n}` : o)).join(' ');
    rows.push([k.name, k.owners ? `${k.phases.length} (1 workgroup per batch element)` : '1', opText.length > 60 ? `${opText.slice(0, 57)}...` : opText, si(k.flops), `${si(k.bytesRead)}B`, `${si(k.bytesWritten)}B`, `${si(k.workgroupMemory)}B`, ...(scheduled ? [k.strategy ?? '', String(k.bindings ?? '')] : []), `${k.workgroups.join('x')}x${k.workgroupSize}`,
      ...(withPtxas ? [String(k.ptxas?.registers ?? '?'), `${k.ptxas?.sharedBytes ?? 0}B`, `${(k.ptxas?.spillStores ?? 0) + (k.ptxas?.spillLoads ?? 0)}B`] : []),
      `${k.paramOnly ? '[once per parameter upload] ' : ''}${k.reason}`]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  const lines = rows.map((row) => row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  '));
  const distinct = r.distinctKernels !== undefined && r.distinctKernels < r.dispatches ? ` (${r.distinctKernels} distinct kernels)` : '';
  const total = `total: ${r.dispatches} dispatches${distinct}, ${si(r.flops)} FLOPs, ${si(r.bytesRead)}B read, ${si(r.bytesWritten)}B written`;
  const m = r.memory;
  const memory = `device memory: ${si(m.total)}B (params ${si(m.params)}B, scratch ${si(m.scratch)}B shared by liveness, outputs ${si(m.outputs)}B, inputs ${si(m.inputs)}B)`;
  return [head, ...lines, total, memory].join('\n');
}

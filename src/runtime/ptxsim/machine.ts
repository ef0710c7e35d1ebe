import { BARRIER, compileEntry, EXIT, MMA, NEXT, type BlockContext, type Compiled, type Memory, type Thread } from './instructions.js';
import { warpMma, type MmaSpec } from './mma.js';
import { PtxSimError, type PtxEntry } from './parse.js';

/**
 * Runs a compiled PTX entry over a grid, block by block. Within a block every thread runs
 * until it exits or reaches a point where it needs others: `bar.sync` (all live threads of
 * the block) or `mma.sync` (all live lanes of its warp, at the same instruction). When no
 * thread can go on, the barrier or the warps' mma are completed and the threads resume;
 * anything else is a deadlock and an error.
 */
export class SimKernel {
  private readonly code: Compiled[];
  private readonly mma: Map<number, MmaSpec>;
  private readonly sharedBytes: number;

  constructor(readonly entry: PtxEntry) {
    const offsets = new Map<string, number>();
    let bytes = 0;
    for (const s of entry.shared) {
      offsets.set(s.name, bytes);
      bytes += Math.ceil(s.bytes / 16) * 16;
    }
    this.sharedBytes = bytes;
    ({ code: this.code, mma: this.mma } = compileEntry(entry, offsets));
  }

  /** Runs the grid; `params` maps each parameter name to a device address. */
  launch(grid: readonly [number, number], threads: number, params: ReadonlyMap<string, number>, global: Memory): void {
    for (let by = 0; by < grid[1]; by++) {
      for (let bx = 0; bx < grid[0]; bx++) {
        const sharedBuffer = new ArrayBuffer(Math.max(16, this.sharedBytes));
        const block: BlockContext = {
          ctaid: [bx, by], nctaid: grid, ntid: threads, global, params,
          shared: { f32: new Float32Array(sharedBuffer), i32: new Int32Array(sharedBuffer) },
        };
        this.runBlock(block, threads);
      }
    }
  }

  private runBlock(block: BlockContext, threads: number): void {
    const regs = this.entry.registers;
    const ts: Thread[] = Array.from({ length: threads }, (_, tid) => ({
      pc: 0, tid, block,
      r: new Int32Array((regs.r ?? 0) + 1), rd: new Float64Array((regs.rd ?? 0) + 1), f: new Float32Array((regs.f ?? 0) + 1), p: new Uint8Array((regs.p ?? 0) + 1),
    }));
    // Why each thread stopped: EXIT, BARRIER or MMA.
    const stopped = new Int8Array(threads);
    const code = this.code;
    let live = threads;
    while (live > 0) {
      for (let i = 0; i < threads; i++) {
        if (stopped[i] !== 0) continue;
        const t = ts[i]!;
        for (;;) {
          const r = code[t.pc]!(t);
          if (r === NEXT) t.pc++;
          else if (r >= 0) t.pc = r;
          else {
            stopped[i] = r;
            if (r === EXIT) live--;
            break;
          }
        }
      }
      let released = false;
      // Warps whose live lanes all wait at the same mma.sync run it together.
      for (let w = 0; w * 32 < threads; w++) {
        const lanes = ts.slice(w * 32, Math.min(threads, w * 32 + 32));
        const waiting = lanes.filter((_, l) => stopped[w * 32 + l] === MMA);
        if (waiting.length === 0) continue;
        if (waiting.length !== lanes.length || waiting.some((t) => t.pc !== waiting[0]!.pc)) {
          throw new PtxSimError(`${this.entry.name}: mma.sync reached by only part of warp ${w} (lanes must all execute it together)`);
        }
        warpMma(lanes, this.mma.get(waiting[0]!.pc)!);
        for (const t of lanes) {
          t.pc++;
          stopped[t.tid] = 0;
        }
        released = true;
      }
      if (released || live === 0) continue;
      // Otherwise every live thread waits at bar.sync: release them together.
      for (let i = 0; i < threads; i++) {
        if (stopped[i] === EXIT) continue;
        if (stopped[i] !== BARRIER) throw new PtxSimError(`${this.entry.name}: threads stopped without a way to go on`);
        ts[i]!.pc++;
        stopped[i] = 0;
      }
    }
  }
}

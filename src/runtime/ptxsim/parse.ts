/**
 * Parsing the PTX fiberc emits into entries the simulator runs: parameters, register
 * counts, `.shared` arrays, and the body as instruction lines with labels resolved to
 * indices. It reads fiberc's own output (one instruction per line, `;`-terminated), not
 * arbitrary PTX; anything else is rejected with the line it met.
 */

/** One instruction: optional guard predicate, opcode with its type suffixes, operands. */
export interface PtxInstruction {
  readonly guard?: { readonly reg: string; readonly negated: boolean };
  /** The opcode split at dots: `mul.lo.s32` -> ['mul', 'lo', 's32']. */
  readonly op: readonly string[];
  /** Operands as written (`%r1`, `42`, `0f3f800000`, `[%rd4]`, `{%f1, %f2}`, a label). */
  readonly args: readonly string[];
  /** 1-based line in the module, for errors. */
  readonly line: number;
}

/** A `.shared` array of an entry. */
export interface SharedArray {
  readonly name: string;
  readonly bytes: number;
}

export interface PtxEntry {
  readonly name: string;
  readonly params: readonly string[];
  readonly shared: readonly SharedArray[];
  /** Register counts per class (`%r<168>` -> r: 168). */
  readonly registers: Readonly<Record<string, number>>;
  readonly body: readonly PtxInstruction[];
  /** Label -> index of the instruction it precedes. */
  readonly labels: ReadonlyMap<string, number>;
}

/** Raised for PTX the simulator does not understand, with the offending line. */
export class PtxSimError extends Error {
  override readonly name = 'PtxSimError';
}

const TYPE_BYTES: Record<string, number> = { b32: 4, f32: 4, s32: 4, u32: 4, b64: 8, u64: 8, s64: 8, f64: 8, b16: 2, f16: 2, b8: 1 };

/** Splits operands at top-level commas (not inside `{...}` or `[...]`). */
function splitOperands(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '{' || ch === '[') depth++;
    if (ch === '}' || ch === ']') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** The entries of a PTX module. */
export function parsePtx(source: string): Map<string, PtxEntry> {
  const lines = source.split('\n');
  const entries = new Map<string, PtxEntry>();
  let i = 0;
  const fail = (n: number, why: string): never => {
    throw new PtxSimError(`PTX line ${n + 1}: ${why}: ${lines[n]!.trim()}`);
  };
  while (i < lines.length) {
    const head = /^\.visible \.entry (\w+)\($/.exec(lines[i]!.trim());
    if (!head) {
      i++;
      continue;
    }
    const name = head[1]!;
    const params: string[] = [];
    for (i++; i < lines.length && lines[i]!.trim() !== ')'; i++) {
      const p = /^\.param \.u64 (\w+),?$/.exec(lines[i]!.trim());
      if (!p) fail(i, 'expected a .param .u64 parameter');
      params.push(p![1]!);
    }
    for (i++; i < lines.length && lines[i]!.trim() !== '{'; i++) {
      if (!lines[i]!.trim().startsWith('.maxntid')) fail(i, 'expected .maxntid or {');
    }
    const registers: Record<string, number> = {};
    const shared: SharedArray[] = [];
    const body: PtxInstruction[] = [];
    const labels = new Map<string, number>();
    for (i++; i < lines.length && lines[i]!.trim() !== '}'; i++) {
      const text = lines[i]!.replace(/\/\/.*$/, '').trim();
      if (!text) continue;
      const reg = /^\.reg \.\w+ %(\w+)<(\d+)>;$/.exec(text);
      if (reg) {
        registers[reg[1]!] = Number(reg[2]);
        continue;
      }
      const sh = /^\.shared \.align \d+ \.(\w+) (\w+)\[(\d+)\];$/.exec(text);
      if (sh) {
        shared.push({ name: sh[2]!, bytes: (TYPE_BYTES[sh[1]!] ?? fail(i, 'unknown .shared type')) * Number(sh[3]) });
        continue;
      }
      const label = /^(\$?\w+):$/.exec(text);
      if (label) {
        labels.set(label[1]!, body.length);
        continue;
      }
      const ins = /^(@(!?)(%p\d+)\s+)?([a-z][\w.]*)\s*(.*);$/.exec(text);
      if (!ins) fail(i, 'not an instruction');
      body.push({
        ...(ins![3] ? { guard: { reg: ins![3], negated: ins![2] === '!' } } : {}),
        op: ins![4]!.split('.'),
        args: splitOperands(ins![5]!),
        line: i + 1,
      });
    }
    entries.set(name, { name, params, shared, registers, body, labels });
    i++;
  }
  return entries;
}

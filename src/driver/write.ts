import { join } from 'node:path';
import { ensureFolder, writeFileAtomic } from '../files.js';
import { type PtxProgram, type WgslProgram } from './pipeline.js';
import { emitPtx } from '../codegen/ptx/emit.js';
import { reportPlan } from '../compile/report.js';

const writeAtomic = (path: string, text: string): void => writeFileAtomic(path, text, 'emit --out');

/** Writes every dispatch of a plan as `<dir>/<kernel>.wgsl`, plus `<dir>/plan.json`; returns the file names. */
export function writeKernels(program: WgslProgram, entry: string, dir: string): string[] {
  ensureFolder(dir, 'emit --out');
  const files: string[] = [];
  for (const k of program.kernels) {
    const file = `${k.name}.wgsl`;
    writeAtomic(join(dir, file), k.source);
    files.push(file);
  }
  writeAtomic(join(dir, 'plan.json'), `${JSON.stringify(reportPlan(program.plan, entry, 'wgsl', { code: program.kernels.map((k) => k.source) }), null, 2)}\n`);
  return files;
}

/** Writes every kernel of a PTX program as `<dir>/<kernel>.ptx` (a module each), plus `<dir>/plan.json`. */
export function writePtxKernels(program: PtxProgram, entry: string, dir: string): string[] {
  ensureFolder(dir, 'emit --out');
  const files: string[] = [];
  for (const e of program.module.entries) {
    const file = `${e.name}.ptx`;
    writeAtomic(join(dir, file), emitPtx(program.plan, program.arch, new Set([e.name])).source);
    files.push(file);
  }
  writeAtomic(join(dir, 'plan.json'), `${JSON.stringify(reportPlan(program.plan, entry, `ptx ${program.arch}`), null, 2)}\n`);
  return files;
}

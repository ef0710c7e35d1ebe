import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { WEBGPU_DEFAULT_LIMITS } from '../compile/limits.js';
import { compileWgsl } from './pipeline.js';
import { installRoot } from '../paths.js';
import { reportPlan } from '../compile/report.js';
import { buildGraph } from '../dsl/entry.js';
import { loadProgram } from '../dsl/loader.js';

/**
 * The reviewed copies of generated code (kernels/generated/): the WGSL of the FIBER example
 * layers, planned for the WebGPU default limits so that they do not depend on the machine.
 * A test fails when codegen output changes without them being regenerated
 * (`npm run regen-kernels`), so every codegen change shows up as a diff.
 */
export const GOLDEN_ENTRIES = [
  { entry: 'ImageFusionBlockTiny', bindings: { B: 2, T: 8 } },
  { entry: 'TextFusionLayerTiny', bindings: { B: 2, T: 8, L: 16 } },
] as const;

function repoRoot(): string {
  return installRoot('examples/fiber.fib');
}

/** The golden files as they should be now: path relative to kernels/generated -> text. */
export function goldenFiles(): Map<string, string> {
  const root = repoRoot();
  const program = loadProgram(resolve(root, 'examples/fiber.fib'));
  const files = new Map<string, string>();
  for (const { entry, bindings } of GOLDEN_ENTRIES) {
    const compiled = compileWgsl(buildGraph(program, entry, { bindings }), { mode: 'fused', limits: WEBGPU_DEFAULT_LIMITS });
    for (const k of compiled.kernels) files.set(`wgsl/${entry}/${k.name}.wgsl`, k.source);
    const report = reportPlan(compiled.plan, entry, 'wgsl', { code: compiled.kernels.map((k) => k.source) });
    files.set(`wgsl/${entry}/plan.json`, `${JSON.stringify({ ...report, limits: undefined }, null, 2)}\n`);
  }
  return files;
}

/** Rewrites kernels/generated from scratch. */
export function regenerateGolden(): number {
  const dir = join(repoRoot(), 'kernels', 'generated');
  rmSync(dir, { recursive: true, force: true });
  const files = goldenFiles();
  for (const [rel, text] of files) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return files.size;
}

/** The golden files currently on disk. */
export function goldenOnDisk(): Map<string, string> {
  const dir = join(repoRoot(), 'kernels', 'generated');
  const out = new Map<string, string>();
  const walk = (d: string, prefix: string): void => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name), `${prefix}${e.name}/`);
      else out.set(`${prefix}${e.name}`, readFileSync(join(d, e.name), 'utf8'));
    }
  };
  walk(dir, '');
  return out;
}

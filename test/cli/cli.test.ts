import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, cli, ROOT } from './run-cli.js';
import { readSafetensors, writeSafetensors } from '../../src/fiber/safetensors.js';
import { maxAbsDifference } from '../../src/ir/compare.js';
import { HostTensor } from '../../src/ir/tensor.js';
import { randomTensor } from '../../src/ir/gradcheck.js';



describe('fiberc CLI', () => {
  it('check passes on every example and reports the entries it built', async () => {
    for (const file of ['swin.fib', 'roberta.fib', 'fiber.fib']) {
      const r = await cli('check', join(ROOT, 'examples', file));
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
    }
    const r = await cli('check', join(ROOT, 'examples/fiber.fib'));
    expect(r.out).toContain('entries checked: ImageFusionBlockTiny, TextFusionLayerTiny, FiberTiny, FiberBase');
  });

  it('ir prints the graph with dims bound', async () => {
    const r = await cli('ir', join(ROOT, 'examples/roberta.fib'), '--entry', 'RobertaLayerTiny', '--bind', 'B=2', '--bind', 'T=5');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^graph\(B=2, T=5\) \{/);
    expect(r.out).toContain('"attention.self.query.weight"');
    expect(r.out).toMatch(/= matmul %\d+, %\d+ : f32\[10,32\]/);
    const unbound = await cli('ir', join(ROOT, 'examples/roberta.fib'), '--entry', 'RobertaLayerTiny');
    expect(unbound.code).toBe(1);
    expect(unbound.err).toContain("error: dim 'B' of entry RobertaLayerTiny is not bound; pass --bind B=N");
  });

  it('plan --json prints one object with a kernels array and a numeric dispatches field', async () => {
    const r = await cli('plan', join(ROOT, 'examples/fiber.fib'), '--entry', 'TextFusionLayerTiny', '--bind', 'B=2', '--bind', 'T=8', '--bind', 'L=16', '--limits', 'default', '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as { dispatches: number; kernels: { phases: string[]; flops: number; reason: string }[] };
    expect(report.dispatches).toBe(1);
    expect(report.kernels).toHaveLength(1);
    expect(report.kernels[0]!.phases.length).toBeGreaterThan(10);
    expect(report.kernels[0]!.flops).toBeGreaterThan(0);
    const unfused = JSON.parse((await cli('plan', join(ROOT, 'examples/fiber.fib'), '--entry', 'TextFusionLayerTiny', '--bind', 'B=2', '--bind', 'T=8', '--bind', 'L=16', '--limits', 'default', '--mode', 'unfused', '--json')).out) as { dispatches: number };
    expect(unfused.dispatches).toBe(115);
  });

  it('emit writes one WGSL file per dispatch (or one PTX module per kernel) and plan.json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fiberc-emit-'));
    const args = ['emit', join(ROOT, 'examples/fiber.fib'), '--entry', 'ImageFusionBlockTiny', '--bind', 'B=2', '--bind', 'T=8', '--limits', 'default'];
    expect((await cli(...args, '--out', join(dir, 'wgsl'))).out).toContain('wrote 1 kernels and plan.json');
    expect(readdirSync(join(dir, 'wgsl')).sort()).toEqual(['k0_div_norm1__k22.wgsl', 'plan.json']);
    expect((await cli(...args, '--target', 'ptx', '--arch', 'sm_80', '--out', join(dir, 'ptx'))).code).toBe(0);
    expect(readdirSync(join(dir, 'ptx')).filter((f) => f.endsWith('.ptx'))).toHaveLength(1);
  });

  it('run: inputs in, outputs out, params initialised and saved; same seed, same result', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fiberc-cli-'));
    const inputs = join(dir, 'in.safetensors');
    writeSafetensors(inputs, new Map([['x', randomTensor([2, 64, 16], 1)]]));
    const args = ['run', join(ROOT, 'examples/swin.fib'), '--entry', 'SwinBlockTiny', '--backend', 'cpu', '--inputs', inputs, '--seed', '3'];
    const r1 = await cli(...args, '--out', join(dir, 'o1.safetensors'), '--save-params', join(dir, 'p.safetensors'));
    expect(r1.err).toBe('');
    expect(r1.out).toContain('out: f32[2,64,16]');
    const params = readSafetensors(join(dir, 'p.safetensors'));
    expect(params.get('attn.relative_position_bias_table')!.shape).toEqual([49, 2]);
    // Feeding the saved params back gives the same output.
    const r2 = await cli('run', join(ROOT, 'examples/swin.fib'), '--entry', 'SwinBlockTiny', '--inputs', inputs, '--params', join(dir, 'p.safetensors'), '--out', join(dir, 'o2.safetensors'));
    expect(r2.code).toBe(0);
    const a = readSafetensors(join(dir, 'o1.safetensors')).get('out')!;
    const b = readSafetensors(join(dir, 'o2.safetensors')).get('out')!;
    expect(maxAbsDifference(a, b)).toBeLessThan(1e-5);
    // The same entry on the WebGPU backend gives the interpreter's answer to f32 precision.
    const r3 = await cli('run', join(ROOT, 'examples/swin.fib'), '--entry', 'SwinBlockTiny', '--backend', 'webgpu', '--inputs', inputs, '--params', join(dir, 'p.safetensors'), '--out', join(dir, 'o3.safetensors'));
    expect(r3.err).toBe('');
    expect(maxAbsDifference(readSafetensors(join(dir, 'o3.safetensors')).get('out')!, a)).toBeLessThan(1e-4);
  });

  it('run rejects inputs that do not fit, naming what is wrong', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fiberc-cli-'));
    const inputs = join(dir, 'in.safetensors');
    writeSafetensors(inputs, new Map([['x', HostTensor.zeros([2, 10, 16])]]));
    const r = await cli('run', join(ROOT, 'examples/swin.fib'), '--entry', 'SwinBlockTiny', '--inputs', inputs, '--out', join(dir, 'o.safetensors'));
    expect(r.code).toBe(1);
    expect(r.err).toContain("swin.fib:81:11: error: input 'x': expected f32[B, resolution * resolution, dim], got f32[2,10,16] (axis 1 should be int 64)");
    expect(existsSync(join(dir, 'o.safetensors'))).toBe(false);
    writeSafetensors(inputs, new Map([['x', HostTensor.zeros([2, 64, 16])], ['extra', HostTensor.zeros([1])]]));
    const r2 = await cli('run', join(ROOT, 'examples/swin.fib'), '--entry', 'SwinBlockTiny', '--inputs', inputs, '--out', join(dir, 'o.safetensors'));
    expect(r2.code).toBe(1);
    expect(r2.err).toContain("fiberc: error: the inputs file has 'extra', which is not an input of SwinBlockTiny (inputs: x)");
    expect(existsSync(join(dir, 'o.safetensors'))).toBe(false);
  });

  it('the built binary prints diagnostics without a stack trace and exits 1', () => {
    if (!existsSync(BIN)) throw new Error('run `npm run build` first (npm test does it)');
    const dir = mkdtempSync(join(tmpdir(), 'fiberc-cli-'));
    const file = join(dir, 'bad.fib');
    writeFileSync(file, 'module M {\n  forward(x: f32[2]) {\n    return x @ x\n  }\n}\n');
    const r = spawnSync(process.execPath, [BIN, 'check', file], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('bad.fib:3:12: error: matmul needs operands of rank >= 2: f32[2] @ f32[2]\n    return x @ x\n           ^');
    expect(r.stderr).not.toMatch(/\s+at /);
    const ok = execFileSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
    expect(ok).toContain('check');
  });

  it('the built binary writes all of a large output to a pipe before it exits', () => {
    // The unfused plan of a FiberTiny layer is over 64 KiB of JSON: more than a pipe takes at once.
    const r = spawnSync(process.execPath, [BIN, 'plan', join(ROOT, 'examples/fiber.fib'), '--entry', 'ImageFusionBlockTiny', '--bind', 'B=2', '--bind', 'T=8', '--mode', 'unfused', '--limits', 'default', '--json'], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
    expect(r.status).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(65536);
    expect(JSON.parse(r.stdout).dispatches).toBe(160);
  });
});

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSafetensors } from '../src/fiber/safetensors.js';
import { leafName, type Graph } from '../src/ir/graph.js';
import { randomTensor } from '../src/ir/gradcheck.js';
import { initParam } from '../src/ir/init.js';
import { interpret } from '../src/ir/interpret.js';
import { HostTensor } from '../src/ir/tensor.js';

/**
 * The PyTorch peer of the FiberTiny training-step bench (bench/torch_fiber_tiny_step.py): the
 * same model and loss in PyTorch eager on this CPU. Before timing anything the script's loss
 * on fiberc's params (gates at 0.5, so the cross-attention counts) and one batch is compared
 * with the interpreter's: the peer is the same model or the bench says so and stops.
 */

/** What the peer measured, or why it did not run. */
export type TorchPeer =
  | { readonly ran: true; readonly peer: string; readonly batch: number; readonly firstStepMs: number; readonly medianMs: number; readonly checkedLoss: { readonly fiberc: number; readonly torch: number } }
  | { readonly ran: false; readonly reason: string };

/** A python that imports torch: $FIBERC_PYTHON, else python3 on the PATH, else Debian's /usr/bin/python3. */
export function pythonWithTorch(): string | undefined {
  const candidates = [process.env.FIBERC_PYTHON, 'python3', '/usr/bin/python3'].filter((c): c is string => !!c);
  return candidates.find((py) => spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
}

/** Runs a peer script; its last stdout line is JSON. */
export function torchScript(py: string, path: string, args: string[]): Record<string, unknown> {
  const r = spawnSync(py, [path, ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${path} failed (${r.status}):\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

const script = (py: string, root: string, args: string[]): Record<string, unknown> => torchScript(py, join(root, 'bench/torch_fiber_tiny_step.py'), args);

/**
 * Checks the PyTorch FiberTiny against the interpreter on `model` (FiberTinyContrastive at a
 * small batch), then times its AdamW step at `batch`.
 */
export function torchPeerStep(root: string, model: Graph, batch: number): TorchPeer {
  const py = pythonWithTorch();
  if (!py) return { ran: false, reason: 'no python3 with torch (Debian: apt-get install python3-torch libopenblas0-pthread)' };
  const dir = mkdtempSync(join(tmpdir(), 'fiberc-torch-'));
  try {
    const params = new Map(model.params.map((p) => {
      const name = leafName(p);
      return [name, name.endsWith('.alpha') ? HostTensor.from([], [0.5]) : initParam(p, 1)];
    }));
    const [b, t] = [model.inputs[1]!.shape[0]!, model.inputs[1]!.shape[1]!];
    const mask = Array.from({ length: b * t }, (_, i) => (i % t < t - 1 - (Math.floor(i / t) % 3) ? 1 : 0));
    const inputs = new Map([
      ['pixels', randomTensor([b, 3, 64, 64], 3)],
      ['ids', HostTensor.from([b, t], Array.from({ length: b * t }, (_, i) => (mask[i] ? (i * 5 + 2) % 64 : 1)), 'i32')],
      ['mask', HostTensor.from([b, t], mask)],
    ]);
    writeSafetensors(join(dir, 'params.safetensors'), params);
    writeSafetensors(join(dir, 'inputs.safetensors'), inputs);
    const fiberc = interpret(model, new Map([...params, ...inputs])).get(model.outputs[0]!.name)!.data[0]!;
    const torch = script(py, root, ['--check', join(dir, 'params.safetensors'), join(dir, 'inputs.safetensors')]).loss as number;
    if (!(Math.abs(torch - fiberc) <= 1e-6 * Math.max(1, Math.abs(fiberc)))) throw new Error(`the PyTorch FiberTiny is not fiberc's: loss ${torch} vs the interpreter's ${fiberc}`);
    const timed = script(py, root, ['--params', join(dir, 'params.safetensors'), '--batch', String(batch)]);
    return { ran: true, peer: timed.peer as string, batch, firstStepMs: timed.firstStepMs as number, medianMs: timed.medianMs as number, checkedLoss: { fiberc, torch } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

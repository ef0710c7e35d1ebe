import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/ir/builder.js';
import { Graph } from '../../src/ir/graph.js';
import { randomTensor } from '../../src/ir/gradcheck.js';
import { interpret } from '../../src/ir/interpret.js';
import { relativeMaxError } from '../../src/ir/compare.js';
import { HostTensor } from '../../src/ir/tensor.js';
import { CpuDevice } from '../../src/runtime/cpu.js';
import { CudaDevice } from '../../src/runtime/cuda/device.js';
import type { Device } from '../../src/runtime/device.js';
import { SimulatedCudaDriver } from '../../src/runtime/ptxsim/driver.js';
import { CudaError } from '../../src/runtime/cuda/driver.js';
import { WebGpuDevice } from '../../src/runtime/webgpu/device.js';
import { deviceArray } from '../../src/runtime/host-data.js';
import { gpu } from '../webgpu/gpu.js';

/**
 * Programs: params set once, inputs per run, outputs read by name, outputs that replace
 * params after every run (in place, on the device), and bad input that changes nothing.
 */

/** acc <- acc + x @ w each run; out = tanh(x @ w) + acc (before the update). */
function accumulator(): Graph {
  const b = new GraphBuilder();
  const x = b.input('x', [3, 4], 'f32');
  const w = b.param('w', [4, 2], 'f32', { kind: 'normal', std: 1, mean: 0 });
  const acc = b.param('acc', [3, 2], 'f32', { kind: 'constant', value: 0 });
  const xw = b.matmul(x, w);
  return new Graph([x], [w, acc], [
    { name: 'out', node: b.binary('add', b.unary('tanh', xw), acc) },
    { name: 'next', node: b.binary('add', acc, xw) },
  ]);
}

const simulator = new SimulatedCudaDriver();

async function devices(): Promise<Device[]> {
  return [new CpuDevice(), await gpu('fused'), await gpu('unfused'), CudaDevice.withDriver(simulator)];
}

describe('Program', () => {
  const graph = accumulator();
  const w = randomTensor([4, 2], 1);
  const xs = [2, 3, 4].map((s) => randomTensor([3, 4], s));

  it('runs repeatedly with new inputs, equal to the interpreter each time; an update replaces its param in place', async () => {
    for (const device of await devices()) {
      const program = await device.load(graph, { updates: new Map([['next', 'acc']]) });
      program.setParams(new Map([['w', w]]));
      let acc = HostTensor.zeros([3, 2]);
      for (const x of xs) {
        await program.run(new Map([['x', x]]));
        const expected = interpret(graph, new Map([['x', x], ['w', w], ['acc', acc]]));
        const got = await program.read(['out']);
        expect([...got.keys()], device.name).toEqual(['out']);
        expect(relativeMaxError(got.get('out')!, expected.get('out')!, 1), device.name).toBeLessThan(1e-6);
        acc = expected.get('next')!;
        expect(relativeMaxError((await program.read(['acc'])).get('acc')!, acc, 1), `${device.name}: acc after the run`).toBeLessThan(1e-6);
      }
      program.dispose();
    }
  });

  it('setParams writes some params and leaves the others; reads give params and outputs by name', async () => {
    for (const device of await devices()) {
      const program = await device.load(graph);
      program.setParams(new Map([['w', w], ['acc', HostTensor.from([3, 2], [1, 2, 3, 4, 5, 6])]]));
      program.setParams(new Map([['acc', HostTensor.from([3, 2], [6, 5, 4, 3, 2, 1])]]));
      const read = await program.read(['w', 'acc']);
      expect(relativeMaxError(read.get('w')!, w, 1), device.name).toBeLessThan(1e-7);
      expect(Array.from(read.get('acc')!.data), device.name).toEqual([6, 5, 4, 3, 2, 1]);
      program.dispose();
    }
  });

  it('a run with bad inputs names every problem and changes nothing', async () => {
    for (const device of await devices()) {
      const program = await device.load(graph, { updates: new Map([['next', 'acc']]) });
      program.setParams(new Map([['w', w]]));
      await program.run(new Map([['x', xs[0]!]]));
      const before = (await program.read(['acc'])).get('acc')!;
      const bad = new Map([['x', randomTensor([3, 5], 9)], ['y', randomTensor([1], 9)]]);
      await expect(program.run(bad), device.name).rejects.toThrow(/input 'x' should be f32\[3,4\], got f32\[3,5\][\s\S]*'y' is not an input of this program/);
      await expect(program.run(new Map()), device.name).rejects.toThrow("input 'x' (f32[3,4]) is missing");
      expect(() => program.setParams(new Map([['w', randomTensor([2, 2], 1)]])), device.name).toThrow("param 'w' should be f32[4,2], got f32[2,2]");
      const after = (await program.read(['acc', 'w'])).get('acc')!;
      expect(Array.from(after.data), device.name).toEqual(Array.from(before.data));
      await expect(program.read(['nope']), device.name).rejects.toThrow("'nope'");
      program.dispose();
    }
  });

  it('device reads come back in the device\'s own type (f32: Float32Array, i32: Int32Array); Float32 data goes up as it is', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', [2, 3], 'f32');
    const ids = b.input('ids', [3], 'i32');
    const g = new Graph([x, ids], [], [{ name: 'y', node: b.unary('exp', x) }, { name: 'k', node: b.binary('add', ids, ids) }]);
    const x32 = new HostTensor([2, 3], 'f32', Float32Array.from([0, 1, -1, 0.5, 2, -2]));
    for (const device of [await gpu('fused'), CudaDevice.withDriver(simulator)]) {
      const program = await device.load(g);
      await program.run(new Map([['x', x32], ['ids', new HostTensor([3], 'i32', Int32Array.from([1, 2, 3]))]]));
      const out = await program.read(['y', 'k']);
      expect(out.get('y')!.data, device.name).toBeInstanceOf(Float32Array);
      expect(out.get('k')!.data, device.name).toBeInstanceOf(Int32Array);
      expect(Array.from(out.get('k')!.data), device.name).toEqual([2, 4, 6]);
      expect(relativeMaxError(out.get('y')!, interpret(g, new Map([['x', x32], ['ids', HostTensor.from([3], [1, 2, 3], 'i32')]])).get('y')!, 1), device.name).toBeLessThan(1e-6);
      program.dispose();
    }
    // An f32 tensor already in f32 is uploaded without a copy; Float64 data is narrowed once.
    expect(deviceArray('input', 'x', x32, 'f32')).toBe(x32.data);
    expect(deviceArray('input', 'x', HostTensor.from([2], [1, 2]), 'f32')).toBeInstanceOf(Float32Array);
  });

  it('refuses updates that do not pair an output with a param of its shape', async () => {
    for (const device of await devices()) {
      await expect(device.load(graph, { updates: new Map([['out', 'w']]) }), device.name).rejects.toThrow("update 'out' is f32[3,2] but param 'w' is f32[4,2]");
      await expect(device.load(graph, { updates: new Map([['nothing', 'w']]) }), device.name).rejects.toThrow("update 'nothing' names no output");
    }
  });

  it('on CUDA keeps one module and its buffers across runs, and dispose frees them all', async () => {
    const driver = new SimulatedCudaDriver();
    const device = CudaDevice.withDriver(driver);
    const program = await device.load(graph, { updates: new Map([['next', 'acc']]) });
    const held = driver.live;
    expect(held.modules).toBe(1);
    expect(held.allocations).toBeGreaterThan(0);
    program.setParams(new Map([['w', w]]));
    for (const x of xs) await program.run(new Map([['x', x]]));
    await program.read(['out', 'acc']);
    expect(driver.live).toEqual(held);
    program.dispose();
    expect(driver.live).toEqual({ allocations: 0, modules: 0 });
    await expect(program.run(new Map([['x', xs[0]!]]))).rejects.toThrow('disposed');
  });
});

describe('a device lost mid-run', () => {
  const graph = accumulator();
  const w = randomTensor([4, 2], 1);
  const x = randomTensor([3, 4], 2);

  it('WebGPU: the next run fails with a clear error naming the loss', async () => {
    const device = await WebGpuDevice.create();
    const program = await device.load(graph);
    program.setParams(new Map([['w', w]]));
    await program.run(new Map([['x', x]]));
    await program.read(['out']);
    device.dispose(); // destroys the GPUDevice: Dawn reports it lost
    await new Promise((r) => setTimeout(r, 50));
    await expect((async () => {
      await program.run(new Map([['x', x]]));
      await program.read(['out']);
    })()).rejects.toThrow(/the WebGPU device was lost \(destroyed/);
  });

  it('CUDA: a failing driver call surfaces as a CudaError naming the call and its CUresult', async () => {
    const driver = new SimulatedCudaDriver();
    const program = await CudaDevice.withDriver(driver).load(graph);
    program.setParams(new Map([['w', w]]));
    await program.run(new Map([['x', x]]));
    driver.launch = () => {
      throw new CudaError('cuLaunchKernel(k0) failed with CUresult 999');
    };
    await expect(program.run(new Map([['x', x]]))).rejects.toThrow('cuLaunchKernel(k0) failed with CUresult 999');
    program.dispose();
  });
});

// Shared by the peer benchmarks: Dawn's WebGPU exposed as a browser would (the globals and
// navigator.gpu the peers look for), and a count of compute dispatches.
import { create, globals } from 'webgpu';

Object.assign(globalThis, globals);
// Kept referenced for the whole process: Dawn crashes if this object is garbage-collected.
globalThis.__gpu = create([]);
globalThis.navigator = { gpu: globalThis.__gpu, userAgent: 'node', hardwareConcurrency: 2 };

let count = 0;
const proto = globalThis.GPUComputePassEncoder.prototype;
const dispatch = proto.dispatchWorkgroups;
proto.dispatchWorkgroups = function (...args) {
  count++;
  return dispatch.apply(this, args);
};

/** Compute dispatches recorded so far. */
export const dispatches = () => count;

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

/**
 * With YIELD=1, a peer's timed loop sleeps through most of the expected run before awaiting
 * the result, as fiberc's session does (src/runtime/webgpu/yielding-wait.ts): Dawn's Node
 * binding polls from the event loop while a promise is pending, taking a core from lavapipe.
 * Only work the peer has already submitted runs during the sleep.
 */
export const yielding = process.env.YIELD === '1';

/** Sleeps for 0.85 of `fastestMs` when yielding and an estimate exists. */
export async function yieldBeforeWait(fastestMs) {
  if (yielding && Number.isFinite(fastestMs) && fastestMs * 0.85 >= 2) await new Promise((r) => setTimeout(r, fastestMs * 0.85));
}

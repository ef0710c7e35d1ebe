import type { CudaDriverApi } from '../cuda/driver.js';
import type { Memory } from './instructions.js';
import { SimKernel } from './machine.js';
import { parsePtx, PtxSimError } from './parse.js';

/**
 * The CUDA driver calls CudaDevice makes, answered by the PTX simulator: device memory is one
 * growable buffer of this process, modules are parsed PTX, launches run the kernel on the
 * CPU before returning (so streams are trivially in order). With it the CUDA backend — its
 * host side and the PTX fiberc emits, tensor-core mma.sync included — runs where there is no
 * GPU. Slow (an interpreter: tens of millions of PTX instructions per second), so for small
 * shapes; its times are simulation times, not GPU times.
 */
export class SimulatedCudaDriver implements CudaDriverApi {
  private buffer = new ArrayBuffer(1 << 20);
  private readonly memory: Memory = { f32: new Float32Array(this.buffer), i32: new Int32Array(this.buffer) };
  /** Next free byte; address 0 stays unused so that a null pointer is never valid. */
  private top = ALIGN;
  private readonly sizes = new Map<bigint, number>();
  private modules = 0;

  /** Allocations not yet freed and modules not yet unloaded (tests check that dispose frees all). */
  get live(): { readonly allocations: number; readonly modules: number } {
    return { allocations: this.sizes.size, modules: this.modules };
  }

  open(): { context: unknown; arch: string } {
    return { context: null, arch: 'sm_90' };
  }

  loadModule(ptx: string): unknown {
    const module = parsePtx(ptx);
    this.modules++;
    return module;
  }

  unloadModule(): void {
    if (this.modules === 0) throw new PtxSimError('unload of a module that was not loaded');
    this.modules--;
  }

  getFunction(module: unknown, name: string): unknown {
    const entry = (module as ReturnType<typeof parsePtx>).get(name);
    if (!entry) throw new PtxSimError(`no entry ${name} in the module`);
    return new SimKernel(entry);
  }

  alloc(bytes: number): bigint {
    const size = Math.ceil(Math.max(4, bytes) / ALIGN) * ALIGN;
    if (this.top + size > this.buffer.byteLength) {
      let capacity = this.buffer.byteLength;
      while (this.top + size > capacity) capacity *= 2;
      const grown = new ArrayBuffer(capacity);
      new Uint8Array(grown).set(new Uint8Array(this.buffer));
      this.buffer = grown;
      this.memory.f32 = new Float32Array(grown);
      this.memory.i32 = new Int32Array(grown);
    }
    const at = BigInt(this.top);
    this.sizes.set(at, size);
    this.top += size;
    return at;
  }

  /** Freed memory is not reused: a run allocates once. */
  free(ptr: bigint): void {
    if (!this.sizes.delete(ptr)) throw new PtxSimError(`free of an address that was not allocated: ${ptr}`);
  }

  upload(dst: bigint, data: ArrayBufferView): void {
    new Uint8Array(this.buffer, Number(dst), data.byteLength).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }

  download(dst: ArrayBufferView, src: bigint): void {
    new Uint8Array(dst.buffer, dst.byteOffset, dst.byteLength).set(new Uint8Array(this.buffer, Number(src), dst.byteLength));
  }

  zero(dst: bigint, bytes: number): void {
    new Uint8Array(this.buffer, Number(dst), bytes).fill(0);
  }

  copy(dst: bigint, src: bigint, bytes: number): void {
    new Uint8Array(this.buffer).copyWithin(Number(dst), Number(src), Number(src) + bytes);
  }

  launch(_name: string, fn: unknown, grid: readonly [number, number], threads: number, pointers: readonly bigint[]): void {
    const kernel = fn as SimKernel;
    const params = new Map(kernel.entry.params.map((p, i) => [p, Number(pointers[i])]));
    kernel.launch(grid, threads, params, this.memory);
  }

  createStream(): unknown {
    return null;
  }

  synchronizeStream(): void {}

  destroyStream(): void {}

  /** Wall-clock time of the simulated launches (ms): not a GPU time. */
  timeOnStream(_stream: unknown, work: () => void): number {
    const t0 = performance.now();
    work();
    return performance.now() - t0;
  }
}

/** Allocation granularity (bytes), as cuMemAlloc's 256-byte alignment. */
const ALIGN = 256;

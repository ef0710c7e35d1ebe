import koffi from 'koffi';

/** Raised when libcuda.so.1 cannot be loaded or initialised: the machine has no usable NVIDIA driver. */
export class NoCudaDriverError extends Error {
  override readonly name = 'NoCudaDriverError';
}

/** Raised when a driver call fails: names the call, the CUresult and (for module loads) the JIT log. */
export class CudaError extends Error {
  override readonly name = 'CudaError';
}

const CU_JIT_ERROR_LOG_BUFFER = 5;
const CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6;
const CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
const CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;
const LOG_BYTES = 16384;

/**
 * The parts of the CUDA driver API fiberc uses, bound with koffi (no native build step).
 * CUDA 13 exports several entry points only under versioned names (cuCtxCreate_v4,
 * cuMemAlloc_v2, ...): those are the names bound. Kernel parameters are passed the standard
 * way, as an array of pointers to the parameter values.
 */
/** The driver calls CudaDevice makes: CudaDriver on a GPU, SimulatedCudaDriver (runtime/ptxsim) without one. */
export interface CudaDriverApi {
  open(ordinal?: number): { context: unknown; arch: string };
  loadModule(ptx: string): unknown;
  unloadModule(module: unknown): void;
  getFunction(module: unknown, name: string): unknown;
  alloc(bytes: number): bigint;
  free(ptr: bigint): void;
  upload(dst: bigint, data: ArrayBufferView): void;
  download(dst: ArrayBufferView, src: bigint): void;
  /** Sets `bytes` of device memory to zero. */
  zero(dst: bigint, bytes: number): void;
  /** Copies `bytes` between device addresses, queued on `stream` after the work before it. */
  copy(dst: bigint, src: bigint, bytes: number, stream?: unknown): void;
  launch(name: string, fn: unknown, grid: readonly [number, number], threads: number, pointers: readonly bigint[], stream?: unknown): void;
  createStream(): unknown;
  synchronizeStream(stream: unknown): void;
  destroyStream(stream: unknown): void;
  timeOnStream(stream: unknown, work: () => void): number;
}

export class CudaDriver implements CudaDriverApi {
  private constructor(private readonly f: Record<string, (...args: unknown[]) => number>) {}

  /** Loads and initialises the driver, or throws NoCudaDriverError saying why not. */
  static load(): CudaDriver {
    let lib: koffi.IKoffiLib;
    try {
      lib = koffi.load('libcuda.so.1');
    } catch (e) {
      throw new NoCudaDriverError(`no CUDA driver found (libcuda.so.1: ${(e as Error).message})`);
    }
    const decl: Record<string, string> = {
      cuInit: 'int cuInit(unsigned int flags)',
      cuDeviceGet: 'int cuDeviceGet(_Out_ int *device, int ordinal)',
      cuDeviceGetAttribute: 'int cuDeviceGetAttribute(_Out_ int *value, int attrib, int device)',
      cuCtxCreate_v4: 'int cuCtxCreate_v4(_Out_ void **ctx, void *params, unsigned int flags, int device)',
      cuCtxDestroy_v2: 'int cuCtxDestroy_v2(void *ctx)',
      cuModuleLoadDataEx: 'int cuModuleLoadDataEx(_Out_ void **module, const char *image, unsigned int n, int *options, void **values)',
      cuModuleUnload: 'int cuModuleUnload(void *module)',
      cuModuleGetFunction: 'int cuModuleGetFunction(_Out_ void **fn, void *module, const char *name)',
      cuMemAlloc_v2: 'int cuMemAlloc_v2(_Out_ uint64_t *ptr, size_t bytes)',
      cuMemFree_v2: 'int cuMemFree_v2(uint64_t ptr)',
      cuMemcpyHtoD_v2: 'int cuMemcpyHtoD_v2(uint64_t dst, const void *src, size_t bytes)',
      cuMemcpyDtoH_v2: 'int cuMemcpyDtoH_v2(_Out_ void *dst, uint64_t src, size_t bytes)',
      cuMemsetD8_v2: 'int cuMemsetD8_v2(uint64_t dst, unsigned char value, size_t bytes)',
      cuMemcpyDtoDAsync_v2: 'int cuMemcpyDtoDAsync_v2(uint64_t dst, uint64_t src, size_t bytes, void *stream)',
      cuLaunchKernel: 'int cuLaunchKernel(void *fn, unsigned int gx, unsigned int gy, unsigned int gz, unsigned int bx, unsigned int by, unsigned int bz, unsigned int smem, void *stream, void **params, void **extra)',
      // Streams and events (cuda.h maps cuStreamDestroy and cuEventDestroy/ElapsedTime to _v2).
      cuStreamCreate: 'int cuStreamCreate(_Out_ void **stream, unsigned int flags)',
      cuStreamSynchronize: 'int cuStreamSynchronize(void *stream)',
      cuStreamDestroy_v2: 'int cuStreamDestroy_v2(void *stream)',
      cuEventCreate: 'int cuEventCreate(_Out_ void **event, unsigned int flags)',
      cuEventRecord: 'int cuEventRecord(void *event, void *stream)',
      cuEventSynchronize: 'int cuEventSynchronize(void *event)',
      cuEventElapsedTime_v2: 'int cuEventElapsedTime_v2(_Out_ float *ms, void *start, void *end)',
      cuEventDestroy_v2: 'int cuEventDestroy_v2(void *event)',
    };
    const f: Record<string, (...args: unknown[]) => number> = {};
    try {
      for (const [name, sig] of Object.entries(decl)) f[name] = lib.func(sig) as (...args: unknown[]) => number;
    } catch (e) {
      throw new NoCudaDriverError(`no usable CUDA driver (libcuda.so.1 lacks an entry point: ${(e as Error).message})`);
    }
    const d = new CudaDriver(f);
    const r = f.cuInit!(0);
    if (r !== 0) throw new NoCudaDriverError(`no CUDA driver found (cuInit returned ${r})`);
    return d;
  }

  private check(call: string, result: number, detail = ''): void {
    if (result !== 0) throw new CudaError(`${call} failed with CUresult ${result}${detail ? `: ${detail}` : ''}`);
  }

  /** A context on device `ordinal`, and the device's architecture (sm_XY). */
  open(ordinal = 0): { context: unknown; arch: string } {
    const dev = [0];
    this.check('cuDeviceGet', this.f.cuDeviceGet!(dev, ordinal));
    const major = [0];
    const minor = [0];
    this.check('cuDeviceGetAttribute', this.f.cuDeviceGetAttribute!(major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev[0]));
    this.check('cuDeviceGetAttribute', this.f.cuDeviceGetAttribute!(minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev[0]));
    const ctx: unknown[] = [null];
    this.check('cuCtxCreate_v4', this.f.cuCtxCreate_v4!(ctx, null, 0, dev[0]));
    return { context: ctx[0], arch: `sm_${major[0]}${minor[0]}` };
  }

  /** Loads PTX with the JIT; a failure carries the JIT's error log. */
  loadModule(ptx: string): unknown {
    const log = Buffer.alloc(LOG_BYTES);
    const options = Int32Array.of(CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES);
    const values = [log, koffi.as(BigInt(LOG_BYTES), 'void *')];
    const mod: unknown[] = [null];
    const r = this.f.cuModuleLoadDataEx!(mod, ptx, 2, options, values);
    this.check('cuModuleLoadDataEx', r, log.toString('utf8').replace(/\0.*$/s, ''));
    return mod[0];
  }

  unloadModule(module: unknown): void {
    this.check('cuModuleUnload', this.f.cuModuleUnload!(module));
  }

  getFunction(module: unknown, name: string): unknown {
    const fn: unknown[] = [null];
    this.check(`cuModuleGetFunction(${name})`, this.f.cuModuleGetFunction!(fn, module, name));
    return fn[0];
  }

  alloc(bytes: number): bigint {
    const p = [0n];
    this.check('cuMemAlloc_v2', this.f.cuMemAlloc_v2!(p, Math.max(4, bytes)));
    return BigInt(p[0]!);
  }

  free(ptr: bigint): void {
    this.check('cuMemFree_v2', this.f.cuMemFree_v2!(ptr));
  }

  upload(dst: bigint, data: ArrayBufferView): void {
    this.check('cuMemcpyHtoD_v2', this.f.cuMemcpyHtoD_v2!(dst, data, data.byteLength));
  }

  download(dst: ArrayBufferView, src: bigint): void {
    this.check('cuMemcpyDtoH_v2', this.f.cuMemcpyDtoH_v2!(dst, src, dst.byteLength));
  }

  zero(dst: bigint, bytes: number): void {
    this.check('cuMemsetD8_v2', this.f.cuMemsetD8_v2!(dst, 0, bytes));
  }

  copy(dst: bigint, src: bigint, bytes: number, stream: unknown = null): void {
    this.check('cuMemcpyDtoDAsync_v2', this.f.cuMemcpyDtoDAsync_v2!(dst, src, bytes, stream));
  }

  /** Launches `fn` on `stream` (null: the default stream) with device pointers as its (u64) parameters. */
  launch(name: string, fn: unknown, grid: readonly [number, number], threads: number, pointers: readonly bigint[], stream: unknown = null): void {
    const values = pointers.map((p) => BigUint64Array.of(p));
    this.check(`cuLaunchKernel(${name})`, this.f.cuLaunchKernel!(fn, grid[0], grid[1], 1, threads, 1, 1, 0, stream, values, null));
  }

  /** A new stream: the kernels of a run are queued on it in order. */
  createStream(): unknown {
    const stream: unknown[] = [null];
    this.check('cuStreamCreate', this.f.cuStreamCreate!(stream, 0));
    return stream[0];
  }

  synchronizeStream(stream: unknown): void {
    this.check('cuStreamSynchronize', this.f.cuStreamSynchronize!(stream));
  }

  destroyStream(stream: unknown): void {
    this.check('cuStreamDestroy', this.f.cuStreamDestroy_v2!(stream));
  }

  /**
   * Times `work` (which queues launches on `stream`) with a pair of events recorded around it:
   * GPU time in milliseconds, without the host's launch overhead before the first kernel.
   */
  timeOnStream(stream: unknown, work: () => void): number {
    const start: unknown[] = [null];
    const end: unknown[] = [null];
    this.check('cuEventCreate', this.f.cuEventCreate!(start, 0));
    this.check('cuEventCreate', this.f.cuEventCreate!(end, 0));
    try {
      this.check('cuEventRecord', this.f.cuEventRecord!(start[0], stream));
      work();
      this.check('cuEventRecord', this.f.cuEventRecord!(end[0], stream));
      this.check('cuEventSynchronize', this.f.cuEventSynchronize!(end[0]));
      const ms = new Float32Array(1);
      this.check('cuEventElapsedTime', this.f.cuEventElapsedTime_v2!(ms, start[0], end[0]));
      return ms[0]!;
    } finally {
      this.f.cuEventDestroy_v2!(start[0]);
      this.f.cuEventDestroy_v2!(end[0]);
    }
  }
}

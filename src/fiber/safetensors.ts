import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { writeFileAtomic } from '../files.js';
import { isDType } from '../ir/dtype.js';
import { formatType, numel } from '../ir/shape.js';
import { HostTensor } from '../ir/tensor.js';

/**
 * The safetensors format: an 8-byte little-endian header length N, N bytes of JSON mapping
 * each tensor name to {dtype, shape, data_offsets: [begin, end]} (offsets into the data that
 * follows), and an optional "__metadata__" map of strings. Tensors are row-major and
 * little-endian.
 */

/** Raised for malformed files; the message says what is wrong and where. */
export class SafetensorsError extends Error {
  override readonly name = 'SafetensorsError';
}

const BYTES: Record<string, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };
/** dtypes fiberc can turn into tensors (integers become i32, floats f32 unless f16). */
const READABLE = new Set(['F64', 'F32', 'F16', 'BF16', 'I64', 'I32', 'I16', 'I8', 'U8', 'BOOL']);
/** Header size cap: real headers are kilobytes; a huge claimed length is a corrupt file. */
const MAX_HEADER = 100 * 1024 * 1024;

interface Entry {
  readonly name: string;
  readonly dtype: string;
  readonly shape: number[];
  readonly begin: number;
  readonly end: number;
}

function f16ToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

/** The header's length, from a file's first 8 bytes (or more) and the file's length. */
function headerLength(bytes: Uint8Array, where: string, fileLength: number): number {
  if (fileLength < 8 || bytes.length < 8) throw new SafetensorsError(`${where}: file is ${fileLength} bytes, too short for a safetensors header`);
  const headerLen = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (headerLen > MAX_HEADER || headerLen > fileLength - 8) {
    throw new SafetensorsError(`${where}: header length ${headerLen} exceeds the file (${fileLength} bytes)`);
  }
  return headerLen;
}

/**
 * Parses and validates the header; nothing the header sizes is allocated before this passes.
 * `bytes` holds the file from its start, at least through the header; `fileLength` is the whole file's.
 */
function parseHeader(bytes: Uint8Array, where: string, fileLength = bytes.length): { entries: Entry[]; dataStart: number; metadata: Record<string, string> } {
  const headerLen = headerLength(bytes, where, fileLength);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLen)));
  } catch (e) {
    throw new SafetensorsError(`${where}: header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new SafetensorsError(`${where}: header must be a JSON object`);
  const dataStart = 8 + headerLen;
  const dataLen = fileLength - dataStart;
  const entries: Entry[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof raw !== 'object' || raw === null || Object.values(raw).some((v) => typeof v !== 'string')) {
        throw new SafetensorsError(`${where}: __metadata__ must map names to strings`);
      }
      metadata = raw as Record<string, string>;
      continue;
    }
    const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== 'object' || e === null) throw new SafetensorsError(`${where}: tensor '${name}' has no description`);
    if (typeof e.dtype !== 'string' || !(e.dtype in BYTES)) throw new SafetensorsError(`${where}: tensor '${name}' has unknown dtype ${JSON.stringify(e.dtype)}`);
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new SafetensorsError(`${where}: tensor '${name}' has an invalid shape ${JSON.stringify(e.shape)}`);
    }
    const offs = e.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isSafeInteger(o) && o >= 0) || offs[0] > offs[1]) {
      throw new SafetensorsError(`${where}: tensor '${name}' has invalid data_offsets ${JSON.stringify(offs)}`);
    }
    const [begin, end] = offs as [number, number];
    if (end > dataLen) throw new SafetensorsError(`${where}: tensor '${name}' data [${begin}, ${end}) lies beyond the ${dataLen} data bytes`);
    const expected = numel(e.shape as number[]) * BYTES[e.dtype]!;
    if (end - begin !== expected) {
      throw new SafetensorsError(`${where}: tensor '${name}' is ${e.dtype}${JSON.stringify(e.shape)} (${expected} bytes) but its data_offsets span ${end - begin} bytes`);
    }
    entries.push({ name, dtype: e.dtype, shape: e.shape as number[], begin, end });
  }
  const sorted = [...entries].sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const cur = sorted[i]!;
    if (cur.begin < prev.end) throw new SafetensorsError(`${where}: tensors '${prev.name}' and '${cur.name}' overlap`);
  }
  return { entries, dataStart, metadata };
}

function decode(entry: Entry, bytes: Uint8Array, dataStart: number, where: string): HostTensor {
  if (!READABLE.has(entry.dtype)) throw new SafetensorsError(`${where}: tensor '${entry.name}' has dtype ${entry.dtype}, which fiberc cannot read`);
  const n = numel(entry.shape);
  const view = new DataView(bytes.buffer, bytes.byteOffset + dataStart + entry.begin, entry.end - entry.begin);
  // Floats narrower than 64 bits are exact in f32 and 32-bit-or-narrower integers in i32; F64
  // stays Float64, and I64 too, so that an id past the i32 range is caught on upload.
  const out = entry.dtype === 'F64' || entry.dtype === 'I64' ? new Float64Array(n) : entry.dtype.startsWith('F') || entry.dtype === 'BF16' ? new Float32Array(n) : new Int32Array(n);
  const size = BYTES[entry.dtype]!;
  for (let i = 0; i < n; i++) {
    const o = i * size;
    switch (entry.dtype) {
      case 'F64': out[i] = view.getFloat64(o, true); break;
      case 'F32': out[i] = view.getFloat32(o, true); break;
      case 'F16': out[i] = f16ToNumber(view.getUint16(o, true)); break;
      case 'BF16': out[i] = new Float32Array(new Uint32Array([view.getUint16(o, true) << 16]).buffer)[0]!; break;
      case 'I64': out[i] = Number(view.getBigInt64(o, true)); break;
      case 'I32': out[i] = view.getInt32(o, true); break;
      case 'I16': out[i] = view.getInt16(o, true); break;
      case 'I8': out[i] = view.getInt8(o); break;
      default: out[i] = view.getUint8(o); break;
    }
  }
  const dtype = entry.dtype === 'F16' ? 'f16' : entry.dtype.startsWith('F') || entry.dtype === 'BF16' ? 'f32' : 'i32';
  return new HostTensor(entry.shape, dtype, out);
}

/** Decodes safetensors bytes into named tensors (validated before anything is allocated). */
export function decodeSafetensors(bytes: Uint8Array, where = 'safetensors'): { tensors: Map<string, HostTensor>; metadata: Record<string, string> } {
  const { entries, dataStart, metadata } = parseHeader(bytes, where);
  return { tensors: new Map(entries.map((e) => [e.name, decode(e, bytes, dataStart, where)])), metadata };
}

/**
 * The `__metadata__` of a .safetensors file, reading its header only (validated as a whole
 * file's would be) and none of its tensors.
 */
export function readSafetensorsMetadata(path: string): Record<string, string> {
  const fd = openSync(path, 'r');
  try {
    const fileLength = fstatSync(fd).size;
    const start = new Uint8Array(Math.min(8, fileLength));
    readSync(fd, start, 0, start.length, 0);
    const prefix = new Uint8Array(8 + headerLength(start, path, fileLength));
    readSync(fd, prefix, 0, prefix.length, 0);
    return parseHeader(prefix, path, fileLength).metadata;
  } finally {
    closeSync(fd);
  }
}

/** Reads a .safetensors file. */
export function readSafetensors(path: string): Map<string, HostTensor> {
  return decodeSafetensors(readFileSync(path), path).tensors;
}

/** Encodes tensors as safetensors: f32 and f16 as F32 (f16 widened), i32 as I32. */
export function encodeSafetensors(tensors: ReadonlyMap<string, HostTensor>, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  const names = [...tensors.keys()].sort();
  for (const name of names) {
    const t = tensors.get(name)!;
    if (!isDType(t.dtype)) throw new SafetensorsError(`cannot write ${formatType(t.dtype, t.shape)}`);
    const bytes = numel(t.shape) * 4;
    header[name] = { dtype: t.dtype === 'i32' ? 'I32' : 'F32', shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  // Pad the header with spaces so the data starts 8-byte aligned, as the reference writer does.
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const name of names) {
    const t = tensors.get(name)!;
    for (const v of t.data) {
      if (t.dtype === 'i32') view.setInt32(pos, v, true);
      else view.setFloat32(pos, v, true);
      pos += 4;
    }
  }
  return out;
}

/** Writes a .safetensors file atomically: a temporary file, fsync, then rename (nothing left behind on failure). */
export function writeSafetensors(path: string, tensors: ReadonlyMap<string, HostTensor>, metadata: Record<string, string> = {}): void {
  writeFileAtomic(path, encodeSafetensors(tensors, metadata), 'writing');
}

import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors, SafetensorsError, writeSafetensors, readSafetensors, readSafetensorsMetadata } from '../../src/fiber/safetensors.js';
import { HostTensor } from '../../src/ir/tensor.js';

/** A file with a hand-written header (as another writer would produce it). */
function fileWith(header: unknown, data: Uint8Array = new Uint8Array(0), claimedLength?: number): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(claimedLength ?? json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const f32 = (values: number[]): Uint8Array => new Uint8Array(new Float32Array(values).buffer);

describe('safetensors', () => {
  it('round-trips f32 and i32 tensors and metadata', () => {
    const tensors = new Map([
      ['a.weight', HostTensor.from([2, 2], [1, 2.5, -3, 4])],
      ['ids', HostTensor.from([3], [1, 7, 42], 'i32')],
      ['scalar', HostTensor.from([], [0.25])],
    ]);
    const { tensors: back, metadata } = decodeSafetensors(encodeSafetensors(tensors, { entry: 'X' }));
    expect(metadata).toEqual({ entry: 'X' });
    for (const [k, t] of tensors) {
      expect(back.get(k)!.shape).toEqual(t.shape);
      expect(back.get(k)!.dtype).toBe(t.dtype);
      expect([...back.get(k)!.data]).toEqual([...t.data]);
    }
  });

  it('reads F16, BF16, F64 and I64 as written by other tools', () => {
    const data = new Uint8Array(2 + 2 + 8 + 8);
    const v = new DataView(data.buffer);
    v.setUint16(0, 0x3c00, true); // f16 1.0
    v.setUint16(2, 0xc000, true); // bf16 -2.0
    v.setFloat64(4, Math.PI, true);
    v.setBigInt64(12, -5n, true);
    const header = {
      h: { dtype: 'F16', shape: [1], data_offsets: [0, 2] },
      b: { dtype: 'BF16', shape: [1], data_offsets: [2, 4] },
      d: { dtype: 'F64', shape: [1], data_offsets: [4, 12] },
      i: { dtype: 'I64', shape: [1], data_offsets: [12, 20] },
    };
    const t = decodeSafetensors(fileWith(header, data)).tensors;
    expect(t.get('h')!.data[0]).toBe(1);
    expect(t.get('b')!.data[0]).toBe(-2);
    expect(t.get('d')!.data[0]).toBe(Math.PI);
    expect(t.get('i')!.data[0]).toBe(-5);
    expect(t.get('i')!.dtype).toBe('i32');
    // Each in an array that holds it exactly and no wider: F16/BF16 in f32; F64 and I64 (whose
    // ids may lie past the i32 range, caught on upload) in Float64.
    expect(t.get('h')!.data).toBeInstanceOf(Float32Array);
    expect(t.get('b')!.data).toBeInstanceOf(Float32Array);
    expect(t.get('d')!.data).toBeInstanceOf(Float64Array);
    expect(t.get('i')!.data).toBeInstanceOf(Float64Array);
  });

  it('reads F32 as Float32Array and I32 as Int32Array', () => {
    const back = decodeSafetensors(encodeSafetensors(new Map([['w', HostTensor.from([2], [0.1, 3])], ['ids', HostTensor.from([2], [-7, 9], 'i32')]]))).tensors;
    expect(back.get('w')!.data).toEqual(Float32Array.from([0.1, 3]));
    expect(back.get('ids')!.data).toEqual(Int32Array.from([-7, 9]));
  });

  const bad: [string, Uint8Array, string][] = [
    ['too short', new Uint8Array(4), 'too short'],
    ['header length beyond the file', fileWith({}, new Uint8Array(0), 2 ** 40), 'header length 1099511627776 exceeds the file'],
    ['header not JSON', fileWith('{nope'), 'not valid JSON'],
    ['unknown dtype', fileWith({ a: { dtype: 'F8', shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1)), "unknown dtype \"F8\""],
    ['offsets beyond the data', fileWith({ a: { dtype: 'F32', shape: [1e9], data_offsets: [0, 4e9] } }, f32([1])), 'lies beyond the 4 data bytes'],
    ['shape and byte count disagree', fileWith({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, f32([1, 2])), 'is F32[3] (12 bytes) but its data_offsets span 8 bytes'],
    ['overlapping tensors', fileWith({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, f32([1, 2, 3])), 'overlap'],
    ['negative size', fileWith({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, f32([1])), 'invalid shape'],
    ['bad offsets', fileWith({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 0] } }, f32([1])), 'invalid data_offsets'],
  ];
  const dir = mkdtempSync(join(tmpdir(), 'fiberc-st-'));
  for (const [what, bytes, message] of bad) {
    it(`rejects a malformed file: ${what}; reading its metadata alone rejects it alike`, () => {
      expect(() => decodeSafetensors(bytes, 'x.safetensors')).toThrow(SafetensorsError);
      expect(() => decodeSafetensors(bytes, 'x.safetensors')).toThrow(message);
      const path = join(dir, `${what.replace(/ /g, '-')}.safetensors`);
      writeFileSync(path, bytes);
      expect(() => readSafetensorsMetadata(path)).toThrow(SafetensorsError);
      expect(() => readSafetensorsMetadata(path)).toThrow(message);
    });
  }

  it('reads the metadata alone from the header', () => {
    const path = join(dir, 'meta.safetensors');
    writeSafetensors(path, new Map([['w', HostTensor.from([3], [1, 2, 3])]]), { step: '7', config: '{"batch":8}' });
    expect(readSafetensorsMetadata(path)).toEqual({ step: '7', config: '{"batch":8}' });
  });

  it('writes atomically: no temporary file is left behind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fiberc-st-'));
    const path = join(dir, 'p.safetensors');
    writeSafetensors(path, new Map([['w', HostTensor.from([2], [1, 2])]]));
    expect(readdirSync(dir)).toEqual(['p.safetensors']);
    expect([...readSafetensors(path).get('w')!.data]).toEqual([1, 2]);
    // Data starts 8-byte aligned, as the reference implementation writes it.
    const file = readFileSync(path);
    const headerLen = Number(new DataView(file.buffer, file.byteOffset).getBigUint64(0, true));
    expect((8 + headerLen) % 8).toBe(0);
  });
});

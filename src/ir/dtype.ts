/** Element types a tensor can have. The interpreter computes every dtype in Float64. */
export type DType = 'f32' | 'f16' | 'i32';

/** All dtypes, in the order the DSL documents them. */
export const DTYPES: readonly DType[] = ['f32', 'f16', 'i32'];

/** True for the floating-point dtypes (the ones gradients flow through). */
export function isFloat(dtype: DType): boolean {
  return dtype !== 'i32';
}

/** Type guard for dtype names coming from source text or files. */
export function isDType(name: string): name is DType {
  return (DTYPES as readonly string[]).includes(name);
}

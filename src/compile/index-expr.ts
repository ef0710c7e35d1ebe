/**
 * Integer index expressions of the kernel IR: sums of terms over loop variables, floor
 * division and modulo by constants, and data-dependent values (gather). They are kept in a
 * normal form — a constant plus coefficient x atom terms — and simplified with the value
 * range of every variable, so that chains of reshape/permute/window moves collapse to the
 * plain strided index a human would write.
 */

/** Something an index can depend on. `value` holds a kernel-IR scalar expression id. */
export type Atom =
  | { readonly k: 'var'; readonly name: string; readonly size: number }
  | { readonly k: 'div'; readonly of: Index; readonly by: number }
  | { readonly k: 'mod'; readonly of: Index; readonly by: number }
  | { readonly k: 'value'; readonly id: number; readonly lo: number; readonly hi: number };

export interface Term {
  readonly coef: number;
  readonly atom: Atom;
}

/** constant + sum(coef * atom). */
export interface Index {
  readonly constant: number;
  readonly terms: readonly Term[];
}

export const idx = {
  constant: (c: number): Index => ({ constant: c, terms: [] }),
  variable: (name: string, size: number): Index => ({ constant: 0, terms: size <= 1 ? [] : [{ coef: 1, atom: { k: 'var', name, size } }] }),
  value: (id: number, lo: number, hi: number): Index => ({ constant: 0, terms: [{ coef: 1, atom: { k: 'value', id, lo, hi } }] }),
};

function atomKey(a: Atom): string {
  switch (a.k) {
    case 'var': return a.name;
    case 'value': return `v${a.id}`;
    case 'div': return `(${key(a.of)})/${a.by}`;
    case 'mod': return `(${key(a.of)})%${a.by}`;
  }
}

/** A canonical string for an index: equal keys mean equal indices. */
export function key(i: Index): string {
  return `${i.terms.map((t) => `${t.coef}*${atomKey(t.atom)}`).join('+')}+${i.constant}`;
}

function normalise(constant: number, terms: readonly Term[]): Index {
  const merged = new Map<string, Term>();
  for (const t of terms) {
    if (t.coef === 0) continue;
    const k = atomKey(t.atom);
    const prev = merged.get(k);
    merged.set(k, prev ? { coef: prev.coef + t.coef, atom: t.atom } : t);
  }
  const out = [...merged.entries()].filter(([, t]) => t.coef !== 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, t]) => t);
  return { constant, terms: out };
}

function atomRange(a: Atom): [number, number] {
  switch (a.k) {
    case 'var': return [0, a.size - 1];
    case 'value': return [a.lo, a.hi];
    case 'div': {
      const [lo, hi] = range(a.of);
      return [Math.floor(lo / a.by), Math.floor(hi / a.by)];
    }
    case 'mod': {
      const [lo, hi] = range(a.of);
      return lo >= 0 && hi < a.by ? [lo, hi] : [0, a.by - 1];
    }
  }
}

/** Inclusive [min, max] of an index over all variable values. */
export function range(i: Index): [number, number] {
  let lo = i.constant;
  let hi = i.constant;
  for (const t of i.terms) {
    const [a, b] = atomRange(t.atom);
    lo += Math.min(t.coef * a, t.coef * b);
    hi += Math.max(t.coef * a, t.coef * b);
  }
  return [lo, hi];
}

export function add(a: Index, b: Index): Index {
  return normalise(a.constant + b.constant, [...a.terms, ...b.terms]);
}

export function scale(a: Index, c: number): Index {
  return normalise(a.constant * c, a.terms.map((t) => ({ coef: t.coef * c, atom: t.atom })));
}

/**
 * a / c for an `a` whose coefficients and constant c divides (splitBy's multiple). Divides
 * rather than multiplying by 1 / c: 392 * (1 / 196) is 1.9999999999999998 in floating point,
 * and a coefficient off by that much breaks every key comparison made with it (the stitch
 * pass's owner proof failed for a text of 14 positions that way, splitting each attention).
 */
function divideExactly(a: Index, c: number): Index {
  return normalise(a.constant / c, a.terms.map((t) => ({ coef: t.coef / c, atom: t.atom })));
}

/** Splits a into (the part divisible by c, the rest). */
function splitBy(a: Index, c: number): { multiple: Index; rest: Index } {
  const multiple: Term[] = [];
  const rest: Term[] = [];
  for (const t of a.terms) (t.coef % c === 0 ? multiple : rest).push(t);
  const cm = a.constant - (((a.constant % c) + c) % c);
  return { multiple: normalise(cm, multiple), rest: normalise(a.constant - cm, rest) };
}

function gcd(a: number, b: number): number {
  a = Math.abs(a);
  b = Math.abs(b);
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * Finds g dividing c such that a = g*m + r with 0 <= r < g (the terms whose coefficients g
 * divides make up g*m). Then floor(a/c) = floor(m/(c/g)) and a mod c = g*(m mod (c/g)) + r:
 * this is what collapses (384*i0 + 96*i1 + i2) / 1536 to i0 / 4 when 96*i1 + i2 < 384.
 */
function factorOut(a: Index, c: number): { g: number; m: Index; r: Index } | undefined {
  const candidates = [...new Set(a.terms.map((t) => gcd(t.coef, c)))].filter((g) => g > 1 && g < c).sort((x, y) => y - x);
  for (const g of candidates) {
    const { multiple, rest } = splitBy(a, g);
    const [rlo, rhi] = range(rest);
    if (rlo >= 0 && rhi < g && multiple.terms.length > 0) return { g, m: divideExactly(multiple, g), r: rest };
  }
  return undefined;
}

/** floor(a / c) for a non-negative a and c > 0. */
export function div(a: Index, c: number): Index {
  if (c === 1) return a;
  const [lo, hi] = range(a);
  if (lo >= 0 && hi < c) return idx.constant(0);
  const f = factorOut(a, c);
  if (f) return div(f.m, c / f.g);
  const { multiple, rest } = splitBy(a, c);
  const [rlo, rhi] = range(rest);
  if (rlo >= 0 && rhi < c) return divideExactly(multiple, c);
  if (rlo >= 0 && multiple.terms.length + (multiple.constant !== 0 ? 1 : 0) > 0) {
    // floor((c*m + r)/c) = m + floor(r/c) for r >= 0.
    return add(divideExactly(multiple, c), div(rest, c));
  }
  return { constant: 0, terms: [{ coef: 1, atom: { k: 'div', of: a, by: c } }] };
}

/** a mod c for a non-negative a and c > 0. */
export function mod(a: Index, c: number): Index {
  if (c === 1) return idx.constant(0);
  const [lo, hi] = range(a);
  if (lo >= 0 && hi < c) return a;
  const f = factorOut(a, c);
  if (f) return add(scale(mod(f.m, c / f.g), f.g), f.r);
  const { rest } = splitBy(a, c);
  const [rlo, rhi] = range(rest);
  if (rlo >= 0 && rhi < c) return rest;
  if (rlo >= 0 && rest.terms.length > 0 && (rest.terms.length !== a.terms.length || rest.constant !== a.constant)) return mod(rest, c);
  return { constant: 0, terms: [{ coef: 1, atom: { k: 'mod', of: a, by: c } }] };
}

/** Row-major flattening of a multi-index. */
export function flatten(index: readonly Index[], shape: readonly number[]): Index {
  let acc = idx.constant(0);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    acc = add(acc, scale(index[i]!, stride));
    stride *= shape[i]!;
  }
  return acc;
}

/** The multi-index of a flat row-major index. */
export function unflatten(flat: Index, shape: readonly number[]): Index[] {
  const out = new Array<Index>(shape.length);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    out[i] = shape[i] === 1 ? idx.constant(0) : mod(div(flat, stride), shape[i]!);
    stride *= shape[i]!;
  }
  return out;
}

/**
 * Replaces variable `name` by `by` and re-simplifies (used to specialise a kernel's index
 * expressions to one element of a register tile).
 */
export function substitute(i: Index, name: string, by: Index): Index {
  let acc = idx.constant(i.constant);
  for (const t of i.terms) {
    const a = t.atom;
    let atom: Index;
    switch (a.k) {
      case 'var': atom = a.name === name ? by : { constant: 0, terms: [{ coef: 1, atom: a }] }; break;
      case 'value': atom = { constant: 0, terms: [{ coef: 1, atom: a }] }; break;
      case 'div': atom = div(substitute(a.of, name, by), a.by); break;
      case 'mod': atom = mod(substitute(a.of, name, by), a.by); break;
    }
    acc = add(acc, scale(atom, t.coef));
  }
  return acc;
}

/** Whether an index mentions variable `name` (data-dependent values are not looked into). */
export function mentions(i: Index, name: string): boolean {
  return i.terms.some((t) => (t.atom.k === 'var' ? t.atom.name === name : t.atom.k === 'value' ? false : mentions(t.atom.of, name)));
}

// Emits nested C loops over an n-d index space with literal per-operand strides: the one
// mechanism behind elementwise, broadcast and data-movement ops in every layout. Dims of size 1
// are dropped, dims are ordered by the first operand's strides (its physical order, so writes
// are sequential) and adjacent dims that are contiguous for every operand are merged.
//
// Each operand walks with its own pointer (incremented per loop level) rather than through
// index arithmetic on a shared base: GCC 12's induction-variable optimisation can rewrite
// base+index accesses of several arrays in one arena into MEM[0B + ...] forms that its
// pure/const analysis then mistakes for null dereferences, deleting the whole layer.

export interface NdOperand {
  /** Element strides per dim (0 for a broadcast dim). */
  readonly strides: readonly number[];
  /** Constant element offset. */
  readonly offset?: number;
  /** C identifier of the base pointer (in scope where the loop is emitted). */
  readonly ptr: string;
  /** C pointee type including qualifiers, e.g. 'const float'. */
  readonly type: string;
}

export interface NdPlan {
  readonly shape: number[];
  readonly strides: number[][];
}

export function planNd(shape: readonly number[], ops: readonly { strides: readonly number[] }[]): NdPlan {
  let dims = shape.map((n, i) => ({ n, s: ops.map((o) => o.strides[i]), i })).filter((d) => d.n !== 1);
  // Physical order of operand 0: largest stride first; stable on ties.
  dims = dims.map((d, k) => ({ ...d, k })).sort((a, b) => (Math.abs(b.s[0]) - Math.abs(a.s[0])) || (a.k - b.k));
  const merged: { n: number; s: number[] }[] = [];
  for (const d of dims) {
    const prev = merged[merged.length - 1];
    if (prev && prev.s.every((ps, j) => ps === d.s[j] * d.n)) {
      prev.n *= d.n;
      prev.s = d.s.slice();
    } else merged.push({ n: d.n, s: d.s.slice() });
  }
  return { shape: merged.map((d) => d.n), strides: ops.map((_, j) => merged.map((d) => d.s[j])) };
}

/**
 * Loop lines; `body` gets one lvalue expression per operand (the current element) and returns
 * the statements of the innermost body.
 */
export function ndLoop(shape: readonly number[], ops: readonly NdOperand[], body: (refs: string[]) => string[], indent = '  '): string[] {
  const p = planNd(shape, ops);
  const R = p.shape.length;
  const lines: string[] = [];
  const pv = (j: number, level: number) => `${ops[j].ptr}_${level}`;
  let ind = indent;
  lines.push(`${ind}{`);
  ind += '  ';
  if (R) lines.push(`${ind}int32_t ${p.shape.map((_, i) => `i${i}`).join(', ')};`);
  ops.forEach((o, j) => lines.push(`${ind}${o.type}* ${pv(j, 0)} = ${o.ptr}${o.offset ? ` + ${o.offset}` : ''};`));
  for (let l = 0; l < R; l++) {
    const incs = ops.map((_, j) => (p.strides[j][l] === 0 ? '' : `${pv(j, l)} += ${p.strides[j][l]}`)).filter((s) => s);
    lines.push(`${ind}for (i${l} = 0; i${l} < ${p.shape[l]}; i${l}++${incs.length ? ', ' + incs.join(', ') : ''}) {`);
    ind += '  ';
    ops.forEach((o, j) => lines.push(`${ind}${o.type}* ${pv(j, l + 1)} = ${pv(j, l)};`));
  }
  for (const l of body(ops.map((_, j) => `(*${pv(j, R)})`))) lines.push(`${ind}${l}`);
  for (let l = R; l >= 0; l--) {
    ind = ind.slice(2);
    lines.push(`${ind}}`);
  }
  return lines;
}

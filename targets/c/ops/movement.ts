// Data-movement ops (Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Slice, Gather, Expand,
// Split, Pad, DepthToSpace, SpaceToDepth, Resize/Upsample nearest, Tile ...) emitted from the
// interpreter itself: the op runs at compile time on an int32 tensor holding 1 + the logical index
// of every input element (other inputs at their constant values), so each output element names
// its source. That map is exact by construction, whatever the op's attribute corner cases. The C
// is then, in order of preference: strided loops (source offset affine in the output index), a
// sum of per-dimension offset tables (separable maps such as nearest resize), or one offset table
// per element. Offsets are physical, so NHWC and row-major tensors are handled alike.
import { lookupOp } from '../../../ops/engine/registry';
import { TensorInfo } from '../../../core/ir/graph';
import { Tensor, numel } from '../../../core/ir/tensor';
import { NodeContext, OpEmitter } from '../context';
import { physOrder, physStrides, rowMajor } from '../ctypes';
import { ndLoop } from '../nd-loop';
import { block } from './util';

const MAX_INDEX = 2 ** 31 - 2;

/** Source logical index + 1 (0: fill value) of every output element, per output. */
function sourceMaps(ctx: NodeContext, dataInput: number): Int32Array[] {
  const node = ctx.node;
  const impl = lookupOp(node.op, node.domain);
  if (!impl) return ctx.fail('no interpreter implementation');
  const x = ctx.in(dataInput);
  const n = numel(x.shape);
  if (n > MAX_INDEX) ctx.fail('tensor too large');
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i + 1;
  const inputs: (Tensor | undefined)[] = node.inputs.map((name, i) => {
    if (!name) return undefined;
    if (i === dataInput) return { dtype: 'int32', shape: x.shape, data: idx };
    if (node.op === 'Pad' && i === 2) return { dtype: 'int32', shape: [], data: new Int32Array(1) };
    return ctx.constValue(i);
  });
  const asInt = (t: TensorInfo | undefined): TensorInfo | undefined => (t ? { ...t, dtype: 'int32', quant: undefined } : t);
  const inputInfos = node.inputs.map((name, i) => (name ? (i === dataInput ? asInt(ctx.model.info(name)) : ctx.model.info(name)) : undefined));
  const outputInfos = node.outputs.map((o) => (o ? asInt(ctx.model.info(o)) : undefined));
  let node2 = node;
  if (node.op === 'Pad' && 'value' in node.attrs) node2 = { ...node, attrs: { ...node.attrs, value: 0 } };
  if (node.op === 'Resize' && 'extrapolation_value' in node.attrs) node2 = { ...node, attrs: { ...node.attrs, extrapolation_value: 0 } };
  const outs = impl.run({ node: node2, inputs, inputInfos, outputInfos });
  return outs.map((t, k) => {
    const want = numel(ctx.out(k).shape);
    if (t.data.length !== want) ctx.fail(`internal: index map has ${t.data.length} elements, output ${want}`);
    return t.data instanceof Int32Array ? t.data : Int32Array.from(t.data as ArrayLike<number>);
  });
}

/** Physical source offsets (-1: fill) in logical output order. */
function physicalOffsets(map: Int32Array, xShape: readonly number[]): Int32Array {
  const ls = rowMajor(xShape), ps = physStrides(xShape);
  const out = new Int32Array(map.length);
  for (let o = 0; o < map.length; o++) {
    let v = map[o] - 1;
    if (v < 0) { out[o] = -1; continue; }
    let p = 0;
    for (let d = 0; d < xShape.length; d++) { const c = Math.floor(v / ls[d]); v -= c * ls[d]; p += c * ps[d]; }
    out[o] = p;
  }
  return out;
}

/** Per output dim d, T_d[j] = offset contribution; verified over every element. */
function separable(p: Int32Array, shape: readonly number[]): { base: number; tables: Int32Array[] } | undefined {
  const ls = rowMajor(shape);
  const base = p.length ? p[0] : 0;
  if (p.some((v) => v < 0)) return undefined;
  const tables = shape.map((len, d) => {
    const t = new Int32Array(len);
    for (let j = 0; j < len; j++) t[j] = p[j * ls[d]] - base;
    return t;
  });
  const r = shape.length;
  const ctr = new Array<number>(r).fill(0);
  for (let o = 0; o < p.length; o++) {
    let s = base;
    for (let d = 0; d < r; d++) s += tables[d][ctr[d]];
    if (s !== p[o]) return undefined;
    for (let d = r - 1; d >= 0; d--) { if (++ctr[d] < shape[d]) break; ctr[d] = 0; }
  }
  return { base, tables };
}

function linearStride(t: Int32Array): number | undefined {
  if (t.length < 2) return 0;
  const s = t[1] - t[0];
  for (let j = 0; j < t.length; j++) if (t[j] !== j * s) return undefined;
  return s;
}

function emitOutput(ctx: NodeContext, k: number, map: Int32Array, dataInput: number): void {
  const x = ctx.in(dataInput), y = ctx.out(k);
  const xt = ctx.ctypeIn(dataInput).name, yt = ctx.ctypeOut(k).name;
  const off = physicalOffsets(map, x.shape);
  const ys = physStrides(y.shape);
  const decls = [`${yt}* y = ${ctx.outPtr(k)};`, `const ${xt}* x = ${ctx.inPtr(dataInput)};`];
  if (off.length === 0) return;
  const sep = separable(off, y.shape);
  if (sep) {
    const strides = sep.tables.map(linearStride);
    if (strides.every((s) => s !== undefined)) {
      block(ctx, decls, ndLoop(y.shape, [{ strides: ys, ptr: 'y', type: yt }, { strides: strides as number[], offset: sep.base, ptr: 'x', type: `const ${xt}` }], ([o, i]) => [`${o} = ${i};`], '  '));
      return;
    }
    // Loops in the output's physical order; table lookups for non-linear dims.
    const order = physOrder(y.shape.length).filter((d) => y.shape[d] > 1);
    const tdecl: string[] = [];
    const terms: string[] = [sep.base ? String(sep.base) : ''];
    for (const d of order) {
      const s = strides[d];
      if (s === undefined) {
        const tp = ctx.weightArray(sep.tables[d], 'int32_t');
        tdecl.push(`const int32_t* t${d} = ${tp};`);
        terms.push(`t${d}[i${d}]`);
      } else if (s !== 0) terms.push(s === 1 ? `i${d}` : `i${d} * ${s}`);
    }
    // y is walked by a pointer in its physical order (contiguous); x through the tables.
    const lines: string[] = [`  ${yt}* yp = y;`];
    if (order.length) lines.push(`  int32_t ${order.map((d) => `i${d}`).join(', ')};`);
    let ind = '  ';
    for (const d of order) { lines.push(`${ind}for (i${d} = 0; i${d} < ${y.shape[d]}; i${d}++)`); ind += '  '; }
    lines.push(`${ind}*yp++ = x[${terms.filter((t) => t).join(' + ') || '0'}];`);
    block(ctx, [...decls, ...tdecl], lines);
    return;
  }
  // One offset a element, in the output's physical order; -1 is the fill value (Pad).
  const phys = new Int32Array(off.length);
  const ls = rowMajor(y.shape);
  for (let o = 0; o < off.length; o++) {
    let v = o, p = 0;
    for (let d = 0; d < y.shape.length; d++) { const c = Math.floor(v / ls[d]); v -= c * ls[d]; p += c * ys[d]; }
    phys[p] = off[o];
  }
  const tp = ctx.weightArray(phys, 'int32_t');
  const fill = fillValue(ctx);
  const hasFill = off.some((v) => v < 0);
  block(ctx, [...decls, `const int32_t* t = ${tp};`, `const int32_t* const tend = t + ${off.length};`], [
    `  for (; t != tend; t++, y++) *y = ${hasFill ? `*t < 0 ? (${yt})${fill} : ` : ''}x[*t];`,
  ]);
}

function fillValue(ctx: NodeContext): string {
  if (ctx.node.op === 'Pad') {
    if (ctx.has(2)) { const v = Number(ctx.constValue(2).data[0]); return Number.isFinite(v) ? String(v) : (v > 0 ? 'HUGE_VALF' : v < 0 ? '-HUGE_VALF' : 'NAN'); }
    const v = ctx.node.attrs.value as number | undefined;
    return String(v ?? 0);
  }
  if (ctx.node.op === 'Resize') return String(ctx.node.attrs.extrapolation_value ?? 0);
  return '0';
}

/** Emitter for a single-data-input movement op (input `dataInput`, every output). */
export function movement(dataInput = 0): OpEmitter {
  return (ctx) => {
    const maps = sourceMaps(ctx, dataInput);
    maps.forEach((m, k) => { if (ctx.node.outputs[k]) emitOutput(ctx, k, m, dataInput); });
  };
}

/** Concat: each input copied into its slab of the output through strides. */
export const emitConcat: OpEmitter = (ctx) => {
  const y = ctx.out(0);
  const rank = y.shape.length;
  const axis = ((ctx.node.attrs.axis as number) + rank) % rank;
  const ys = physStrides(y.shape);
  const yt = ctx.ctypeOut(0).name;
  let pos = 0;
  ctx.node.inputs.forEach((name, i) => {
    if (!name) return;
    const x = ctx.in(i);
    if (numel(x.shape) > 0) {
      block(ctx, [`${yt}* y = ${ctx.outPtr()};`, `const ${yt}* x = ${ctx.inPtr(i)};`],
        ndLoop(x.shape, [{ strides: ys, offset: pos * ys[axis], ptr: 'y', type: yt }, { strides: physStrides(x.shape), ptr: 'x', type: `const ${yt}` }], ([o, s]) => [`${o} = ${s};`], '  '));
    }
    pos += x.shape[axis];
  });
};

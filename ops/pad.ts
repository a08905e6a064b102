// Pad: `pads` = [x1_begin, x2_begin, ..., x1_end, x2_end, ...] (input 1 from opset 11, attribute
// before; negative pads crop), constant value (input 2 / attribute `value`, default 0), `axes`
// (input 3, opset 18). Modes: constant, reflect (mirror without repeating the edge), edge, wrap.
import { TypedArray, allocArray, isBigInt } from '../core/ir/dtype';
import { Node } from '../core/ir/graph';
import { Tensor, numel, strides } from '../core/ir/tensor';
import { HsqError } from '../core/diagnostics';
import { AttrValues, attr, defineOp } from './lib/descriptor';
import { constNumbers, hasInput, inputInfo, normAxis, req, runNumbers } from './lib/tensor-util';

export type PadMode = 'constant' | 'reflect' | 'edge' | 'wrap';

/** Full-rank [begins..., ends...] from pads over `axes` (all axes when undefined). */
export function fullPads(rank: number, pads: readonly number[], axes: readonly number[] | undefined, node: Node): number[] {
  const ax = axes ? axes.map((a) => normAxis(a, rank, node)) : Array.from({ length: rank }, (_, i) => i);
  if (pads.length !== 2 * ax.length) {
    throw new HsqError('bad-input', `node '${node.name}' (Pad): ${pads.length} pads for ${ax.length} axes`, node.name);
  }
  const full = new Array<number>(2 * rank).fill(0);
  ax.forEach((a, i) => { full[a] = pads[i]; full[rank + a] = pads[ax.length + i]; });
  return full;
}

export function padShape(shape: readonly number[], pads: readonly number[], node: Node): number[] {
  const r = shape.length;
  const out = shape.map((d, i) => d + pads[i] + pads[r + i]);
  if (out.some((d) => d < 0)) throw new HsqError('bad-shape', `node '${node.name}' (Pad): pads crop below 0`, node.name);
  return out;
}

/** Source index along one axis for output position o, or -1 for the constant. */
function sourceIndex(o: number, begin: number, dim: number, mode: PadMode): number {
  const i = o - begin;
  if (i >= 0 && i < dim) return i;
  switch (mode) {
    case 'constant': return -1;
    case 'edge': return i < 0 ? 0 : dim - 1;
    case 'wrap': return ((i % dim) + dim) % dim;
    case 'reflect': {
      if (dim === 1) return 0;
      const p = 2 * (dim - 1);
      const m = ((i % p) + p) % p;
      return m < dim ? m : p - m;
    }
  }
}

export function pad(x: Tensor, pads: readonly number[], mode: PadMode = 'constant', value: number | bigint = 0, node?: Node): Tensor {
  const nd = node ?? ({ name: '?' } as Node);
  const r = x.shape.length;
  const out = padShape(x.shape, pads, nd);
  if (mode !== 'constant' && x.shape.some((d, i) => d === 0 && out[i] > 0)) {
    throw new HsqError('bad-shape', `node '${nd.name}' (Pad): ${mode} padding of an empty dim`, nd.name);
  }
  const st = strides(x.shape);
  // per axis: output position -> source offset (index * stride) or -1
  const maps = out.map((d, a) => {
    const m = new Int32Array(d);
    for (let o = 0; o < d; o++) { const s = sourceIndex(o, pads[a], x.shape[a], mode); m[o] = s < 0 ? -1 : s * st[a]; }
    return m;
  });
  const n = numel(out);
  const data = allocArray(x.dtype, n) as unknown as (number | bigint)[];
  const src = x.data as unknown as (number | bigint)[];
  const cv = isBigInt(x.dtype) ? BigInt(value) : Number(value);
  if (n === 0) return { dtype: x.dtype, shape: out, data: data as unknown as TypedArray };
  if (r === 0) { data[0] = src[0]; return { dtype: x.dtype, shape: out, data: data as unknown as TypedArray }; }
  const inner = out[r - 1], im = maps[r - 1];
  const counter = new Array<number>(r).fill(0);
  for (let o = 0; o < n; o += inner) {
    let base = 0, outside = false;
    for (let d = 0; d < r - 1; d++) { const v = maps[d][counter[d]]; if (v < 0) outside = true; base += v; }
    if (outside) for (let i = 0; i < inner; i++) data[o + i] = cv;
    else for (let i = 0; i < inner; i++) { const v = im[i]; data[o + i] = v < 0 ? cv : src[base + v]; }
    for (let d = r - 2; d >= 0; d--) { if (++counter[d] < out[d]) break; counter[d] = 0; }
  }
  return { dtype: x.dtype, shape: out, data: data as unknown as TypedArray };
}

const PAD_ATTRS = { mode: attr.string('constant'), pads: attr.ints(), value: attr.float(0) };
type PadAttrs = AttrValues<typeof PAD_ATTRS>;

function modeOf(node: Node, m: string): PadMode {
  if (m !== 'constant' && m !== 'reflect' && m !== 'edge' && m !== 'wrap') {
    throw new HsqError('unsupported', `node '${node.name}' (Pad): mode ${m}`, node.name);
  }
  return m;
}

function padsOf(node: Node, a: PadAttrs, rank: number, get: (i: number, what: string) => number[] | undefined): number[] {
  const p = a.pads ?? get(1, 'pads');
  if (!p) throw new HsqError('bad-input', `node '${node.name}' (Pad): pads missing`, node.name);
  return fullPads(rank, p, hasInput(node, 3) ? get(3, 'axes') : undefined, node);
}

export const Pad = defineOp({
  op: 'Pad',
  attrs: PAD_ATTRS,
  constInputs: [1, 3],
  traits: { quant: 'dequantize-compute-quantize', npu: 'data-movement' },
  infer: (args) => {
    const x = inputInfo(args, 0);
    modeOf(args.node, args.attrs.mode);
    return [{ dtype: x.dtype, shape: padShape(x.shape, padsOf(args.node, args.attrs, x.shape.length, (i, w) => constNumbers(args, i, w)), args.node) }];
  },
  run: ({ node, inputs, attrs }) => {
    const x = req(node, inputs, 0);
    const pads = padsOf(node, attrs, x.shape.length, (i) => runNumbers(node, inputs, i));
    // Opset < 11 gives pads and the value as attributes; later opsets as inputs 1 and 2.
    let value: number | bigint = attrs.pads !== undefined ? attrs.value : 0;
    if (hasInput(node, 2) && inputs[2] && inputs[2].data.length > 0) value = inputs[2].data[0];
    return [pad(x, pads, modeOf(node, attrs.mode), value, node)];
  },
});

// Clip: y = min(max(x, min), max) (so min > max gives max, as numpy.clip); NaN stays NaN.
// Opset 6 takes min/max as attributes, opset 11+ as optional inputs. Any numeric dtype.
import { isBigInt, isFloat } from '../core/ir/dtype';
import { Tensor } from '../core/ir/tensor';
import { AttrValues, attr, defineOp } from './lib/descriptor';
import { inferSameAsInput } from './lib/elementwise';
import { hasInput, mapUnary, opsetOf, req } from './lib/tensor-util';

const FLT_MAX = 3.4028234663852886e38;

export function clip(x: Tensor, min?: number | bigint, max?: number | bigint): Tensor {
  if (isBigInt(x.dtype)) {
    const lo = min as bigint | undefined, hi = max as bigint | undefined;
    return mapUnary(x, x.dtype, (v: bigint) => {
      if (lo !== undefined && v < lo) v = lo;
      if (hi !== undefined && v > hi) v = hi;
      return v;
    });
  }
  const lo = min === undefined ? -Infinity : Number(min), hi = max === undefined ? Infinity : Number(max);
  return mapUnary(x, x.dtype, (v: number) => {
    if (v < lo) v = lo;
    if (v > hi) v = hi;
    return v;
  });
}

/**
 * [min, max] of a Clip: the attributes (opset < 11, or when given), float types defaulting to
 * +-FLT_MAX; else the optional inputs 1 and 2 (`input(i)`: first value, undefined when absent).
 */
export function clipBounds(opset: number, a: ClipAttrs, isF: boolean, input: (i: number) => number | bigint | undefined): [number | bigint | undefined, number | bigint | undefined] {
  if (opset < 11 || a.min !== undefined || a.max !== undefined) return [a.min ?? (isF ? -FLT_MAX : undefined), a.max ?? (isF ? FLT_MAX : undefined)];
  return [input(1), input(2)];
}

const CLIP_ATTRS = { min: attr.float(), max: attr.float() };
type ClipAttrs = AttrValues<typeof CLIP_ATTRS>;

export const Clip = defineOp({
  op: 'Clip',
  attrs: CLIP_ATTRS,
  traits: { quant: 'lookup-table', elementwise: 'unary', npu: 'lookup-activation' },
  c: {
    unary: (v, e) => {
      const [lo, hi] = clipBounds(e.opset, e.attrs, e.isFloat, (i) => e.constScalar(i)) as [number | undefined, number | undefined];
      // As clip(): if (v < lo) v = lo; if (v > hi) v = hi.
      let x = v;
      if (lo !== undefined) x = `(${x} < ${e.lit(lo)} ? ${e.lit(lo)} : ${x})`;
      if (hi !== undefined) x = `(${x} > ${e.lit(hi)} ? ${e.lit(hi)} : ${x})`;
      return x;
    },
  },
  infer: inferSameAsInput,
  run: ({ node, inputs, attrs }) => {
    const x = req(node, inputs, 0);
    const get = (i: number) => (hasInput(node, i) && inputs[i] && inputs[i]!.data.length > 0 ? inputs[i]!.data[0] : undefined);
    const [lo, hi] = clipBounds(opsetOf(node), attrs, isFloat(x.dtype), get);
    return [clip(x, lo, hi)];
  },
});

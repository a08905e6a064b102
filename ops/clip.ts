// Clip: y = min(max(x, min), max) (so min > max gives max, as numpy.clip); NaN stays NaN.
// Opset 6 takes min/max as attributes, opset 11+ as optional inputs. Any numeric dtype.
import { isBigInt, isFloat } from '../core/ir/dtype';
import { Node } from '../core/ir/graph';
import { Tensor } from '../core/ir/tensor';
import { OpImpl } from './lib/types';
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

function bounds(node: Node, x: Tensor, inputs: readonly (Tensor | undefined)[]): [number | bigint | undefined, number | bigint | undefined] {
  if (opsetOf(node) < 11 || 'min' in node.attrs || 'max' in node.attrs) {
    const lo = node.attrs.min as number | undefined, hi = node.attrs.max as number | undefined;
    const f = isFloat(x.dtype);
    return [lo ?? (f ? -FLT_MAX : undefined), hi ?? (f ? FLT_MAX : undefined)];
  }
  const get = (i: number) => (hasInput(node, i) && inputs[i] && inputs[i]!.data.length > 0 ? inputs[i]!.data[0] : undefined);
  return [get(1), get(2)];
}

export const Clip: OpImpl = {
  op: 'Clip', domains: [''],
  infer: inferSameAsInput,
  run: ({ node, inputs }) => {
    const x = req(node, inputs, 0);
    const [lo, hi] = bounds(node, x, inputs);
    return [clip(x, lo, hi)];
  },
};

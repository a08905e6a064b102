// Cast to the dtype `to` (ONNX TensorProto code). float -> integer truncates toward zero and
// wraps like the typed array store (NaN and Inf give 0); integer -> float rounds to nearest;
// to float16 rounds to half precision (round half to even) and is held in a float32 slot;
// to bool is x != 0.
import { DType, TypedArray, allocArray, dtypeFromOnnx, isBigInt, isFloat } from '../core/ir/dtype';
import { Node } from '../core/ir/graph';
import { Tensor } from '../core/ir/tensor';
import { roundHalfEven } from '../core/numerics';
import { HsqError } from '../core/diagnostics';
import { attr, defineOp } from './lib/descriptor';
import { inputInfo, req } from './lib/tensor-util';

const fround = Math.fround;

/** Round a number to the nearest float16 value (half to even), overflow to +-Inf. */
export function roundToHalf(v: number): number {
  if (v !== v || v === 0 || !Number.isFinite(v)) return v;
  const a = Math.abs(v);
  let q: number;
  if (a < 2 ** -14) q = 2 ** -24;
  else {
    let e = Math.floor(Math.log2(a));
    if (2 ** e > a) e--;
    else if (2 ** (e + 1) <= a) e++;
    q = 2 ** (e - 10);
  }
  const r = roundHalfEven(a / q) * q;
  const out = r >= 65520 ? Infinity : r;
  return v < 0 ? -out : out;
}

function targetOf(node: Node, code: number | undefined): DType {
  const dt = code === undefined ? undefined : dtypeFromOnnx(code);
  if (!dt || dt === 'string') {
    throw new HsqError('unsupported', `node '${node.name}' (Cast): target type ${code} is not supported`, node.name);
  }
  return dt;
}

export function cast(x: Tensor, to: DType): Tensor {
  if (x.dtype === 'string' || to === 'string') throw new HsqError('unsupported', 'Cast of string tensors is not supported');
  const n = x.data.length;
  const out = allocArray(to, n) as unknown as (number | bigint)[];
  const src = x.data as unknown as (number | bigint)[];
  const fromBig = isBigInt(x.dtype), fromFloat = isFloat(x.dtype);
  for (let i = 0; i < n; i++) {
    const v = src[i];
    let r: number | bigint;
    if (to === 'bool') r = fromBig ? (v !== 0n ? 1 : 0) : (v !== 0 ? 1 : 0);
    else if (to === 'float32') r = fround(Number(v));
    else if (to === 'float64') r = Number(v);
    else if (to === 'float16') r = roundToHalf(fround(Number(v)));
    else if (isBigInt(to)) {
      if (fromBig) r = v as bigint;
      else { const t = Math.trunc(v as number); r = Number.isFinite(t) ? BigInt(t) : 0n; }
    } else if (fromBig) r = Number(BigInt.asIntN(32, v as bigint));
    else if (fromFloat) { const t = Math.trunc(v as number); r = Number.isFinite(t) ? t : 0; }
    else r = v as number;
    if (to === 'int4' || to === 'uint4') r = wrap4(r as number, to === 'int4');
    out[i] = r;
  }
  return { dtype: to, shape: [...x.shape], data: out as unknown as TypedArray };
}

function wrap4(v: number, signed: boolean): number {
  const u = ((v % 16) + 16) % 16;
  return signed && u > 7 ? u - 16 : u;
}

export const Cast = defineOp({
  op: 'Cast',
  attrs: { to: attr.int() },
  traits: { quant: 'none', elementwise: 'unary', npu: 'none' },
  infer: (args) => [{ dtype: targetOf(args.node, args.attrs.to), shape: [...inputInfo(args, 0).shape] }],
  run: ({ node, inputs, attrs }) => [cast(req(node, inputs, 0), targetOf(node, attrs.to))],
});

// Pow: y = x ^ e with broadcasting; the exponent may have another dtype. float32: exponent 2
// and 3 as products (as ONNX Runtime does), otherwise the correctly rounded double pow rounded
// to float32 (the C side's powf must then agree; exact products are the common case).
// Integer x: exact power, wrapped; negative exponents truncate toward zero.
import { isBigInt, isFloat } from '../core/ir/dtype';
import { Tensor } from '../core/ir/tensor';
import { defineOp } from './lib/descriptor';
import { broadcastBinary } from './lib/broadcast';
import { inferBroadcast } from './lib/elementwise';
import { req } from './lib/tensor-util';

const fround = Math.fround;

function powf(a: number, b: number): number {
  if (b === 2) return fround(a * a);
  if (b === 3) return fround(fround(a * a) * a);
  return fround(Math.pow(a, b));
}

function powInt(a: number, b: number): number {
  if (b < 0) return a === 1 ? 1 : a === -1 ? (b % 2 === 0 ? 1 : -1) : 0;
  let r = 1;
  for (let i = 0; i < b; i++) r = Math.imul(r, a);
  return r;
}

export function pow(x: Tensor, e: Tensor, subject?: string): Tensor {
  const eBig = isBigInt(e.dtype);
  if (isBigInt(x.dtype)) {
    return broadcastBinary(x, e, x.dtype, (a: bigint, b: number | bigint) => {
      const n = BigInt(eBig ? (b as bigint) : Math.trunc(b as number));
      if (n < 0n) return a === 1n ? 1n : a === -1n ? (n % 2n === 0n ? 1n : -1n) : 0n;
      return BigInt.asIntN(64, a ** n);
    }, subject);
  }
  const num = (b: number | bigint) => (eBig ? Number(b) : (b as number));
  if (isFloat(x.dtype)) {
    if (x.dtype === 'float64') return broadcastBinary(x, e, x.dtype, (a: number, b: number | bigint) => Math.pow(a, num(b)), subject);
    return broadcastBinary(x, e, x.dtype, (a: number, b: number | bigint) => powf(a, fround(num(b))), subject);
  }
  return broadcastBinary(x, e, x.dtype, (a: number, b: number | bigint) => powInt(a, Math.trunc(num(b))), subject);
}

export const Pow = defineOp({
  op: 'Pow',
  attrs: {},
  traits: { quant: 'none', elementwise: 'binary', npu: 'elementwise' },
  c: { binary: (a, b) => `hsq_powf(${a}, ${b})` },
  infer: (args) => inferBroadcast(args, undefined, [0, 1]),
  run: ({ node, inputs }) => [pow(req(node, inputs, 0), req(node, inputs, 1), node.name)],
});

// Max: elementwise maximum of one or more inputs with broadcasting; NaN propagates (numpy).
import { isBigInt } from '../core/ir/dtype';
import { Tensor } from '../core/ir/tensor';
import { defineOp } from './lib/descriptor';
import { broadcastFold } from './lib/broadcast';
import { inferBroadcast, sameDtype } from './lib/elementwise';

export function max(ts: readonly Tensor[], subject?: string): Tensor {
  const dt = ts[0]?.dtype ?? 'float32';
  const fn = isBigInt(dt)
    ? (a: bigint, b: bigint) => (a > b ? a : b)
    : (a: number, b: number) => (a !== a || b !== b ? NaN : a > b ? a : b);
  return broadcastFold(ts, dt, fn, subject);
}

export const Max = defineOp({
  op: 'Max',
  attrs: {},
  traits: { quant: 'none', elementwise: 'variadic', npu: 'elementwise' },
  c: { binary: (a, b, e) => (e.isFloat ? `hsq_max_nan(${a}, ${b})` : `(${a} > ${b} ? ${a} : ${b})`) },
  infer: (args) => {
    const infos = args.inputs.filter((t) => t);
    for (const t of infos) sameDtype(args.node, infos[0]!.dtype, t!.dtype);
    return inferBroadcast(args);
  },
  run: ({ node, inputs }) => [max(inputs.filter((t): t is Tensor => !!t), node.name)],
});

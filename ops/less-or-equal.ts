// LessOrEqual: bool output, a <= b elementwise with broadcasting (NaN compares false).
import { Tensor } from '../core/ir/tensor';
import { broadcastBinary } from './lib/broadcast';
import { binaryOp } from './lib/elementwise';

export function lessOrEqual(a: Tensor, b: Tensor, subject?: string): Tensor {
  return broadcastBinary(a, b, 'bool', (a: number | bigint, b: number | bigint) => (a <= b ? 1 : 0), subject);
}

export const LessOrEqual = binaryOp({
  op: 'LessOrEqual',
  outDtype: 'bool',
  traits: { quant: 'none', npu: 'none' },
  c: { binary: (a, b) => `(uint8_t)(${a} <= ${b})` },
  compute: (a, b, node) => lessOrEqual(a, b, node.name),
});

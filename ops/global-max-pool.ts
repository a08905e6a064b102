// ONNX GlobalMaxPool: maximum over all spatial dims (float32, int8, uint8).
import { defineOp } from './lib/descriptor';
import { globalPool, globalPoolInfer } from './lib/global-pool-kernel';

export const GlobalMaxPool = defineOp({
  op: 'GlobalMaxPool',
  attrs: {},
  traits: { quant: 'pass-through', npu: 'pool' },
  infer: globalPoolInfer,
  run: (args) => globalPool(args, true),
});

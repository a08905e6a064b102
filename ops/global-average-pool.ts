// ONNX GlobalAveragePool: fround(sum / count) over all spatial dims, sum in memory order.
import { defineOp } from './lib/descriptor';
import { globalPool, globalPoolInfer } from './lib/global-pool-kernel';

export const GlobalAveragePool = defineOp({
  op: 'GlobalAveragePool',
  attrs: {},
  traits: { quant: 'dequantize-compute-quantize', npu: 'pool' },
  infer: globalPoolInfer,
  run: (args) => globalPool(args, false),
});

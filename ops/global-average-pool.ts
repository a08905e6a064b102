// ONNX GlobalAveragePool: fround(sum / count) over all spatial dims, sum in memory order.
import { OpImpl } from './types';
import { globalPool, globalPoolInfer } from './global-pool-kernel';

export const GlobalAveragePool: OpImpl = {
  op: 'GlobalAveragePool',
  domains: [''],
  infer: globalPoolInfer,
  run: (args) => globalPool(args, false),
};

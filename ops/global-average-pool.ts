// ONNX GlobalAveragePool: fround(sum / count) over all spatial dims, sum in memory order.
import { OpImpl } from './lib/types';
import { globalPool, globalPoolInfer } from './lib/global-pool-kernel';

export const GlobalAveragePool: OpImpl = {
  op: 'GlobalAveragePool',
  domains: [''],
  infer: globalPoolInfer,
  run: (args) => globalPool(args, false),
};

// ONNX GlobalMaxPool: maximum over all spatial dims (float32, int8, uint8).
import { OpImpl } from './lib/types';
import { globalPool, globalPoolInfer } from './lib/global-pool-kernel';

export const GlobalMaxPool: OpImpl = {
  op: 'GlobalMaxPool',
  domains: [''],
  infer: globalPoolInfer,
  run: (args) => globalPool(args, true),
};

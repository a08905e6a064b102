// ONNX GlobalMaxPool: maximum over all spatial dims (float32, int8, uint8).
import { OpImpl } from './types';
import { globalPool, globalPoolInfer } from './global-pool-kernel';

export const GlobalMaxPool: OpImpl = {
  op: 'GlobalMaxPool',
  domains: [''],
  infer: globalPoolInfer,
  run: (args) => globalPool(args, true),
};

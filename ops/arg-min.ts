// ArgMin: the int64 index of the smallest element along `axis` (ops/lib/arg-reduce.ts).
import { argOp } from './lib/arg-reduce';

export const ArgMin = argOp('ArgMin');

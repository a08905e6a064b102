// ArgMax: the int64 index of the largest element along `axis` (ops/lib/arg-reduce.ts).
import { argOp } from './lib/arg-reduce';

export const ArgMax = argOp('ArgMax');

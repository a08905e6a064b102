// LogSoftmax: Softmax's rows (ops/softmax.ts; opset < 13 coerced to 2-D) with
//   y_j = (x_j - m) - logf(s),  s = sum of expf(x_j - m) in index order,
// every step float32, logf hsq's one float32 log (core/logf.ts), as ONNX Runtime's
// x - max - log(sum(exp(x - max))).
import { softmaxFamilyOp } from './softmax';

export const LogSoftmax = softmaxFamilyOp('LogSoftmax', true);

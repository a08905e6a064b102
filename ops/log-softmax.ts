// LogSoftmax: Softmax's rows (ops/softmax.ts; opset < 13 coerced to 2-D) with
//   y_j = (x_j - m) - logf(s),  s = sum of expf(x_j - m) in index order,
// every step float32, logf hsq's one float32 log (core/logf.ts), as ONNX Runtime's
// x - max - log(sum(exp(x - max))).
import { attr, defineOp } from './lib/descriptor';
import { inferSameAsInput } from './lib/elementwise';
import { FLOAT_TYPES, opsetOf, req, requireFloat } from './lib/tensor-util';
import { softmax } from './softmax';

export const LogSoftmax = defineOp({
  op: 'LogSoftmax',
  attrs: { axis: attr.int((opset) => (opset < 13 ? 1 : -1)) },
  types: FLOAT_TYPES,
  traits: { quant: 'none', npu: 'none' },
  infer: inferSameAsInput,
  run: ({ node, inputs, attrs }) => {
    const x = req(node, inputs, 0);
    requireFloat(node, x.dtype);
    return [softmax(x, attrs.axis, opsetOf(node), node, true)];
  },
});

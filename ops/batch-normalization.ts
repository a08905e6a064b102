// ONNX BatchNormalization, inference mode: per channel (axis 1)
// y = fround(fround(fround(x - mean) * fround(scale / fround(sqrt(fround(var + epsilon))))) + B).
import { fail } from '../core/diagnostics';
import { makeTensor } from '../core/ir/tensor';
import { attr, defineOp } from './lib/descriptor';
import { need, requireDtype, requireLength } from './lib/op-util';

const f = Math.fround;

export const BatchNormalization = defineOp({
  op: 'BatchNormalization',
  attrs: { epsilon: attr.float(1e-5), momentum: attr.float(0.9), training_mode: attr.int(0) },
  types: ['float32'],
  // Folded into the preceding Conv/Gemm (passes/fold-batchnorm) where one exists.
  traits: { quant: 'none', npu: 'none' },
  infer({ node, inputs }) {
    const x = need(node, inputs, 0, 'X');
    return [{ dtype: x.dtype, shape: x.shape }];
  },
  run({ node, inputs, attrs }) {
    const training_mode = attrs.training_mode, epsilon = f(attrs.epsilon);
    if (training_mode !== 0 || node.outputs.slice(1).some((o) => o))
      fail('unsupported', `node '${node.name}' (BatchNormalization): training mode / running-statistics outputs are not supported`, node.name);
    const x = need(node, inputs, 0, 'X');
    const [sc, b, mean, vr] = [1, 2, 3, 4].map((i) => need(node, inputs, i, ['', 'scale', 'B', 'input_mean', 'input_var'][i]));
    requireDtype(node, 'X', x.dtype, ['float32']);
    if (x.shape.length < 2) fail('bad-shape', `node '${node.name}' (BatchNormalization): input must have a channel dim`, node.name);
    const C = x.shape[1];
    for (const [t, w] of [[sc, 'scale'], [b, 'B'], [mean, 'input_mean'], [vr, 'input_var']] as const) requireLength(node, w, t, C);
    const plane = x.shape.slice(2).reduce((p, d) => p * d, 1);
    const factor = new Float32Array(C);
    for (let c = 0; c < C; c++) factor[c] = f(Number(sc.data[c]) / f(Math.sqrt(f(Number(vr.data[c]) + epsilon))));
    const y = makeTensor('float32', x.shape);
    const xd = x.data as Float32Array, yd = y.data as Float32Array, md = mean.data as Float32Array, bd = b.data as Float32Array;
    let o = 0;
    for (let n = 0; n < x.shape[0]; n++) {
      for (let c = 0; c < C; c++) {
        const m = md[c], k = factor[c], bb = bd[c];
        for (let i = 0; i < plane; i++, o++) yd[o] = f(f(f(xd[o] - m) * k) + bb);
      }
    }
    return [y];
  },
});

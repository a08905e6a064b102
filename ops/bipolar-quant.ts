// QONNX BipolarQuant: y = (x >= 0 ? +1 : -1) * scale in float32 (NaN → -1, as numpy.where).
import { makeTensor, numel } from '../core/ir/tensor';
import { defineOp } from './lib/descriptor';
import { need, requireDtype } from './lib/op-util';
import { broadcastIndex, broadcastShape } from './lib/param-broadcast';
import { paramValues } from './lib/quant-params';
import { QONNX_DOMAINS } from './lib/qonnx-quant';

export const BipolarQuant = defineOp({
  op: 'BipolarQuant',
  domains: QONNX_DOMAINS,
  attrs: {},
  types: ['float32'],
  traits: { quant: 'none', npu: 'none' },
  constInputs: [1],
  infer({ node, inputs }) {
    const x = need(node, inputs, 0, 'X'), s = need(node, inputs, 1, 'scale');
    return [{ dtype: 'float32', shape: broadcastShape(node.name, x.shape, s.shape) }];
  },
  run({ node, inputs }) {
    const x = need(node, inputs, 0, 'X'), s = need(node, inputs, 1, 'scale');
    requireDtype(node, 'X', x.dtype, ['float32']);
    const shape = broadcastShape(node.name, x.shape, s.shape);
    const xi = broadcastIndex(node.name, shape, x.shape), si = broadcastIndex(node.name, shape, s.shape);
    const sv = paramValues(s), xd = x.data as Float32Array;
    const y = makeTensor('float32', shape);
    const yd = y.data as Float32Array;
    for (let e = 0, n = numel(shape); e < n; e++) {
      const sc = Math.fround(sv[si ? si[e] : e]);
      yd[e] = xd[xi ? xi[e] : e] >= 0 ? sc : -sc;
    }
    return [y];
  },
});

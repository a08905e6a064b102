// ONNX MaxPool (float32, int8, uint8), 1-D and 2-D, with pads, auto_pad, dilations and
// ceil_mode; storage_order only affects the Indices output, which hsq does not support.
import { fail } from '../core/diagnostics';
import { intRange, isFloat } from '../core/ir/dtype';
import { makeTensor } from '../core/ir/tensor';
import { attr, defineOp } from './lib/descriptor';
import { tapRanges } from './lib/conv-geometry';
import { need, requireDtype } from './lib/op-util';
import { POOL_ATTRS, poolSetup } from './lib/pool-setup';

export const MaxPool = defineOp({
  op: 'MaxPool',
  attrs: { ...POOL_ATTRS, storage_order: attr.int(0) },
  types: ['float32', 'int8', 'uint8'],
  traits: { quant: 'pass-through', npu: 'pool' },
  infer({ node, inputs, attrs }) {
    const x = need(node, inputs, 0, 'X');
    return [{ dtype: x.dtype, shape: poolSetup(node, x.shape, attrs).outShape }];
  },
  run({ node, inputs, attrs }) {
    if (node.outputs[1]) fail('unsupported', `node '${node.name}' (MaxPool): the Indices output is not supported`, node.name);
    const x = need(node, inputs, 0, 'X');
    requireDtype(node, 'X', x.dtype, ['float32', 'int8', 'uint8']);
    const { params: p, outShape } = poolSetup(node, x.shape, attrs);
    const y = makeTensor(x.dtype, outShape);
    const xd = x.data as Float32Array, yd = y.data as Float32Array;
    // A window entirely in padding gives the type's lowest value, as ONNX Runtime.
    const lowest = isFloat(x.dtype) ? -3.4028234663852886e38 : intRange(x.dtype)[0];
    const rh = tapRanges(p.OH, p.H, p.KH, p.sh, p.padT, p.dh), rw = tapRanges(p.OW, p.W, p.KW, p.sw, p.padL, p.dw);
    let o = 0;
    for (let nc = 0; nc < p.N * p.C; nc++) {
      const base = nc * p.H * p.W;
      for (let oh = 0; oh < p.OH; oh++) {
        const ih0 = oh * p.sh - p.padT;
        for (let ow = 0; ow < p.OW; ow++, o++) {
          const iw0 = ow * p.sw - p.padL;
          let m = -Infinity;
          for (let kh = rh.lo[oh]; kh < rh.hi[oh]; kh++) {
            const row = base + (ih0 + kh * p.dh) * p.W + iw0;
            for (let kw = rw.lo[ow]; kw < rw.hi[ow]; kw++) {
              const v = xd[row + kw * p.dw];
              if (v > m) m = v;
            }
          }
          yd[o] = m === -Infinity ? lowest : m;
        }
      }
    }
    return [y];
  },
});

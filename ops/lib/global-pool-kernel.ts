// GlobalAveragePool / GlobalMaxPool over all spatial dims: average = fround(sum / count)
// with the sum taken in memory order, float32 rounding after each add.
import { makeTensor } from '../../core/ir/tensor';
import { fail } from '../../core/diagnostics';
import { InferArgs, InferredOutput, RunArgs } from './descriptor';
import { need, requireDtype } from './op-util';

export function globalPoolInfer({ node, inputs }: InferArgs): InferredOutput[] {
  const x = need(node, inputs, 0, 'X');
  return [{ dtype: x.dtype, shape: outShape(node, x.shape) }];
}

function outShape(node: InferArgs['node'], x: readonly number[]): number[] {
  if (x.length < 3) fail('bad-shape', `node '${node.name}' (${node.op}): input [${x}] has no spatial dims`, node.name);
  return [x[0], x[1], ...x.slice(2).map(() => 1)];
}

export function globalPool(args: RunArgs, max: boolean) {
  const { node, inputs } = args;
  const x = need(node, inputs, 0, 'X');
  requireDtype(node, 'X', x.dtype, max ? ['float32', 'int8', 'uint8'] : ['float32']);
  const shape = outShape(node, x.shape);
  const y = makeTensor(x.dtype, shape);
  const plane = x.shape.slice(2).reduce((p, d) => p * d, 1);
  const xd = x.data as Float32Array, yd = y.data as Float32Array;
  const f = Math.fround;
  for (let c = 0, o = 0; c < yd.length; c++) {
    if (max) {
      let m = xd[o];
      for (let i = 1; i < plane; i++) if (xd[o + i] > m) m = xd[o + i];
      yd[c] = m;
    } else {
      let s = 0;
      for (let i = 0; i < plane; i++) s = f(s + xd[o + i]);
      yd[c] = f(s / plane);
    }
    o += plane;
  }
  return [y];
}

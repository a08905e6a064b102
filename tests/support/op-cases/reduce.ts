// Reduce*: every op over keepdims, several axes sets (input from its opset, attribute before),
// noop_with_empty_axes, float32 and the integer types ONNX Runtime implements.
import { lookupOp } from '../../../ops/engine/registry';
import { OpCase } from './case';

const REDUCE = ['ReduceMean', 'ReduceSum', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceSumSquare'];
const X = [2, 3, 4, 5];
const AXES: (number[] | undefined)[] = [[1], [-1], [1, 2], [0, 3], undefined];

export function reduceCases(): OpCase[] {
  const out: OpCase[] = [];
  for (const op of REDUCE) {
    if (!lookupOp(op, '')) throw new Error(`no descriptor for ${op}`);
    for (const keepdims of [0, 1]) {
      AXES.forEach((axes, k) => {
        out.push({
          name: `${op}_axes${k}_keep${keepdims}`, op, opset: 18, attrs: { keepdims },
          inputs: [{ dtype: 'float32', shape: X, range: op === 'ReduceProd' ? [0.5, 1.5] : [-3, 3] }, axes ? { dtype: 'int64', shape: [axes.length], value: axes } : { dtype: 'int64', shape: [0], omitted: true }],
        });
      });
    }
    // Attribute axes (opset 13; ReduceSum's became an input at 13).
    if (op !== 'ReduceSum') out.push({ name: `${op}_attr_axes`, op, opset: 13, attrs: { axes: [2], keepdims: 1 }, inputs: [{ dtype: 'float32', shape: X }] });
    out.push({ name: `${op}_noop`, op, opset: 18, attrs: { noop_with_empty_axes: 1 }, inputs: [{ dtype: 'float32', shape: [2, 3] }] });
    for (const dt of ['int32', 'int64'] as const) {
      if (op === 'ReduceL2' || op === 'ReduceMean' && dt === 'int64') continue;
      out.push({ name: `${op}_${dt}`, op, opset: 18, attrs: { keepdims: 0 }, inputs: [{ dtype: dt, shape: [3, 4], range: [-5, 5] }, { dtype: 'int64', shape: [1], value: [1] }] });
    }
  }
  return out;
}

// ConstantOfShape: a tensor of the shape given by input 0 (int64), every element `value`
// (a one-element tensor attribute; default float32 0).
import { TypedArray } from '../core/ir/dtype';
import { Tensor, makeTensor, toNumbers } from '../core/ir/tensor';
import { attr, defineOp } from './lib/descriptor';
import { constNumbers, req } from './lib/tensor-util';

export function constantOfShape(shape: readonly number[], value?: Tensor): Tensor {
  const v = value ?? makeTensor('float32', [1], [0]);
  const t = makeTensor(v.dtype, shape);
  if (v.data.length > 0) (t.data as unknown as { fill(x: unknown): void }).fill(v.data[0]);
  return t as Tensor & { data: TypedArray };
}

export const ConstantOfShape = defineOp({
  op: 'ConstantOfShape',
  attrs: { value: attr.tensor() },
  constInputs: [0],
  traits: { quant: 'none', npu: 'none' },
  infer: (args) => [{ dtype: args.attrs.value?.dtype ?? 'float32', shape: constNumbers(args, 0, 'shape')! }],
  run: ({ node, inputs, attrs }) => [constantOfShape(toNumbers(req(node, inputs, 0)), attrs.value)],
});

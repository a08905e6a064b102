// Constant: the value of whichever attribute is set (value, value_float(s), value_int(s)).
import { Node } from '../core/ir/graph';
import { Tensor, makeTensor } from '../core/ir/tensor';
import { HsqError } from '../core/diagnostics';
import { attr, defineOp } from './lib/descriptor';

export function constantValue(node: Node): Tensor {
  const a = node.attrs;
  if (a.value !== undefined) {
    const t = a.value as Tensor;
    return { dtype: t.dtype, shape: [...t.shape], data: t.data.slice(), ...(t.strings ? { strings: t.strings } : {}) } as Tensor;
  }
  if (a.value_float !== undefined) return makeTensor('float32', [], [a.value_float as number]);
  if (a.value_floats !== undefined) { const v = a.value_floats as number[]; return makeTensor('float32', [v.length], v); }
  if (a.value_int !== undefined) return makeTensor('int64', [], [a.value_int as number]);
  if (a.value_ints !== undefined) { const v = a.value_ints as number[]; return makeTensor('int64', [v.length], v); }
  throw new HsqError('unsupported', `node '${node.name}' (Constant): only value, value_float(s) and value_int(s) are supported`, node.name);
}

export const Constant = defineOp({
  op: 'Constant',
  attrs: { value: attr.tensor(), value_float: attr.float(), value_floats: attr.floats(), value_int: attr.int(), value_ints: attr.ints() },
  traits: { quant: 'none', npu: 'none' },
  infer: ({ node }) => { const t = constantValue(node); return [{ dtype: t.dtype, shape: t.shape }]; },
  run: ({ node }) => [constantValue(node)],
});

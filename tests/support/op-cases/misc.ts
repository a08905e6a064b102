// The other ops of issue 11's list: elementwise math (Pow/Sqrt/Div/Reciprocal), data movement
// (Transpose every permutation of a rank-3/4 tensor, Gather, GatherElements, Pad in every mode,
// Tile, Expand), Where, Cast, ArgMax/ArgMin, LayerNormalization, Softmax, LogSoftmax.
import { lookupOp } from '../../../ops/engine/registry';
import { OpCase, generate } from './case';

function permutations(n: number): number[][] {
  if (n === 1) return [[0]];
  return permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]));
}

const f32 = (shape: number[], range?: [number, number]) => ({ dtype: 'float32' as const, shape, ...(range ? { range } : {}) });
const i64 = (values: number[], shape = [values.length]) => ({ dtype: 'int64' as const, shape, value: values });

export function miscCases(): OpCase[] {
  const out: OpCase[] = [];
  // elementwise math
  out.push({ name: 'Pow_f32', op: 'Pow', opset: 15, inputs: [f32([2, 3, 4], [0.1, 3]), f32([3, 1], [-2, 2])] });
  out.push({ name: 'Pow_square', op: 'Pow', opset: 15, inputs: [f32([2, 3, 4]), { dtype: 'float32', shape: [], value: [2] }] });
  out.push({ name: 'Sqrt_f32', op: 'Sqrt', opset: 13, inputs: [f32([3, 5], [0, 9])] });
  out.push({ name: 'Div_f32', op: 'Div', opset: 14, inputs: [f32([2, 3, 4]), f32([4], [0.5, 2])] });
  out.push({ name: 'Div_int32', op: 'Div', opset: 14, inputs: [{ dtype: 'int32', shape: [3, 4], range: [-50, 50] }, { dtype: 'int32', shape: [4], value: [3, -7, 5, 2] }] });
  out.push({ name: 'Reciprocal_f32', op: 'Reciprocal', opset: 13, inputs: [f32([4, 5], [0.2, 4])] });
  // movement
  for (const p of permutations(3)) out.push({ name: `Transpose_${p.join('')}`, op: 'Transpose', opset: 13, attrs: { perm: p }, inputs: [f32([2, 3, 4])] });
  for (const p of [[0, 2, 3, 1], [0, 3, 1, 2], [3, 2, 1, 0], [1, 0, 3, 2]]) out.push({ name: `Transpose4_${p.join('')}`, op: 'Transpose', opset: 13, attrs: { perm: p }, inputs: [f32([2, 3, 4, 5])] });
  out.push({ name: 'Gather_axis1', op: 'Gather', opset: 13, attrs: { axis: 1 }, inputs: [f32([2, 5, 3]), i64([4, -1, 0, 2], [2, 2])] });
  out.push({ name: 'GatherElements_axis1', op: 'GatherElements', opset: 13, attrs: { axis: 1 }, inputs: [f32([3, 4]), i64([0, 3, -1, 1, 2, 2, 0, 1, 3], [3, 3])] });
  out.push({ name: 'GatherElements_axis0', op: 'GatherElements', opset: 13, attrs: { axis: 0 }, inputs: [f32([3, 4]), i64([2, 0, 1, 1, 0, 2, 2, 0], [2, 4])] });
  for (const mode of ['constant', 'reflect', 'edge', 'wrap']) {
    out.push({ name: `Pad_${mode}`, op: 'Pad', opset: 19, attrs: { mode }, inputs: [f32([1, 2, 4, 5]), i64([0, 0, 2, 1, 0, 0, 1, 3]), ...(mode === 'constant' ? [{ dtype: 'float32' as const, shape: [], value: [1.5] }] : [])] });
  }
  out.push({ name: 'Pad_reflect_opset11', op: 'Pad', opset: 11, attrs: { mode: 'reflect' }, inputs: [f32([3, 4]), i64([1, 2, 2, 1])] });
  out.push({ name: 'Tile_f32', op: 'Tile', opset: 13, inputs: [f32([2, 3]), i64([2, 3])] });
  out.push({ name: 'Tile_int8', op: 'Tile', opset: 13, inputs: [{ dtype: 'int8', shape: [1, 2, 2], range: [-100, 100] }, i64([3, 1, 2])] });
  out.push({ name: 'Expand_f32', op: 'Expand', opset: 13, inputs: [f32([3, 1]), i64([2, 3, 4])] });
  // select / convert
  out.push({ name: 'Where_f32', op: 'Where', opset: 16, inputs: [{ dtype: 'bool', shape: [3, 1] }, f32([3, 4]), f32([4])] });
  out.push({ name: 'Cast_f32_int32', op: 'Cast', opset: 13, attrs: { to: 6 }, inputs: [f32([3, 4], [-50, 50])] });
  out.push({ name: 'Cast_int64_f32', op: 'Cast', opset: 13, attrs: { to: 1 }, inputs: [{ dtype: 'int64', shape: [5], range: [-9, 9] }] });
  out.push({ name: 'Cast_f32_uint8', op: 'Cast', opset: 13, attrs: { to: 2 }, inputs: [f32([6], [0, 200])] });
  // reductions to an index
  for (const op of ['ArgMax', 'ArgMin']) {
    const d = lookupOp(op, '')!;
    out.push(...generate(d, { opset: 13, attrs: { axis: 1 }, inputs: [{ dtype: 'int32', shape: [3, 5, 2], range: [-2, 2] }] }, { dtypes: ['float32', 'int32'] }));
    out.push({ name: `${op}_axis_last_nokeep`, op, opset: 13, attrs: { axis: -1, keepdims: 0 }, inputs: [f32([2, 3, 4, 5])] });
  }
  // normalization
  for (const axis of [-1, 1]) {
    out.push({ name: `LayerNormalization_axis${axis}`, op: 'LayerNormalization', opset: 17, attrs: { axis, epsilon: 1e-3 },
      inputs: [f32([2, 3, 4]), { dtype: 'float32', shape: axis === -1 ? [4] : [3, 4], value: axis === -1 ? [0.5, 1, 1.5, -1] : Array.from({ length: 12 }, (_, i) => 0.1 * i - 0.5) },
        { dtype: 'float32', shape: axis === -1 ? [4] : [3, 4], value: axis === -1 ? [0, 0.1, -0.2, 0.3] : Array.from({ length: 12 }, (_, i) => 0.05 * i) }] });
  }
  out.push({ name: 'LayerNormalization_nobias_4d', op: 'LayerNormalization', opset: 17, attrs: { axis: -1 }, inputs: [f32([1, 2, 3, 8]), { dtype: 'float32', shape: [8], value: [1, 2, 3, 4, 5, 6, 7, 8] }] });
  for (const axis of [-1, 1, 0]) out.push({ name: `Softmax_axis${axis}`, op: 'Softmax', opset: 13, attrs: { axis }, inputs: [f32([2, 3, 4])] });
  for (const axis of [-1, 1, 0]) out.push({ name: `LogSoftmax_axis${axis}`, op: 'LogSoftmax', opset: 13, attrs: { axis }, inputs: [f32([2, 3, 4], [-8, 8])] });
  out.push({ name: 'LogSoftmax_opset11_axis1', op: 'LogSoftmax', opset: 11, attrs: { axis: 1 }, inputs: [f32([2, 3, 4], [-8, 8])] });
  out.push({ name: 'LogSoftmax_4d_channels', op: 'LogSoftmax', opset: 13, attrs: { axis: 1 }, inputs: [f32([1, 5, 2, 3], [-20, 20])] });
  // A model's own QDQ Softmax / LogSoftmax: DQ -> op -> Q, one 8-bit layer (within 1 step of ORT).
  const q8 = { int8: { x: { scale: [0.05], zeroPoint: [3] }, range: [-128, 127] as [number, number] }, uint8: { x: { scale: [0.04], zeroPoint: [128] }, range: [0, 255] as [number, number] } };
  for (const dt of ['int8', 'uint8'] as const) {
    const x = (shape: number[]) => ({ dtype: dt, shape, range: q8[dt].range, dequantize: q8[dt].x });
    const sm = { dtype: dt, scale: 1 / 256, zeroPoint: dt === 'int8' ? -128 : 0 };
    const lsm = { dtype: dt, scale: 0.03125, zeroPoint: dt === 'int8' ? 127 : 255 };
    for (const axis of [-1, 1]) {
      out.push({ name: `QSoftmax_${dt}_axis${axis}`, op: 'Softmax', opset: 13, attrs: { axis }, inputs: [x([2, 3, 4])], quantizeOutputs: sm, steps: 1 });
      out.push({ name: `QLogSoftmax_${dt}_axis${axis}`, op: 'LogSoftmax', opset: 13, attrs: { axis }, inputs: [x([2, 3, 4])], quantizeOutputs: lsm, steps: 1 });
    }
    out.push({ name: `QSoftmax_${dt}_4d_channels`, op: 'Softmax', opset: 13, attrs: { axis: 1 }, inputs: [x([1, 5, 2, 3])], quantizeOutputs: sm, steps: 1 });
    out.push({ name: `QLogSoftmax_${dt}_opset11_axis1`, op: 'LogSoftmax', opset: 11, attrs: { axis: 1 }, inputs: [x([2, 3, 4])], quantizeOutputs: lsm, steps: 1 });
  }
  return out;
}

// Resize linear: every coordinate_transformation_mode, up- and downsampling, scales and sizes,
// one and two interpolated axes, tf_crop_and_resize with roi and extrapolation, float32 and
// uint8; cubic over every mode, cubic_coeff_a, exclude_outside, tf_crop_and_resize and rank 2;
// nearest over its nearest_modes (the movement path).
import { lookupOp } from '../../../ops/engine/registry';
import { OpCase } from './case';

const none = { dtype: 'float32' as const, shape: [0], omitted: true as const };

export function resizeCases(): OpCase[] {
  const d = lookupOp('Resize', '')!;
  void d;
  const modes = ['half_pixel', 'half_pixel_symmetric', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_half_pixel_for_nn'];
  const out: OpCase[] = [];
  const scaleSets: Record<string, number[]> = { up: [1, 1, 2, 1.5], down: [1, 1, 0.5, 0.6], h: [1, 1, 1.7, 1] };
  for (const m of modes) for (const [k, sc] of Object.entries(scaleSets)) {
    out.push({ name: `Resize_linear_${m}_${k}`, op: 'Resize', opset: 19, attrs: { mode: 'linear', coordinate_transformation_mode: m },
      inputs: [{ dtype: 'float32', shape: [1, 2, 5, 6] }, none, { dtype: 'float32', shape: [4], value: sc }] });
  }
  out.push({ name: 'Resize_linear_sizes', op: 'Resize', opset: 19, attrs: { mode: 'linear' },
    inputs: [{ dtype: 'float32', shape: [2, 3, 4, 4] }, none, none, { dtype: 'int64', shape: [4], value: [2, 3, 7, 9] }] });
  out.push({ name: 'Resize_linear_rank2', op: 'Resize', opset: 19, attrs: { mode: 'linear', coordinate_transformation_mode: 'align_corners' },
    inputs: [{ dtype: 'float32', shape: [4, 5] }, none, { dtype: 'float32', shape: [2], value: [2, 3] }] });
  out.push({ name: 'Resize_linear_tf_crop', op: 'Resize', opset: 19, attrs: { mode: 'linear', coordinate_transformation_mode: 'tf_crop_and_resize', extrapolation_value: -7 },
    inputs: [{ dtype: 'float32', shape: [1, 1, 4, 4] }, { dtype: 'float32', shape: [8], value: [0, 0, -0.2, 0.3, 1, 1, 0.8, 1.3] }, none, { dtype: 'int64', shape: [4], value: [1, 1, 5, 6] }] });
  out.push({ name: 'Resize_linear_uint8', op: 'Resize', opset: 19, attrs: { mode: 'linear' },
    inputs: [{ dtype: 'uint8', shape: [1, 3, 4, 4], range: [0, 255] }, none, { dtype: 'float32', shape: [4], value: [1, 1, 2, 2] }] });
  // cubic: every coordinate_transformation_mode, up and down, cubic_coeff_a and exclude_outside.
  for (const m of modes) for (const [k, sc] of Object.entries({ up: [1, 1, 2, 1.5], down: [1, 1, 0.5, 0.6] })) {
    out.push({ name: `Resize_cubic_${m}_${k}`, op: 'Resize', opset: 19, attrs: { mode: 'cubic', coordinate_transformation_mode: m },
      inputs: [{ dtype: 'float32', shape: [1, 2, 5, 6] }, none, { dtype: 'float32', shape: [4], value: sc }] });
  }
  out.push({ name: 'Resize_cubic_a_exclude', op: 'Resize', opset: 19, attrs: { mode: 'cubic', cubic_coeff_a: -0.5, exclude_outside: 1 },
    inputs: [{ dtype: 'float32', shape: [1, 1, 4, 5] }, none, { dtype: 'float32', shape: [4], value: [1, 1, 2.3, 1.7] }] });
  out.push({ name: 'Resize_cubic_exclude_down', op: 'Resize', opset: 19, attrs: { mode: 'cubic', exclude_outside: 1, coordinate_transformation_mode: 'asymmetric' },
    inputs: [{ dtype: 'float32', shape: [1, 1, 6, 7] }, none, { dtype: 'float32', shape: [4], value: [1, 1, 0.6, 0.4] }] });
  out.push({ name: 'Resize_cubic_sizes_rank2', op: 'Resize', opset: 19, attrs: { mode: 'cubic', coordinate_transformation_mode: 'align_corners' },
    inputs: [{ dtype: 'float32', shape: [4, 5] }, none, none, { dtype: 'int64', shape: [2], value: [7, 3] }] });
  out.push({ name: 'Resize_cubic_tf_crop', op: 'Resize', opset: 19, attrs: { mode: 'cubic', coordinate_transformation_mode: 'tf_crop_and_resize', extrapolation_value: -7 },
    inputs: [{ dtype: 'float32', shape: [1, 1, 4, 4] }, { dtype: 'float32', shape: [8], value: [0, 0, -0.2, 0.3, 1, 1, 0.8, 1.3] }, none, { dtype: 'int64', shape: [4], value: [1, 1, 5, 6] }] });
  for (const nm of ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil']) {
    out.push({ name: `Resize_nearest_${nm}`, op: 'Resize', opset: 19, attrs: { mode: 'nearest', nearest_mode: nm, coordinate_transformation_mode: 'asymmetric' },
      inputs: [{ dtype: 'float32', shape: [1, 2, 4, 5] }, none, { dtype: 'float32', shape: [4], value: [1, 1, 1.5, 2.5] }] });
  }
  return out;
}

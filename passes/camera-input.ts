// Camera input: the model's float image input becomes the uint8, channels-last frame a camera or
// DCMI pipe delivers (rgb888, bgr888 or gray8), with the model's normalisation built in:
//   x[c] = (p[c] / 255 - mean[c]) / std[c]      (float32, each step rounded)
// so firmware passes a frame as it is. The original input's consumers read the rebuilt tensor;
// the quantizer (or the model's own QuantizeLinear) then quantizes it as before, and the C
// backend computes the chain per pixel.
import { Graph, Node, TensorInfo } from '../core/ir/graph';
import { makeTensor } from '../core/ir/tensor';
import { fail } from '../core/diagnostics';
import { allNames, freshName } from './util';

export type InputFormat = 'rgb888' | 'bgr888' | 'gray8';
export const INPUT_FORMATS: readonly InputFormat[] = ['rgb888', 'bgr888', 'gray8'];

export interface CameraInputOptions {
  format: InputFormat;
  /** Per-channel mean and std in [0, 1] pixel units (one value applies to every channel). */
  mean?: readonly number[];
  std?: readonly number[];
  /** The input to convert (default: the only image input). */
  input?: string;
}

export function cameraInput(g: Graph, o: CameraInputOptions): Graph {
  const images = g.inputs.filter((i) => g.tensors[i]?.shape.length === 4 && g.tensors[i].dtype === 'float32');
  const name = o.input ?? (images.length === 1 ? images[0] : undefined);
  if (!name) fail('bad-input', `--input-format needs one float32 4-D image input; the model has ${images.length} (${g.inputs.join(', ')})`, '--input-format');
  const info = g.tensors[name];
  if (!info || info.shape.length !== 4 || info.dtype !== 'float32') fail('bad-input', `--input-format: input '${name}' is not a float32 4-D image`, name);
  if (info.shape.some((d) => d < 0)) fail('bad-shape', `--input-format: input '${name}' has dynamic dims; fix them with --input-shape`, name);
  const channels = o.format === 'gray8' ? 1 : 3;
  // The model's layout: channels at dim 1 (NCHW) or dim 3 (NHWC).
  const nchw = info.shape[1] === channels && info.shape[3] !== channels ? true : info.shape[3] === channels ? false : undefined;
  if (nchw === undefined) fail('bad-input', `--input-format ${o.format}: input '${name}' [${info.shape.join(',')}] has no dim of ${channels} channel${channels > 1 ? 's' : ''}`, name);
  const [n, h, w] = nchw ? [info.shape[0], info.shape[2], info.shape[3]] : [info.shape[0], info.shape[1], info.shape[2]];
  const perChannel = (v: readonly number[] | undefined, def: number, flag: string): number[] => {
    if (!v || v.length === 0) return Array(channels).fill(def);
    if (v.length === 1) return Array(channels).fill(v[0]);
    if (v.length !== channels) fail('bad-input', `${flag}: ${v.length} values for ${channels} channel${channels > 1 ? 's' : ''}`, flag);
    return [...v];
  };
  const mean = perChannel(o.mean, 0, '--mean');
  const std = perChannel(o.std, 1, '--std');

  const taken = allNames(g);
  const fresh = (b: string) => freshName(taken, b);
  const frame = name; // the frame keeps the input's name, so the API and --input NAME=FILE still match
  const f32 = fresh(`${name}_f32`);
  const nodes: Node[] = [];
  const initializers = { ...g.initializers };
  const tensors: Record<string, TensorInfo> = { ...g.tensors };
  const nhwc = [n, h, w, channels];
  const node = (op: string, inputs: string[], outputs: string[], attrs: Node['attrs'] = {}): void => {
    nodes.push({ name: fresh(`hsq_camera_${op.toLowerCase()}`), op, domain: '', opset: g.opsets[''], inputs, outputs, attrs });
  };
  const constant = (base: string, values: number[], shape: number[], dtype: 'float32' | 'int64' = 'float32') => {
    const c = fresh(base);
    initializers[c] = makeTensor(dtype, shape, values);
    return c;
  };
  let cur = frame;
  if (o.format === 'bgr888') {
    const swapped = fresh(`${name}_rgb`);
    node('Gather', [cur, constant(`${name}_bgr_order`, [2, 1, 0], [3], 'int64')], [swapped], { axis: 3 });
    cur = swapped;
  }
  node('Cast', [cur], [f32], { to: 1 });
  const unit = fresh(`${name}_unit`);
  node('Div', [f32, constant(`${name}_255`, [255], [])], [unit]);
  const centred = fresh(`${name}_centred`);
  node('Sub', [unit, constant(`${name}_mean`, mean.map(Math.fround), [channels])], [centred]);
  const normalised = nchw ? fresh(`${name}_nhwc`) : fresh(`${name}_normalised`);
  node('Div', [centred, constant(`${name}_std`, std.map(Math.fround), [channels])], [normalised]);
  let last = normalised;
  if (nchw) {
    last = fresh(`${name}_nchw`);
    node('Transpose', [normalised], [last], { perm: [0, 3, 1, 2] });
  }
  const rewired = g.nodes.map((m) => (m.inputs.includes(name) ? { ...m, inputs: m.inputs.map((i) => (i === name ? last : i)) } : m));
  tensors[frame] = { name: frame, dtype: 'uint8', shape: nhwc };
  const outputs = g.outputs.map((x) => (x === name ? last : x));
  return { ...g, nodes: [...nodes, ...rewired], initializers, tensors, outputs };
}

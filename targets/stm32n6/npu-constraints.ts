// Neural-ART (STM32N6 NPU) operator constraints, Vela style: each constraint is a small named
// predicate with a one-line rule; when a layer breaks it, the reason shown to the user is the
// offending value and the rule ("kernel 17×17: kernel height and width must be 1..16").
//
// What is known (ST Edge AI Core, "ST Neural-ART NPU - Supported operators and limitations",
// https://stedgeai-dc.st.com/assets/embedded-docs/stneuralart_operator_support.html):
// - quantization scheme 8b/8b "ss/sa per-channel": signed symmetric int8 weights (per channel),
//   signed asymmetric int8 activations; ONNX QDQ or quantized TFLite;
// - input/output tensors static, batch treated as 1; hybrid (float × int) operators not
//   supported; layers left in float run on the CPU.
// - STM32N6 embeds Neural-ART 14 with four convolution accelerators, plus pooling, activation
//   and arithmetic units fed by stream engines ("ST Neural-ART NPU concepts" page).
// - Softmax has no hardware unit and runs as a software epoch (also reported by the
//   Politecnico di Milano STM32N6 study, giacomocolosio02.github.io/stm32n6-docs).
// What is not known to hsq: exact kernel/stride/dilation/pool-size limits and which LUT
// activations map to hardware. Those limits are data in target.json (`npu.limits`, each with a
// note saying it is assumed) and the predicates here are permissive where unknown: a layer
// that stedgeai later maps to software is slower, not wrong.
import { loadStm32n6Target } from './target';
import { NpuLayerDesc, NpuOp, elementCount, inChannelsOf, outChannelsOf } from '../../placement/layer-desc';
import type { NpuCheck } from '../../placement/capabilities';
import type { NpuCapabilities } from '../target';

export type { NpuCheck } from '../../placement/capabilities';

/** The outcome of one constraint: `detail` names the offending value when it fails
 *  ("kernel 17×17"), so the reason can say what to change. */
export interface ConstraintResult {
  readonly ok: boolean;
  readonly detail?: string;
}

export interface NpuConstraint {
  readonly id: string;
  /** One line: the rule, shown after the detail as the reason a layer is not on the NPU. */
  readonly text: string;
  readonly check: (layer: NpuLayerDesc) => ConstraintResult;
}

const target = loadStm32n6Target();
const lim = target.npu.limits;
const inRange = (v: number, lo: number, hi: number): boolean => Number.isInteger(v) && v >= lo && v <= hi;
const pair = (p: readonly [number, number] | undefined, def: number): readonly [number, number] => p ?? [def, def];
const mib = (b: number): string => `${b / (1024 * 1024)} MiB`;

const OK: ConstraintResult = Object.freeze({ ok: true });
/** ok when `cond`, else the detail `why()` names. */
const need = (cond: boolean, why: () => string): ConstraintResult => (cond ? OK : { ok: false, detail: why() });
const dims = (s: readonly number[]): string => `[${s.map((d) => (Number.isInteger(d) && d > 0 ? String(d) : '?')).join('×')}]`;
const hw = (p: readonly [number, number]): string => `${p[0]}×${p[1]}`;

/** Every input and output shape with its name, for details ("input 0 [1×16×32×32]"). */
function tensors(l: NpuLayerDesc): { what: string; shape: readonly number[] }[] {
  return [...l.inputShapes.map((shape, i) => ({ what: `input ${i}`, shape })), ...l.outputShapes.map((shape, i) => ({ what: `output ${i}`, shape }))];
}

/** The first tensor failing `ok`, as a detail. */
function firstTensor(l: NpuLayerDesc, ok: (s: readonly number[]) => boolean, say: (t: { what: string; shape: readonly number[] }) => string): ConstraintResult {
  const bad = tensors(l).find((t) => !ok(t.shape));
  return bad ? { ok: false, detail: say(bad) } : OK;
}

const intName = (bits: number | undefined, signed: boolean | undefined): string =>
  bits === undefined ? 'unknown-precision' : `${signed === false ? 'uint' : 'int'}${bits}`;

const list: NpuConstraint[] = [
  // Every op.
  { id: 'int8-activations', text: 'activations must be int8 (signed, asymmetric 8-bit)',
    check: (l) => need(!l.actFloat && l.actBits === 8 && l.actSigned, () => (l.actFloat ? 'float activations' : `${intName(l.actBits, l.actSigned)} activations`)) },
  { id: 'static-shapes', text: 'tensor shapes must be static',
    check: (l) => firstTensor(l, (s) => s.every((d) => Number.isInteger(d) && d > 0), (t) => `${t.what} ${dims(t.shape)}`) },
  { id: 'tensor-size', text: `each activation tensor must fit in ${mib(lim.maxTensorBytes.value)} of NPU-reachable RAM`,
    check: (l) => firstTensor(l, (s) => elementCount(s) <= lim.maxTensorBytes.value, (t) => `${t.what} ${dims(t.shape)} is ${elementCount(t.shape)} bytes`) },
  // Spatial ops.
  { id: 'nchw-4d', text: 'input and output must be 4-D (N, C, H, W)',
    check: (l) => (l.inputShapes.length === 0 ? { ok: false, detail: 'no input' }
      : firstTensor(l, (s) => s.length === 4, (t) => `${t.what} is ${t.shape.length}-D ${dims(t.shape)}`)) },
  { id: 'batch-one', text: 'batch size must be 1',
    check: (l) => firstTensor(l, (s) => s.length < 4 || s[0] === 1, (t) => `batch ${t.shape[0]} (${t.what} ${dims(t.shape)})`) },
  // Ops with weights.
  { id: 'int8-weights', text: 'weights must be int8 (signed, symmetric per channel)',
    check: (l) => need(l.weightBits === 8 && l.weightSigned === true && l.weightSymmetric === true,
      () => (l.weightFloat ? 'float weights' : `${intName(l.weightBits, l.weightSigned)} weights${l.weightSymmetric === true ? '' : ', asymmetric'}`)) },
  { id: 'int32-bias', text: 'bias must be int32 in accumulator units and the output quantized (a float bias term or float output has no exact Neural-ART form; docs/qat-layers.md)',
    check: (l) => need(!l.floatBias, () => 'float bias term or float output') },
  { id: 'const-weights', text: 'weights must be a constant initializer (no activation × activation products)',
    check: (l) => need(l.weightsConstant !== false, () => 'the weight operand is an activation') },
  { id: 'channel-range', text: `channel counts must be 1..${lim.maxChannels.value}`,
    check: (l) => {
      const [ci, co] = [inChannelsOf(l), outChannelsOf(l)];
      return need(inRange(ci, 1, lim.maxChannels.value) && inRange(co, 1, lim.maxChannels.value), () => `${ci}→${co} channels`);
    } },
  { id: 'kernel-size', text: `kernel height and width must be 1..${lim.maxKernel.value}`,
    check: (l) => need(pair(l.kernel, 1).every((k) => inRange(k, 1, lim.maxKernel.value)), () => `kernel ${hw(pair(l.kernel, 1))}`) },
  { id: 'stride-range', text: `strides must be 1..${lim.maxStride.value}`,
    check: (l) => need(pair(l.stride, 1).every((v) => inRange(v, 1, lim.maxStride.value)), () => `stride ${hw(pair(l.stride, 1))}`) },
  { id: 'dilation-range', text: `dilations must be 1..${lim.maxDilation.value}`,
    check: (l) => need(pair(l.dilation, 1).every((d) => inRange(d, 1, lim.maxDilation.value)), () => `dilation ${hw(pair(l.dilation, 1))}`) },
  { id: 'pads-below-kernel', text: 'each pad must be smaller than the (dilated) kernel extent',
    check: (l) => {
      const [kh, kw] = pair(l.kernel, 1);
      const [dh, dw] = pair(l.dilation, 1);
      const [t, le, b, r] = l.pads ?? [0, 0, 0, 0];
      const eh = (kh - 1) * dh + 1;
      const ew = (kw - 1) * dw + 1;
      return need([t, b].every((p) => p >= 0 && p < eh) && [le, r].every((p) => p >= 0 && p < ew),
        () => `pads ${t}, ${le}, ${b}, ${r} (top, left, bottom, right) with kernel extent ${eh}×${ew}`);
    } },
  { id: 'group-valid', text: 'grouped convolution must be dense (group 1) or depthwise (group = input channels)',
    // Assumed: hsq hands stedgeai only these two forms; other groupings are split by hsq on the CPU.
    check: (l) => need(l.op !== 'Conv' || (l.group ?? 1) === 1 || (l.group ?? 1) === inChannelsOf(l), () => `group ${l.group} of ${inChannelsOf(l)} input channels`) },
  { id: 'pool-kernel', text: `pool kernel height and width must be 1..${lim.maxPoolKernel.value}`,
    check: (l) => need(pair(l.kernel, 1).every((k) => inRange(k, 1, lim.maxPoolKernel.value)), () => `pool kernel ${hw(pair(l.kernel, 1))}`) },
  // Element-wise.
  { id: 'eltwise-broadcast', text: 'element-wise inputs must have equal shapes, or one must be a scalar or per-channel [1, C, 1, 1]',
    check: (l) => {
      const [a, b] = l.inputShapes;
      if (!a || !b) return OK;
      const same = a.length === b.length && a.every((d, i) => d === b[i]);
      const small = (x: readonly number[], y: readonly number[]): boolean =>
        elementCount(x) === 1 || (x.length === 4 && y.length === 4 && x[1] === y[1] && x[0] === 1 && x[2] === 1 && x[3] === 1);
      return need(same || small(a, b) || small(b, a), () => `inputs ${dims(a)} and ${dims(b)}`);
    } },
  // Resize and pad.
  { id: 'resize-mode', text: 'resize mode must be nearest or linear',
    check: (l) => need(l.resizeMode === undefined || l.resizeMode === 'nearest' || l.resizeMode === 'linear', () => `mode ${l.resizeMode}`) },
  { id: 'resize-integer-scale', text: 'resize scales must be whole-number upsampling factors',
    check: (l) => {
      if (l.resizeScales) return need(l.resizeScales.every((v) => Number.isInteger(v) && v >= 1), () => `scales ${l.resizeScales!.join(', ')}`);
      const [i, o] = [l.inputShapes[0], l.outputShapes[0]];
      return need(!!i && !!o && i.length === o.length && o.every((d, k) => d % i[k] === 0), () => `${i ? dims(i) : '[]'} to ${o ? dims(o) : '[]'}`);
    } },
  { id: 'pad-constant', text: 'pad mode must be constant',
    check: (l) => need((l.padMode ?? 'constant') === 'constant', () => `mode ${l.padMode}`) },
];

/** All constraints by id. */
export const NPU_CONSTRAINTS: Readonly<Record<string, NpuConstraint>> = Object.freeze(
  Object.fromEntries(list.map((c) => [c.id, Object.freeze(c)])),
);

const GENERIC = ['int8-activations', 'static-shapes', 'tensor-size'];
const SPATIAL = ['nchw-4d', 'batch-one'];
const WEIGHTS = ['int8-weights', 'int32-bias', 'const-weights', 'channel-range'];
const WINDOW = ['stride-range', 'pads-below-kernel'];

/**
 * Ops Neural-ART runs in hardware → the constraints checked after the generic ones.
 * Activations with a lookup table (Sigmoid, Tanh, HardSigmoid, HardSwish) are assumed to map to
 * the activation unit; Transpose is left out (no known hardware mapping).
 */
export const NPU_SUPPORTED_OPS: Readonly<Partial<Record<NpuOp, readonly string[]>>> = Object.freeze({
  Conv: [...SPATIAL, ...WEIGHTS, 'group-valid', 'kernel-size', 'stride-range', 'dilation-range', 'pads-below-kernel'],
  DepthwiseConv: [...SPATIAL, ...WEIGHTS, 'kernel-size', 'stride-range', 'dilation-range', 'pads-below-kernel'],
  ConvTranspose: [...SPATIAL, ...WEIGHTS, 'kernel-size', 'stride-range', 'dilation-range'],
  Gemm: [...WEIGHTS],
  MaxPool: [...SPATIAL, 'pool-kernel', ...WINDOW],
  AveragePool: [...SPATIAL, 'pool-kernel', ...WINDOW],
  GlobalAveragePool: [...SPATIAL],
  GlobalMaxPool: [...SPATIAL],
  Add: ['eltwise-broadcast'],
  Sub: ['eltwise-broadcast'],
  Mul: ['eltwise-broadcast'],
  Concat: [],
  Relu: [], LeakyRelu: [], Clip: [], PRelu: [],
  Sigmoid: [], Tanh: [], HardSigmoid: [], HardSwish: [],
  Resize: [...SPATIAL, 'resize-mode', 'resize-integer-scale'],
  Reshape: [], Flatten: [], Slice: [], Split: [],
  Pad: ['pad-constant'],
});

/** Ops with a known software-only mapping on Neural-ART, with the reason shown to the user. */
export const NPU_SOFTWARE_OPS: Readonly<Partial<Record<NpuOp, string>>> = Object.freeze({
  Softmax: 'softmax runs in software on Neural-ART (no exponential unit)',
  Transpose: 'transpose has no known Neural-ART hardware mapping',
  QuantizeLinear: 'float quantize/dequantize at a float boundary runs on the CPU',
  DequantizeLinear: 'float quantize/dequantize at a float boundary runs on the CPU',
});

/** Can Neural-ART run this layer? Every failing constraint is reported, not only the first. */
export function checkNpu(layer: NpuLayerDesc): NpuCheck {
  const ids = NPU_SUPPORTED_OPS[layer.op];
  if (!ids) {
    const why = NPU_SOFTWARE_OPS[layer.op] ?? `op ${layer.op} is not supported on the NPU`;
    return { ok: false, reasons: [why], failed: ['op-unsupported'], details: [''] };
  }
  const failedC = [...GENERIC, ...ids].map((id) => ({ c: NPU_CONSTRAINTS[id], r: NPU_CONSTRAINTS[id].check(layer) })).filter((x) => !x.r.ok);
  // The reason names the value, then the rule: "kernel 17×17: kernel height and width must be 1..16".
  return {
    ok: failedC.length === 0, reasons: failedC.map((x) => (x.r.detail ? `${x.r.detail}: ${x.c.text}` : x.c.text)), failed: failedC.map((x) => x.c.id),
    details: failedC.map((x) => x.r.detail ?? ''),
  };
}

/** Neural-ART as the stm32n6 target's capabilities describe it: the tables above and their check. */
export const NEURAL_ART: NpuCapabilities = Object.freeze({
  name: target.npu.name,
  check: checkNpu,
  ops: NPU_SUPPORTED_OPS as Readonly<Record<string, readonly string[]>>,
  genericConstraints: Object.freeze([...GENERIC]),
  softwareOps: NPU_SOFTWARE_OPS as Readonly<Record<string, string>>,
  constraints: Object.freeze(Object.fromEntries(list.map((c) => [c.id, c.text]))),
  weights: target.npu.weights,
  activations: target.npu.activations,
});

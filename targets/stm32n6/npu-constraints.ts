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
import { NpuLayerDesc, elementCount, inChannelsOf, outChannelsOf } from '../../placement/layer-desc';
import { allOps, canonicalDomain } from '../../ops/engine/registry';
import { npuKindOf } from '../../ops/engine/traits';
import type { NpuKind } from '../../ops/lib/descriptor';
import { DEFAULT_STEDGEAI_VERSION, StedgeaiRules, StedgeaiVersion, stedgeaiRules } from './stedgeai-version';
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

/** The weight-precision constraint of one ST Edge AI release: int8 everywhere; 3.0+ also int4 on
 *  the ops its release note names (Convolution and Dense: Conv, depthwise Conv, Gemm). */
function weightBits(rules: StedgeaiRules): NpuConstraint {
  const bits = rules.npu.weightBits['conv-like'] ?? [8];
  const int4Ops = new Set(rules.npu.int4Ops ?? []);
  const text = bits.includes(4)
    ? `weights must be int8, or int4 on Conv and Dense (${rules.label}); signed, symmetric per channel`
    : `weights must be int8 (signed, symmetric per channel; ${rules.label} runs no 4-bit weights)`;
  return { id: 'weight-bits', text,
    check: (l) => need(l.weightSigned === true && l.weightSymmetric === true && (l.weightBits === 8 || (l.weightBits === 4 && bits.includes(4) && int4Ops.has(l.op))),
      () => (l.weightFloat ? 'float weights' : `${intName(l.weightBits, l.weightSigned)} weights${l.weightSymmetric === true ? '' : ', asymmetric'}${l.weightBits === 4 && bits.includes(4) && !int4Ops.has(l.op) ? ` on ${l.op}` : ''}`)) };
}

/** Which activations are float: an integer layer with a float output reads integers. */
function floatActDetail(l: NpuLayerDesc): string {
  if (l.floatSide === 'outputs') return 'float output (integer inputs, no quantizer after the layer)';
  if (l.floatSide === 'inputs') return 'float input (no quantizer before the layer)';
  return 'float activations';
}

const common: NpuConstraint[] = [
  // Every op.
  { id: 'int8-activations', text: 'activations must be int8 (signed, asymmetric 8-bit)',
    check: (l) => need(!l.actFloat && l.actBits === 8 && l.actSigned, () => (l.actFloat ? floatActDetail(l) : `${intName(l.actBits, l.actSigned)} activations`)) },
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

const GENERIC = ['int8-activations', 'static-shapes', 'tensor-size'];
const SPATIAL = ['nchw-4d', 'batch-one'];
const WEIGHTS = ['weight-bits', 'int32-bias', 'const-weights', 'channel-range'];
const WINDOW = ['stride-range', 'pads-below-kernel'];

/**
 * Which ops Neural-ART runs in hardware, by the op descriptors' neutral NPU kind
 * (ops/lib/descriptor.ts `traits.npu`): each kind's constraints, per-op refinements, and the ops
 * of a kind with no known hardware unit (software on Neural-ART → the reason shown). The set of
 * ops is derived from the descriptors, so a new op with a kind is placed without editing a list.
 * Activations with a lookup table are assumed to map to the activation unit, except those below.
 */
interface KindRule {
  readonly constraints: readonly string[];
  readonly ops?: Readonly<Record<string, readonly string[]>>;
  readonly software?: Readonly<Record<string, string>>;
}
export const NPU_KIND_RULES: Readonly<Record<NpuKind, KindRule>> = Object.freeze({
  'conv-like': {
    constraints: [...SPATIAL, ...WEIGHTS],
    ops: {
      Conv: [...SPATIAL, ...WEIGHTS, 'group-valid', 'kernel-size', 'stride-range', 'dilation-range', 'pads-below-kernel'],
      DepthwiseConv: [...SPATIAL, ...WEIGHTS, 'kernel-size', 'stride-range', 'dilation-range', 'pads-below-kernel'],
      ConvTranspose: [...SPATIAL, ...WEIGHTS, 'kernel-size', 'stride-range', 'dilation-range'],
      Gemm: [...WEIGHTS],
      MatMul: [...WEIGHTS],
    },
    software: {
      // Not claimed without a source: none of the ST documents cited above (and in target.json)
      // names a Neural-ART mapping of ConvTranspose, so hsq hands none to stedgeai.
      ConvTranspose: 'ConvTranspose: no Neural-ART mapping documented in the ST sources hsq follows; runs on the Cortex-M55 (integer layer when quantized)',
    },
  },
  pool: { constraints: [...SPATIAL, 'pool-kernel', ...WINDOW], ops: { GlobalAveragePool: [...SPATIAL], GlobalMaxPool: [...SPATIAL] } },
  elementwise: {
    constraints: ['eltwise-broadcast'],
    ops: { PRelu: [] },
    software: {
      Div: 'division has no known Neural-ART arithmetic-unit mapping (assumed software)',
      Pow: 'power has no known Neural-ART arithmetic-unit mapping (assumed software)',
      Abs: 'abs has no known Neural-ART hardware mapping (assumed software)',
      Neg: 'neg has no known Neural-ART hardware mapping (assumed software)',
      Max: 'element-wise max has no known Neural-ART hardware mapping (assumed software)',
      Min: 'element-wise min has no known Neural-ART hardware mapping (assumed software)',
    },
  },
  'lookup-activation': {
    constraints: [],
    software: {
      Erf: 'erf has no known Neural-ART activation-unit mapping (assumed software)',
      Exp: 'exp has no known Neural-ART activation-unit mapping (assumed software)',
      Gelu: 'gelu has no known Neural-ART activation-unit mapping (assumed software)',
      Sqrt: 'sqrt has no known Neural-ART activation-unit mapping (assumed software)',
    },
  },
  'data-movement': {
    constraints: [],
    ops: { Resize: [...SPATIAL, 'resize-mode', 'resize-integer-scale'], Pad: ['pad-constant'] },
    software: {
      Transpose: 'transpose has no known Neural-ART hardware mapping',
      DepthToSpace: 'depth-to-space has no known Neural-ART hardware mapping',
      SpaceToDepth: 'space-to-depth has no known Neural-ART hardware mapping',
      Gather: 'gather has no known Neural-ART hardware mapping',
      Expand: 'expand has no known Neural-ART hardware mapping',
      Upsample: 'Upsample (deprecated op) is handed to stedgeai as Resize only; hsq keeps it on the CPU',
      Identity: 'identity is removed by hsq\'s passes; kept on the CPU where it survives',
    },
  },
  none: {
    constraints: [],
    software: {
      Softmax: 'softmax runs in software on Neural-ART (no exponential unit)',
      QuantizeLinear: 'float quantize/dequantize at a float boundary runs on the CPU',
      DequantizeLinear: 'float quantize/dequantize at a float boundary runs on the CPU',
    },
  },
});

/** Layer ops that are not ONNX ops: what layer-adapter.ts names them after. */
const PSEUDO_OPS: Readonly<Record<string, string>> = { DepthwiseConv: 'Conv' };
const kindOf = (op: string): NpuKind => npuKindOf(PSEUDO_OPS[op] ?? op, '');

/** The op table derived from the descriptors: op → constraint ids, and software ops → reason. */
function derivedTables(): { ops: Record<string, readonly string[]>; software: Record<string, string> } {
  const ops: Record<string, readonly string[]> = {};
  const software: Record<string, string> = {};
  const names = [...new Set([...allOps().filter((d) => d.domains.some((x) => canonicalDomain(x) === '')).map((d) => d.op), ...Object.keys(PSEUDO_OPS)])].sort();
  for (const op of names) {
    const rule = NPU_KIND_RULES[kindOf(op)];
    const sw = rule.software?.[op];
    if (sw) software[op] = sw;
    else if (kindOf(op) !== 'none') ops[op] = rule.ops?.[op] ?? rule.constraints;
  }
  return { ops, software };
}

/** Neural-ART as one ST Edge AI release compiles for it. */
export interface NeuralArt extends NpuCapabilities {
  readonly rules: StedgeaiRules;
}

const byVersion = new Map<StedgeaiVersion, NeuralArt>();

/** Neural-ART's capabilities under one ST Edge AI release (default 4.0), cached. */
export function neuralArt(v: StedgeaiVersion = DEFAULT_STEDGEAI_VERSION): NeuralArt {
  const hit = byVersion.get(v);
  if (hit) return hit;
  const rules = stedgeaiRules(v);
  const all = [...common, weightBits(rules)];
  const byId: Record<string, NpuConstraint> = Object.fromEntries(all.map((c) => [c.id, Object.freeze(c)]));
  const { ops, software } = derivedTables();
  const check = (layer: NpuLayerDesc): NpuCheck => {
    const ids = ops[layer.op];
    if (!ids) {
      const why = software[layer.op] ?? `op ${layer.op} is not supported on the NPU`;
      return { ok: false, reasons: [why], failed: ['op-unsupported'], details: [''] };
    }
    const failedC = [...GENERIC, ...ids].map((id) => ({ c: byId[id], r: byId[id].check(layer) })).filter((x) => !x.r.ok);
    // The reason names the value, then the rule: "kernel 17×17: kernel height and width must be 1..16".
    return {
      ok: failedC.length === 0, reasons: failedC.map((x) => (x.r.detail ? `${x.r.detail}: ${x.c.text}` : x.c.text)), failed: failedC.map((x) => x.c.id),
      details: failedC.map((x) => x.r.detail ?? ''),
    };
  };
  const na: NeuralArt = Object.freeze({
    name: target.npu.name,
    check,
    ops: Object.freeze(ops),
    genericConstraints: Object.freeze([...GENERIC]),
    softwareOps: Object.freeze(software),
    constraints: Object.freeze(Object.fromEntries(all.map((c) => [c.id, c.text]))),
    weights: target.npu.weights,
    activations: target.npu.activations,
    rules,
  });
  byVersion.set(v, na);
  return na;
}

/** All constraints by id (default release). */
export const NPU_CONSTRAINTS: Readonly<Record<string, NpuConstraint>> = Object.freeze(
  Object.fromEntries([...common, weightBits(stedgeaiRules())].map((c) => [c.id, Object.freeze(c)])),
);

/** Ops Neural-ART runs in hardware (default release) → the constraints checked after the generic ones. */
export const NPU_SUPPORTED_OPS: Readonly<Record<string, readonly string[]>> = neuralArt().ops;
/** Ops with a known software-only mapping on Neural-ART, with the reason shown to the user. */
export const NPU_SOFTWARE_OPS: Readonly<Record<string, string>> = neuralArt().softwareOps;

/** Can Neural-ART run this layer under release `v` (default 4.0)? Every failing constraint is reported. */
export function checkNpu(layer: NpuLayerDesc, v: StedgeaiVersion = DEFAULT_STEDGEAI_VERSION): NpuCheck {
  return neuralArt(v).check(layer);
}

/** Neural-ART under the default ST Edge AI release. */
export const NEURAL_ART: NpuCapabilities = neuralArt();

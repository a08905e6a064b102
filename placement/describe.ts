// Each layer described once, before any decision: what it computes (the neutral NpuLayerDesc),
// its precision, whether the NPU can run it as it is or widened to int8, and what it costs on
// either device. Everything later (policy, min-cut, optimiser, reasons) reads these.
import { Graph } from '../core/ir/graph';
import { isFloat } from '../core/ir/dtype';
import { Precision, containerBits } from '../core/precision';
import type { CostModel, CostParams, LayerEstimate } from './cost-model';
import type { NpuCapability, NpuCheck } from './capabilities';
import { NpuLayerDesc } from './layer-desc';
import { activationPrecision, layerDesc, layerInputs, layerOutputs, weightPrecision } from './layer-adapter';
import { Group, displayOp, isDQ, isMacOp, isQ } from './layers';
import type { PlacedLayer } from './types';

/** What is known of a layer without a target. */
export interface LayerBasics {
  readonly grp: Group;
  readonly name: string;
  readonly op: string;
  readonly kind: PlacedLayer['kind'];
  readonly desc: NpuLayerDesc;
  readonly weightBits?: number;
  readonly actBits: number;
  readonly actFloat: boolean;
  /** Integer layer with a float output (QConv/QGemm float_out): its integer inputs' width. */
  readonly floatOutActBits?: number;
  /** Float layer whose float weights are a weight-only quantized grid (TensorInfo.weightGrid). */
  readonly gridBits?: number;
  /** Weights or activations below 8 bits (integer layers only). */
  readonly subByte: boolean;
  readonly inputs: string[];
  readonly outputs: string[];
}

/** A layer as a target with an NPU and a cost model sees it. */
export interface LayerInfo extends LayerBasics {
  /** The NPU check as it is, and (sub-8-bit layers) with its integers widened to int8. */
  readonly check: NpuCheck;
  readonly widenedCheck?: NpuCheck;
  /** NPU estimate where the NPU can run it: as it is (int8, or int4 weights where the NPU takes
   *  them) when its check passes, else widened to int8; CPU at its precision; CPU at w4 for int8 layers. */
  readonly estNpu?: LayerEstimate;
  /** Sub-8-bit layers the NPU can run widened: the estimate with the integers stored as int8. */
  readonly estNpuWidened?: LayerEstimate;
  readonly estCpu: LayerEstimate;
  readonly estCpuW4?: LayerEstimate;
}

/** The precision facts of a layer (what precisionText writes). */
export function precisionFields(g: Graph, grp: Group): Pick<LayerBasics, 'weightBits' | 'actBits' | 'actFloat' | 'floatOutActBits' | 'gridBits'> {
  const n = grp.core;
  const act = activationPrecision(g, grp);
  const w = isMacOp(n) ? weightPrecision(g, n) : undefined;
  const weightBits = w && w.constant ? w.bits : undefined;
  const actBits = act.float ? 32 : act.bits;
  // The text shows the weights' real width also where the activations (or only the output) are float.
  const ins = layerInputs(g, grp).map((t) => g.tensors[t]);
  const intIns = ins.length > 0 && ins.every((t) => t?.quant && !isFloat(t.dtype));
  const floatOutActBits = act.float && weightBits !== undefined && weightBits < 32 && intIns ? Math.min(...ins.map((t) => t!.quant!.bits)) : undefined;
  const gridBits = act.float && w && w.constant ? g.tensors[w.tensor]?.weightGrid?.bits : undefined;
  return { weightBits, actBits, actFloat: act.float, ...(floatOutActBits !== undefined ? { floatOutActBits } : {}), ...(gridBits !== undefined ? { gridBits } : {}) };
}

export function describeBasics(g: Graph, grp: Group): LayerBasics {
  const n = grp.core;
  const desc = layerDesc(g, grp, grp.name);
  const p = precisionFields(g, grp);
  const { weightBits, actBits } = p;
  const kind: PlacedLayer['kind'] = weightBits !== undefined ? 'mac' : (isQ(n) || isDQ(n)) ? 'boundary' : 'compute';
  const subByte = !p.actFloat && ((weightBits !== undefined && weightBits < 8) || actBits < 8);
  return { grp, name: grp.name, op: displayOp(n), kind, desc, ...p, subByte, inputs: layerInputs(g, grp), outputs: layerOutputs(grp) };
}

/** The CPU estimate of a layer at its own precision (sub-8-bit weights in their container). */
export function estimateOnCpu(b: LayerBasics, cost: CostModel, params: CostParams): LayerEstimate {
  const prec: Precision | 'f32' = b.actFloat ? 'f32' : { weightBits: b.weightBits ?? 8, actBits: Math.min(b.actBits, 8) };
  return cost.estimateCpu(b.desc, prec === 'f32' ? 'f32' : { weightBits: containerBits(prec.weightBits) === 8 ? 8 : prec.weightBits, actBits: prec.actBits }, params);
}

export function describeLayer(g: Graph, grp: Group, npu: NpuCapability, cost: CostModel, params: CostParams): LayerInfo {
  const b = describeBasics(g, grp);
  const { desc, weightBits, actBits } = b;
  const check = npu.check(desc);
  let widenedCheck: NpuCheck | undefined;
  let npuDesc = desc;
  if (b.subByte) {
    npuDesc = { ...desc, actBits: Math.max(actBits, 8), ...(weightBits !== undefined ? { weightBits: Math.max(weightBits, 8) } : {}) };
    widenedCheck = npu.check(npuDesc);
  }
  const npuOk = check.ok || !!widenedCheck?.ok;
  const estCpu = estimateOnCpu(b, cost, params);
  const estCpuW4 = weightBits === 8 && !b.actFloat ? cost.estimateCpu(desc, { weightBits: 4, actBits: Math.min(actBits, 8) }, params) : undefined;
  const estNpuWidened = widenedCheck?.ok ? cost.estimateNpu(npuDesc, params) : undefined;
  const estNpu = check.ok ? cost.estimateNpu(desc, params) : npuOk ? estNpuWidened : undefined;
  return { ...b, check, widenedCheck, estNpu, estNpuWidened, estCpu, estCpuW4 };
}

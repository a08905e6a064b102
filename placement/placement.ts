// Placement: every layer goes to the Neural-ART NPU or the Cortex-M55 CPU, with a one-line reason.
//
// Where the result lives: in a side table (`Placement`), not in node attributes: attributes are
// exported to ONNX and read by op inference, and a device is not part of a layer's meaning.
// `placeGraph` returns { graph, placement }; the pass form (`placementPass(opts)`) runs it inside
// a pipeline and hands the table out through `pass.result()` (and `opts.onPlacement`).
//
// Layers. A layer is a QConv/QGemm, or a compute node with the DequantizeLinear nodes that feed
// it and the QuantizeLinear nodes that read it (the IR's quantized float op), or a lone Q/DQ at a
// float boundary. A layer is named after its node; a fused QConv/QGemm after the Conv/Gemm/MatMul
// it came from (origin[0]). The only rewrite: a DequantizeLinear of an activation read by several
// nodes is duplicated, one per reader (same numbers), so every layer owns its DQs.
//
// Policy (in order; the first that applies gives device and reason):
// 1. force: CLI (--force-npu/--force-cpu) > config `placement` > annotation `hsq.placement`;
//    exact names beat globs, longer globs beat shorter. An impossible force_npu is an error.
// 2. a layer the NPU cannot run (checkNpu fails even with int8 weights) → CPU; the failing
//    constraints' text is the reason.
// 3. precision: int8 layers with weights → NPU. Sub-8-bit layers (weights or activations below
//    8 bits) → CPU with packed weights, unless widening is allowed (CLI --widen > config `widen` >
//    annotation `hsq.widen`): then NPU with the same integers stored as int8.
//    Under --flash-budget / --latency-budget the optimiser chooses instead (see optimise()).
// 4. weightless layers the NPU can run (pools, activations, element-wise, data movement) follow
//    their neighbours: an exact min-cut over the layer graph with each layer's time on either
//    device and a transition cost on every tensor that would cross.
import { HsqConfig } from '../core/config';
import { fail } from '../core/diagnostics';
import { Graph, Node, TensorInfo, consumers } from '../core/ir/graph';
import { storageBits } from '../core/ir/dtype';
import { numel } from '../core/ir/tensor';
import { matchesNode } from '../core/node-glob';
import type { Pass } from '../passes/pass-manager';
import { Precision, containerBits } from '../core/precision';
import {
  CostParams, Device, LayerEstimate, defaultCostParams, estimateCpuLayer, estimateNpuLayer, transitionCost,
} from '../targets/stm32n6/cost-model';
import { NpuLayerDesc, layerWeightCount } from './layer-desc';
import {
  LayerGroup, activationPrecision, layerDesc, layerInputs, layerOutputs, weightPrecision,
} from './layer-adapter';
import { NpuCheck, checkNpu } from '../targets/stm32n6/npu-constraints';
import { allNames, freshName } from '../passes/util';

export type { Device } from '../targets/stm32n6/cost-model';

/** Who decided a layer's device. */
export type PlacementSource = 'force' | 'policy' | 'fallback' | 'follow' | 'optimiser';

export interface PlacementOptions {
  /** CLI --force-npu / --force-cpu: node names or globs (repeatable). */
  readonly forceNpu?: readonly string[];
  readonly forceCpu?: readonly string[];
  /** CLI --widen: node names or globs whose sub-8-bit layers may be widened to int8 for the NPU. */
  readonly widen?: readonly string[];
  /** The config file's `placement` and `widen` keys. */
  readonly config?: Pick<HsqConfig, 'placement' | 'widen'>;
  /** Bytes of flash all layer weights may take (CLI --flash-budget, config flashBudget, parsed). */
  readonly flashBudget?: number;
  /** Milliseconds one inference may take (CLI --latency-budget, config latencyBudget, parsed). */
  readonly latencyBudget?: number;
  /**
   * The quantizer's sensitivity: layer name → accuracy cost of storing that layer's int8 weights
   * in 4 bits (any unit where smaller is better, e.g. SQNR loss in dB). Listed int8 layers become
   * candidates for w4 on the CPU under a flash budget; the optimiser minimises its sum first.
   */
  readonly sensitivity?: Readonly<Record<string, number>>;
  /** Cost-model parameters (defaults with the config's costModel applied). */
  readonly costParams?: CostParams;
  /** Called with the placement each time the pass runs. */
  readonly onPlacement?: (p: Placement) => void;
}

/** One way a layer could be deployed, with what it costs. */
export interface LayerOption {
  readonly key: string;            // 'npu-int8' | 'npu-widened' | 'cpu-packed' | 'cpu-w4'
  readonly device: Device;
  /** Precision the layer computes at with this option. */
  readonly precision: string;
  /** How the weights are stored: 'int8', 'int8 (widened from 4-bit)', 'packed 4-bit' ... */
  readonly storage: string;
  readonly flashBytes: number;
  readonly estUs: number;
  readonly chosen: boolean;
}

export interface PlacedLayer {
  readonly name: string;
  /** ONNX-level op (QConv → Conv, QGemm → Gemm), as the user knows it. */
  readonly op: string;
  /** IR nodes of the layer in graph order. */
  readonly nodes: readonly string[];
  /** ONNX node names the layer stands for. */
  readonly origin: readonly string[];
  /** 'mac': has weights; 'compute': weightless op; 'boundary': a lone Quantize/DequantizeLinear. */
  readonly kind: 'mac' | 'compute' | 'boundary';
  /** w8a8, w4a8 ... for layers with weights; a8 for weightless integer layers; f32 for float. */
  readonly precision: string;
  readonly weightBits?: number;
  readonly actBits: number;
  readonly device: Device;
  readonly reason: string;
  readonly source: PlacementSource;
  /** Sub-8-bit integers stored as int8 so the NPU can run them (same numbers, more flash). */
  readonly widened: boolean;
  /** The optimiser lowered this int8 layer to w4 (from the sensitivity list): requantize its weights. */
  readonly lowerTo?: string;
  /** Activation tensors the layer reads and writes (through its DQ/Q nodes). */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly desc: NpuLayerDesc;
  /** checkNpu on the layer as it is, and (sub-8-bit layers) with its integers widened to int8. */
  readonly npuCheck: NpuCheck;
  readonly npuWidenedCheck?: NpuCheck;
  /** Estimate on the chosen device, and on each device where it can run. */
  readonly est: LayerEstimate;
  readonly estNpu?: LayerEstimate;
  readonly estCpu: LayerEstimate;
  /** For layers the precision/placement trade-off applies to: every option and its cost. */
  readonly options?: readonly LayerOption[];
}

export interface Alternative {
  readonly label: string;
  readonly flashBytes: number;
  readonly latencyUs: number;
  readonly transitions: number;
}

export interface Optimisation {
  readonly flashBudget?: number;
  readonly latencyBudgetMs?: number;
  /** What was minimised, in words. */
  readonly objective: string;
  readonly method: 'policy' | 'exhaustive' | 'greedy';
  readonly candidates: readonly string[];
  readonly evaluated: number;
  /** Whole-model totals of the chosen placement and of the extremes, for the report. */
  readonly alternatives: readonly Alternative[];
  /** Of all weights and MACs, the share held by the candidates. */
  readonly candidateWeightShare: number;
  readonly candidateMacShare: number;
}

export interface Placement {
  readonly layers: readonly PlacedLayer[];
  /** IR node name → device / layer name. */
  readonly deviceOfNode: Readonly<Record<string, Device>>;
  readonly layerOfNode: Readonly<Record<string, string>>;
  readonly optimisation: Optimisation;
  readonly params: CostParams;
}

// ---------------------------------------------------------------------------------------------
// Layers

/** A DequantizeLinear of an activation read by several nodes becomes one DQ per reader. */
export function splitSharedDequantize(g: Graph): Graph {
  const cons = consumers(g);
  const shared = g.nodes.filter((n) => n.op === 'DequantizeLinear' && n.domain === '' && !(n.inputs[0] in g.initializers)
    && !g.outputs.includes(n.outputs[0]) && (cons.get(n.outputs[0])?.length ?? 0) > 1);
  if (shared.length === 0) return g;
  const tensorNames = allNames(g);
  const nodeNames = new Set(g.nodes.map((n) => n.name));
  const tensors: Record<string, TensorInfo> = { ...g.tensors };
  const rename = new Map<Node, Map<string, string>>(); // reader → old tensor → new tensor
  const copies = new Map<Node, Node[]>();
  for (const dq of shared) {
    const out = dq.outputs[0];
    const readers = [...new Set(cons.get(out)!)];
    const list: Node[] = [];
    for (const r of readers) {
      const t = freshName(tensorNames, `${out}_${r.name}`);
      const name = freshName(nodeNames, `${dq.name}_${r.name}`);
      list.push({ ...dq, name, outputs: [t], origin: dq.origin ?? [dq.name] });
      if (g.tensors[out]) tensors[t] = { ...g.tensors[out], name: t };
      if (!rename.has(r)) rename.set(r, new Map());
      rename.get(r)!.set(out, t);
    }
    copies.set(dq, list);
    delete tensors[out];
  }
  const nodes: Node[] = [];
  for (const n of g.nodes) {
    const c = copies.get(n);
    if (c) { nodes.push(...c); continue; }
    const m = rename.get(n);
    nodes.push(m ? { ...n, inputs: n.inputs.map((i) => m.get(i) ?? i) } : n);
  }
  return { ...g, nodes, tensors };
}

interface Group extends LayerGroup { name: string; nodes: Node[] }

const isQ = (n: Node): boolean => n.op === 'QuantizeLinear' && n.domain === '';
const isDQ = (n: Node): boolean => n.op === 'DequantizeLinear' && n.domain === '';
const isMacOp = (n: Node): boolean => (n.domain === 'hsq' && (n.op === 'QConv' || n.op === 'QGemm'))
  || (n.domain === '' && ['Conv', 'Gemm', 'MatMul', 'ConvTranspose'].includes(n.op));

/** Groups nodes into layers (see the header); node order inside a group is graph order. */
export function groupLayers(g: Graph): Group[] {
  const cons = consumers(g);
  const index = new Map(g.nodes.map((n, i) => [n, i]));
  const owner = new Map<Node, Node>(); // absorbed Q/DQ → core
  for (const n of g.nodes) {
    if (isDQ(n)) {
      const rs = cons.get(n.outputs[0]) ?? [];
      if (rs.length === 1 && !isQ(rs[0]) && !isDQ(rs[0]) && !g.outputs.includes(n.outputs[0])) owner.set(n, rs[0]);
    }
  }
  const prod = new Map<string, Node>();
  for (const n of g.nodes) for (const o of n.outputs) prod.set(o, n);
  for (const n of g.nodes) {
    if (!isQ(n)) continue;
    const p = prod.get(n.inputs[0]);
    if (p && !isQ(p) && !isDQ(p)) owner.set(n, p);
  }
  const groups = new Map<Node, Group>();
  const names = new Set<string>();
  const out: Group[] = [];
  for (const n of g.nodes) {
    if (owner.has(n)) continue;
    let name = isMacOp(n) && n.origin?.length ? n.origin[0] : n.name;
    if (names.has(name) || (name !== n.name && g.nodes.some((m) => m.name === name && m !== n))) name = n.name;
    names.add(name);
    const grp: Group = { name, core: n, dqs: new Map(), qs: [], nodes: [n] };
    groups.set(n, grp);
    out.push(grp);
  }
  for (const [n, core] of owner) {
    const grp = groups.get(core)!;
    grp.nodes.push(n);
    if (isDQ(n)) (grp.dqs as Map<string, Node>).set(n.outputs[0], n);
    else (grp.qs as Node[]).push(n);
  }
  for (const grp of out) grp.nodes.sort((a, b) => index.get(a)! - index.get(b)!);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Pattern sources (force and widen)

interface Rule<T> { pattern: string; value: T; where: string; source: 'cli' | 'config' | 'annotation' }

/** The rule whose pattern best matches any of the names: exact beats glob, longer glob wins. */
function bestRule<T>(rules: readonly Rule<T>[], names: readonly string[]): Rule<T> | undefined {
  let best: Rule<T> | undefined;
  let bestScore = -1;
  for (const r of rules) {
    const exact = names.includes(r.pattern);
    if (!exact && !names.some((nm) => matchesNode(r.pattern, nm))) continue;
    const score = exact ? Number.MAX_SAFE_INTEGER : r.pattern.length;
    if (score > bestScore) { best = r; bestScore = score; }
  }
  return best;
}

function checkMatches(rules: readonly Rule<unknown>[], layerNames: readonly (readonly string[])[], all: readonly string[]): void {
  for (const r of rules) {
    if (layerNames.some((names) => names.some((n) => n === r.pattern || matchesNode(r.pattern, n)))) continue;
    const shown = all.slice(0, 12).join(', ') + (all.length > 12 ? ', …' : '');
    fail('bad-input', `${r.where}: '${r.pattern}' matches no node (layers: ${shown})`, r.pattern);
  }
}

// ---------------------------------------------------------------------------------------------
// Min-cut (Edmonds–Karp) for the two-device labelling

class FlowNet {
  private readonly cap: Map<number, number>[];
  constructor(readonly n: number) { this.cap = Array.from({ length: n }, () => new Map()); }
  add(u: number, v: number, c: number): void {
    if (c <= 0) return;
    this.cap[u].set(v, (this.cap[u].get(v) ?? 0) + c);
    if (!this.cap[v].has(u)) this.cap[v].set(u, 0);
  }
  /** Max-flow from s to t; afterwards `reachesSink` tells which side of the cut each node is on. */
  maxflow(s: number, t: number): void {
    for (;;) {
      const prev = new Array<number>(this.n).fill(-1);
      prev[s] = s;
      const queue = [s];
      while (queue.length && prev[t] < 0) {
        const u = queue.shift()!;
        for (const [v, c] of this.cap[u]) if (c > 1e-9 && prev[v] < 0) { prev[v] = u; queue.push(v); }
      }
      if (prev[t] < 0) return;
      let f = Infinity;
      for (let v = t; v !== s; v = prev[v]) f = Math.min(f, this.cap[prev[v]].get(v)!);
      for (let v = t; v !== s; v = prev[v]) {
        const u = prev[v];
        this.cap[u].set(v, this.cap[u].get(v)! - f);
        this.cap[v].set(u, (this.cap[v].get(u) ?? 0) + f);
      }
    }
  }
  /** Nodes that can still reach t in the residual graph (the sink side; ties go to the source). */
  reachesSink(t: number): boolean[] {
    const seen = new Array<boolean>(this.n).fill(false);
    seen[t] = true;
    const queue = [t];
    while (queue.length) {
      const v = queue.shift()!;
      for (let u = 0; u < this.n; u++) if (!seen[u] && (this.cap[u].get(v) ?? 0) > 1e-9) { seen[u] = true; queue.push(u); }
    }
    return seen;
  }
}

// ---------------------------------------------------------------------------------------------
// The pass

interface Draft {
  grp: Group;
  name: string;
  op: string;
  kind: PlacedLayer['kind'];
  desc: NpuLayerDesc;
  weightBits?: number;
  actBits: number;
  actFloat: boolean;
  subByte: boolean;
  check: NpuCheck;
  widenedCheck?: NpuCheck;
  estNpu?: LayerEstimate;
  estCpu: LayerEstimate;
  estCpuW4?: LayerEstimate;
  inputs: string[];
  outputs: string[];
  force?: Rule<Device>;
  widenRule?: Rule<boolean>;
  device?: Device;
  reason?: string;
  source?: PlacementSource;
  widened?: boolean;
  lowerTo?: string;
}

const precisionText = (d: { weightBits?: number; actBits: number; actFloat: boolean }): string =>
  d.actFloat ? 'f32' : d.weightBits !== undefined ? `w${d.weightBits}a${d.actBits}` : `a${d.actBits}`;

const displayOp = (n: Node): string => (n.domain === 'hsq' && n.op === 'QConv' ? 'Conv' : n.domain === 'hsq' && n.op === 'QGemm' ? 'Gemm' : n.op);

function bytesOf(info: TensorInfo | undefined): number {
  if (!info) return 0;
  return Math.ceil((numel(info.shape.map((d) => Math.max(d, 0))) * Math.max(storageBits(info.dtype), 8)) / 8);
}

function cliWhere(dev: Device, p: string): string { return `--force-${dev} ${p}`; }

function forceText(r: Rule<Device>): string {
  return r.source === 'cli' ? `by ${cliWhere(r.value, r.pattern)}` : r.source === 'config' ? `by config placement["${r.pattern}"]` : `by annotation hsq.placement on '${r.pattern}'`;
}

function widenText(r: Rule<boolean>): string {
  return r.source === 'cli' ? `--widen ${r.pattern}` : r.source === 'config' ? `config widen "${r.pattern}"` : `annotation hsq.widen on '${r.pattern}'`;
}

function subByteText(d: Draft): string {
  const parts: string[] = [];
  if (d.weightBits !== undefined && d.weightBits < 8) parts.push(`${d.weightBits}-bit weights`);
  if (!d.actFloat && d.actBits < 8) parts.push(`${d.actBits}-bit activations`);
  return `${parts.join(' and ')} (${precisionText(d)})`;
}

const fmtMs = (us: number): string => `${(us / 1000).toFixed(us < 1000 ? 3 : 2)} ms`;
const fmtBytes = (b: number): string => (b >= 1024 * 1024 ? `${(b / 1024 / 1024).toFixed(2)} MiB` : `${(b / 1024).toFixed(1)} KiB`);
const fmtKiB = (b: number): string => `${(b / 1024).toFixed(b < 10240 ? 1 : 0)} KiB`;

/** Place every layer; returns the (DQ-split) graph and the placement table. */
export function placeGraph(g0: Graph, opts: PlacementOptions = {}): { graph: Graph; placement: Placement } {
  const params = opts.costParams ?? defaultCostParams;
  const g = splitSharedDequantize(g0);
  const groups = groupLayers(g);

  // Describe every layer.
  const drafts: Draft[] = groups.map((grp) => {
    const n = grp.core;
    const desc = layerDesc(g, grp, grp.name);
    const act = activationPrecision(g, grp);
    const w = isMacOp(n) ? weightPrecision(g, n) : undefined;
    const weightBits = w && w.constant ? w.bits : undefined;
    const actBits = act.float ? 32 : act.bits;
    const kind: Draft['kind'] = weightBits !== undefined ? 'mac' : (isQ(n) || isDQ(n)) ? 'boundary' : 'compute';
    const subByte = !act.float && ((weightBits !== undefined && weightBits < 8) || actBits < 8);
    const check = checkNpu(desc);
    let widenedCheck: NpuCheck | undefined;
    let npuDesc = desc;
    if (subByte) {
      npuDesc = { ...desc, actBits: Math.max(actBits, 8), ...(weightBits !== undefined ? { weightBits: Math.max(weightBits, 8) } : {}) };
      widenedCheck = checkNpu(npuDesc);
    }
    const npuOk = check.ok || !!widenedCheck?.ok;
    const prec: Precision | 'f32' = act.float ? 'f32' : { weightBits: weightBits ?? 8, actBits: Math.min(actBits, 8) };
    const estCpu = estimateCpuLayer(desc, prec === 'f32' ? 'f32' : { weightBits: containerBits(prec.weightBits) === 8 ? 8 : prec.weightBits, actBits: prec.actBits }, params);
    const estCpuW4 = weightBits === 8 && !act.float ? estimateCpuLayer(desc, { weightBits: 4, actBits: Math.min(actBits, 8) }, params) : undefined;
    return {
      grp, name: grp.name, op: displayOp(n), kind, desc, weightBits, actBits, actFloat: act.float, subByte, check, widenedCheck,
      estNpu: npuOk ? estimateNpuLayer(npuDesc, params) : undefined, estCpu, estCpuW4,
      inputs: layerInputs(g, grp), outputs: layerOutputs(grp),
    };
  });
  const layerNames = drafts.map((d) => [d.name, ...(d.grp.core.origin ?? []), ...d.grp.nodes.map((n) => n.name)]);
  const allLayerNames = drafts.map((d) => d.name);

  // Forces and widening, by source.
  const cliForce: Rule<Device>[] = [
    ...(opts.forceNpu ?? []).map((p) => ({ pattern: p, value: 'npu' as Device, where: `--force-npu ${p}`, source: 'cli' as const })),
    ...(opts.forceCpu ?? []).map((p) => ({ pattern: p, value: 'cpu' as Device, where: `--force-cpu ${p}`, source: 'cli' as const })),
  ];
  for (const p of opts.forceNpu ?? []) if ((opts.forceCpu ?? []).includes(p)) fail('bad-input', `'${p}' is given to both --force-npu and --force-cpu`, p);
  const cfgForce: Rule<Device>[] = Object.entries(opts.config?.placement ?? {}).map(([p, v]) => ({ pattern: p, value: v, where: `config placement["${p}"]`, source: 'config' }));
  const annForce: Rule<Device>[] = [];
  const annWiden: Rule<boolean>[] = [];
  for (const [p, a] of Object.entries(g.annotations)) {
    if (a.placement) annForce.push({ pattern: p, value: a.placement, where: `annotation hsq.placement on '${p}'`, source: 'annotation' });
    if (a.widen !== undefined) annWiden.push({ pattern: p, value: a.widen, where: `annotation hsq.widen on '${p}'`, source: 'annotation' });
  }
  const cliWiden: Rule<boolean>[] = (opts.widen ?? []).map((p) => ({ pattern: p, value: true, where: `--widen ${p}`, source: 'cli' }));
  const cfgWiden: Rule<boolean>[] = (opts.config?.widen ?? []).map((p) => ({ pattern: p, value: true, where: `config widen "${p}"`, source: 'config' }));
  for (const rules of [cliForce, cfgForce, annForce, cliWiden, cfgWiden, annWiden] as Rule<unknown>[][]) checkMatches(rules, layerNames, allLayerNames);

  drafts.forEach((d, i) => {
    d.force = bestRule(cliForce, layerNames[i]) ?? bestRule(cfgForce, layerNames[i]) ?? bestRule(annForce, layerNames[i]);
    d.widenRule = bestRule(cliWiden, layerNames[i]) ?? bestRule(cfgWiden, layerNames[i]) ?? bestRule(annWiden, layerNames[i]);
  });
  const mayWiden = (d: Draft): boolean => !!d.widenRule?.value;

  // 1–3: anchors.
  const budgeted = opts.flashBudget !== undefined || opts.latencyBudget !== undefined;
  for (const d of drafts) {
    const npuNative = d.check.ok;
    const npuWidenable = !npuNative && !!d.widenedCheck?.ok;
    const cantReasons = (d.widenedCheck ?? d.check).reasons;
    if (d.force) {
      const how = forceText(d.force);
      if (d.force.value === 'cpu') {
        set(d, 'cpu', `forced to the CPU ${how}${d.subByte ? ` (${precisionText(d)}, packed weights)` : ''}`, 'force');
      } else if (npuNative) {
        set(d, 'npu', `forced to the NPU ${how}`, 'force');
      } else if (npuWidenable && mayWiden(d)) {
        set(d, 'npu', `forced to the NPU ${how}; ${subByteText(d)} widened losslessly to int8 (${widenText(d.widenRule!)})`, 'force', true);
      } else if (npuWidenable) {
        const drop = d.force.source === 'cli' ? `drop ${d.force.where}` : d.force.source === 'config' ? `remove ${d.force.where}` : `remove ${d.force.where}`;
        fail('bad-input', `${d.force.where}: ${d.name} has ${subByteText(d)} and the NPU runs int8 only; allow lossless widening with --widen ${d.name} (more flash), or ${drop}`, d.name);
      } else {
        const drop = d.force.source === 'cli' ? `drop ${d.force.where}` : `remove ${d.force.where}`;
        fail('bad-input', `${d.force.where}: the NPU cannot run ${d.name} (${d.op}, ${precisionText(d)}): ${cantReasons.join('; ')}; ${drop} (it runs on the CPU)`, d.name);
      }
      continue;
    }
    if (!npuNative && !npuWidenable) {
      set(d, 'cpu', `NPU cannot run it: ${cantReasons.join('; ')}`, 'fallback');
      continue;
    }
    if (d.kind !== 'mac') continue; // weightless: followers, decided below
    if (npuNative) set(d, 'npu', `int8 (${precisionText(d)}): runs on the NPU`, 'policy');
    else if (mayWiden(d)) set(d, 'npu', `${subByteText(d)} widened losslessly to int8 for the NPU (${widenText(d.widenRule!)}; same numbers, more flash)`, 'policy', true);
    else set(d, 'cpu', `${subByteText(d)}: the NPU runs int8 only; runs on the CPU with packed weights (--widen ${d.name} would put it on the NPU)`, 'policy');
  }
  // Weightless sub-8-bit layers follow only where widening is allowed; otherwise the CPU.
  for (const d of drafts) {
    if (d.device || d.kind === 'mac') continue;
    if (!d.check.ok && !mayWiden(d) && !budgeted) set(d, 'cpu', `${subByteText(d)}: the NPU runs int8 only (--widen ${d.name} would allow it on the NPU)`, 'policy');
  }

  // Layer graph: producer layer of each activation tensor.
  const producerOf = new Map<string, number>();
  drafts.forEach((d, i) => d.outputs.forEach((t) => producerOf.set(t, i)));
  const edges: { from: number; to: number; bytes: number }[] = [];
  drafts.forEach((d, i) => d.inputs.forEach((t) => {
    const p = producerOf.get(t);
    if (p !== undefined && p !== i) edges.push({ from: p, to: i, bytes: bytesOf(g.tensors[t]) });
  }));

  const adj: number[][] = drafts.map(() => []);
  for (const e of edges) { adj[e.from].push(e.to); adj[e.to].push(e.from); }
  const followers = drafts.map((d, i) => (d.device ? -1 : d.kind === 'mac' ? -1 : i)).filter((i) => i >= 0);
  const followerSet = new Set(followers);

  // Option per candidate under budgets; the policy's choice otherwise.
  type Choice = { device: Device; widened: boolean; lowerTo?: string; est: LayerEstimate };
  const choiceOf = (d: Draft): Choice => ({ device: d.device!, widened: !!d.widened, est: d.device === 'npu' ? d.estNpu! : d.estCpu });
  const candidates = drafts.map((d, i) => ({ d, i })).filter(({ d }) => d.kind === 'mac' && !d.force && (
    (d.subByte && !!d.widenedCheck?.ok) || (budgeted && d.check.ok && opts.sensitivity?.[d.name] !== undefined && !!d.estCpuW4)));
  const optionsOf = (d: Draft): (Choice & { key: string; sens: number })[] => d.subByte
    ? [{ key: 'cpu-packed', device: 'cpu', widened: false, est: d.estCpu, sens: 0 }, { key: 'npu-widened', device: 'npu', widened: true, est: d.estNpu!, sens: 0 }]
    : [{ key: 'npu-int8', device: 'npu', widened: false, est: d.estNpu!, sens: 0 },
      { key: 'cpu-w4', device: 'cpu', widened: false, lowerTo: `w4a${Math.min(d.actBits, 8)}`, est: d.estCpuW4!, sens: opts.sensitivity?.[d.name] ?? 0 }];

  /** Followers by min-cut given fixed devices of everything else; returns all devices. */
  const solveFollowers = (fixed: (Device | undefined)[]): Device[] => {
    const N = drafts.length;
    const S = N, T = N + 1;
    const net = new FlowNet(N + 2);
    const BIG = 1e12;
    drafts.forEach((d, i) => {
      if (fixed[i]) { net.add(fixed[i] === 'npu' ? S : i, fixed[i] === 'npu' ? i : T, BIG); return; }
      net.add(S, i, d.estCpu.us);           // paid when i ends on the CPU side
      net.add(i, T, d.estNpu?.us ?? BIG);   // paid when i ends on the NPU side
    });
    for (const e of edges) {
      const c = transitionCost({ from: 'npu', to: 'cpu', bytes: e.bytes }, params);
      net.add(e.from, e.to, c);
      net.add(e.to, e.from, c);
    }
    net.maxflow(S, T);
    const sink = net.reachesSink(T);
    const devs = drafts.map((_, i) => fixed[i] ?? (sink[i] ? 'cpu' : 'npu'));
    // Islands: a connected run of followers whose every outside neighbour is on the other
    // device joins them. A separate segment costs a stedgeai network, an epoch-block restart and
    // cache maintenance that the per-tensor transition cost undercounts.
    const seen = new Set<number>();
    for (let i = 0; i < drafts.length; i++) {
      if (fixed[i] || seen.has(i)) continue;
      const island: number[] = [];
      const outside = new Set<Device>();
      const stack = [i];
      seen.add(i);
      while (stack.length) {
        const u = stack.pop()!;
        island.push(u);
        for (const v of adj[u]) {
          if (!fixed[v] && devs[v] === devs[i]) { if (!seen.has(v)) { seen.add(v); stack.push(v); } } else outside.add(devs[v]);
        }
      }
      if (outside.size === 1 && !outside.has(devs[i])) {
        const to = [...outside][0];
        if (to === 'cpu' || island.every((u) => drafts[u].estNpu)) for (const u of island) devs[u] = to;
      }
    }
    return devs;
  };

  const evaluate = (devs: Device[], ests: LayerEstimate[]) => {
    let us = 0, flash = 0, transitions = 0;
    ests.forEach((e) => { us += e.us; flash += e.flashBytes; });
    for (const e of edges) if (devs[e.from] !== devs[e.to]) { us += transitionCost({ from: devs[e.from], to: devs[e.to], bytes: e.bytes }, params); transitions++; }
    return { us, flash, transitions };
  };

  const run = (assign: Map<number, Choice>) => {
    const fixed: (Device | undefined)[] = drafts.map((d, i) => assign.get(i)?.device ?? (followerSet.has(i) ? undefined : d.device));
    const devs = solveFollowers(fixed);
    const ests = drafts.map((d, i) => assign.get(i)?.est ?? (devs[i] === 'npu' ? d.estNpu! : d.estCpu));
    return { devs, ...evaluate(devs, ests) };
  };

  // Policy assignment of the candidates (what set() decided above).
  const policyAssign = new Map<number, Choice>(candidates.map(({ d, i }) => [i, choiceOf(d)]));
  let chosen = policyAssign;
  let method: Optimisation['method'] = 'policy';
  let evaluated = 0;
  let objective = 'none: no budget given; placement follows precision';
  const flashB = opts.flashBudget, latB = opts.latencyBudget !== undefined ? opts.latencyBudget * 1000 : undefined;
  if (budgeted && candidates.length) {
    const opt = candidates.map(({ d }) => optionsOf(d));
    objective = flashB !== undefined
      ? `lowest latency within ${fmtBytes(flashB)} of flash${latB !== undefined ? ` and ${opts.latencyBudget} ms` : ''}`
      : `least flash within ${opts.latencyBudget} ms`;
    if (opts.sensitivity) objective = `least total sensitivity, then ${objective}`;
    type Score = { sens: number; us: number; flash: number; transitions: number };
    const feasible = (s: Score): boolean => (flashB === undefined || s.flash <= flashB) && (latB === undefined || s.us <= latB);
    const better = (a: Score, b: Score): boolean => {
      if (a.sens !== b.sens) return a.sens < b.sens;
      const [p, q] = flashB !== undefined ? [a.us - b.us, a.flash - b.flash] : [a.flash - b.flash, a.us - b.us];
      if (Math.abs(p) > 1e-9) return p < 0;
      if (Math.abs(q) > 1e-9) return q < 0;
      return a.transitions < b.transitions;
    };
    const score = (pick: number[]): Score => {
      const assign = new Map<number, Choice>(pick.map((k, j) => [candidates[j].i, opt[j][k]]));
      const r = run(assign);
      evaluated++;
      return { sens: pick.reduce((s, k, j) => s + opt[j][k].sens, 0), us: r.us, flash: r.flash, transitions: r.transitions };
    };
    let best: { pick: number[]; s: Score } | undefined;
    let closest: { pick: number[]; s: Score } | undefined; // when nothing is feasible: for the message
    const consider = (pick: number[]): Score => {
      const s = score(pick);
      if (feasible(s) && (!best || better(s, best.s))) best = { pick: [...pick], s };
      const miss = (flashB !== undefined ? Math.max(0, s.flash - flashB) / flashB : 0) + (latB !== undefined ? Math.max(0, s.us - latB) / latB : 0);
      const cm = closest ? (flashB !== undefined ? Math.max(0, closest.s.flash - flashB) / flashB : 0) + (latB !== undefined ? Math.max(0, closest.s.us - latB) / latB : 0) : Infinity;
      if (miss < cm) closest = { pick: [...pick], s };
      return s;
    };
    if (opt.length <= 10) {
      method = 'exhaustive';
      const pick = new Array<number>(opt.length).fill(0);
      for (;;) {
        consider(pick);
        let j = 0;
        while (j < pick.length && ++pick[j] === opt[j].length) { pick[j] = 0; j++; }
        if (j === pick.length) break;
      }
    } else {
      // Greedy: from the fastest placement lower the layers with the most flash saved per µs
      // added (under a flash budget); from the smallest, raise those with the most µs saved per
      // byte added (under a latency budget only).
      method = 'greedy';
      const fastest = opt.map((o) => o.findIndex((c) => c.device === 'npu'));
      const smallest = opt.map((o) => o.findIndex((c) => c.device === 'cpu' && c.sens === 0) >= 0 ? o.findIndex((c) => c.device === 'cpu' && c.sens === 0) : o.findIndex((c) => c.device === 'npu'));
      const pick = flashB !== undefined ? fastest : smallest;
      let cur = consider(pick);
      for (;;) {
        if (feasible(cur)) break;
        let bestJ = -1, bestRatio = -Infinity;
        opt.forEach((o, j) => {
          const target = flashB !== undefined ? o.findIndex((c, k) => k !== pick[j] && c.device === 'cpu') : o.findIndex((c, k) => k !== pick[j] && c.device === 'npu');
          if (target < 0 || target === pick[j] || (flashB !== undefined && pick[j] !== fastest[j]) || (flashB === undefined && pick[j] !== smallest[j])) return;
          const a = o[pick[j]].est, b = o[target].est;
          const ratio = flashB !== undefined
            ? (a.flashBytes - b.flashBytes) / (Math.max(b.us - a.us, 1) * (1 + o[target].sens))
            : (a.us - b.us) / Math.max(b.flashBytes - a.flashBytes, 1);
          if (ratio > bestRatio) { bestRatio = ratio; bestJ = j; }
        });
        if (bestJ < 0) break;
        const o = opt[bestJ];
        pick[bestJ] = flashB !== undefined ? o.findIndex((c, k) => k !== pick[bestJ] && c.device === 'cpu') : o.findIndex((c, k) => k !== pick[bestJ] && c.device === 'npu');
        cur = consider(pick);
      }
    }
    if (!best) {
      const c = closest!.s;
      const what = [flashB !== undefined ? `--flash-budget ${fmtBytes(flashB)}` : '', latB !== undefined ? `--latency-budget ${opts.latencyBudget} ms` : ''].filter(Boolean).join(' with ');
      fail('bad-input', `${what} cannot be met: the closest placement of ${candidates.map((c2) => c2.d.name).join(', ')} needs ${fmtBytes(c.flash)} of flash and ${fmtMs(c.us)} (raise the budget, or lower more layers' precision)`, flashB !== undefined ? '--flash-budget' : '--latency-budget');
    }
    chosen = new Map(best.pick.map((k, j) => [candidates[j].i, opt[j][k]]));
    for (const { d, i } of candidates) {
      const c = chosen.get(i)! as Choice & { key: string };
      const alt = optionsOf(d).find((o) => o.key !== c.key)!;
      const dt = alt.est.us - c.est.us, df = alt.est.flashBytes - c.est.flashBytes;
      const trade = `${dt >= 0 ? 'saves' : 'costs'} ${fmtMs(Math.abs(dt))}, ${df >= 0 ? 'saves' : 'costs'} ${fmtKiB(Math.abs(df))} of flash vs ${alt.key}`;
      const budgetText = [flashB !== undefined ? `--flash-budget` : '', latB !== undefined ? `--latency-budget` : ''].filter(Boolean).join(' + ');
      if (c.key === 'npu-widened') set(d, 'npu', `${budgetText}: ${subByteText(d)} widened losslessly to int8 for the NPU (${trade})`, 'optimiser', true);
      else if (c.key === 'cpu-packed') set(d, 'cpu', `${budgetText}: ${subByteText(d)} on the CPU with packed weights (${trade})`, 'optimiser');
      else if (c.key === 'cpu-w4') { set(d, 'cpu', `${budgetText}: lowered to ${c.lowerTo} (sensitivity ${opts.sensitivity![d.name]}) on the CPU with packed weights (${trade})`, 'optimiser'); d.lowerTo = c.lowerTo; }
      else set(d, 'npu', `${budgetText}: int8 on the NPU (${trade})`, 'optimiser');
    }
  }

  // 4: followers.
  const fixed: (Device | undefined)[] = drafts.map((d) => d.device);
  const devs = solveFollowers(fixed);
  for (const i of followers) {
    const d = drafts[i];
    const dev = devs[i];
    const nb = edges.filter((e) => e.from === i || e.to === i).map((e) => (e.from === i ? e.to : e.from));
    const same = [...new Set(nb.filter((j) => devs[j] === dev).map((j) => drafts[j].name))];
    const other = [...new Set(nb.filter((j) => devs[j] !== dev).map((j) => drafts[j].name))];
    const alt = dev === 'npu' ? d.estCpu.us : d.estNpu?.us ?? Infinity;
    const mine = dev === 'npu' ? d.estNpu!.us : d.estCpu.us;
    const widenNote = dev === 'npu' && !d.check.ok ? `; ${subByteText(d)} widened to int8` : '';
    let reason: string;
    if (other.length === 0 && same.length && d.check.ok === !!d.estNpu && alt < mine) reason = `follows ${same.slice(0, 3).join(', ')}${same.length > 3 ? ', …' : ''} on the ${dev.toUpperCase()}: ${fmtMs(mine)} here vs ${fmtMs(alt)} on the ${dev === 'npu' ? 'CPU' : 'NPU'}, but a separate segment would add NPU↔CPU transitions`;
    else if (other.length === 0 && same.length) reason = `follows ${same.slice(0, 3).join(', ')}${same.length > 3 ? ', …' : ''} on the ${dev.toUpperCase()} (no NPU↔CPU transition)`;
    else if (same.length === 0 && other.length) reason = `on the ${dev.toUpperCase()} though its neighbours are not: ${fmtMs(mine)} here vs ${fmtMs(alt)} outweighs the transitions`;
    else if (other.length) reason = `at a device boundary (${same.join(', ')} on the ${dev.toUpperCase()}, ${other.join(', ')} not): cheaper here (${fmtMs(mine)} vs ${fmtMs(alt)} and the smaller hand-over)`;
    else reason = `on the ${dev.toUpperCase()}: ${fmtMs(mine)} vs ${fmtMs(alt)}`;
    set(d, dev, reason + widenNote, 'follow', dev === 'npu' && !d.check.ok);
  }

  // Options weighed, per candidate, and whole-model alternatives.
  const finalDevs = drafts.map((d) => d.device!);
  const layers: PlacedLayer[] = drafts.map((d) => {
    const est = d.lowerTo ? d.estCpuW4! : d.device === 'npu' ? d.estNpu! : d.estCpu;
    const cand = candidates.some((c) => c.d === d) || (d.kind === 'mac' && d.subByte && !!d.widenedCheck?.ok);
    const options: LayerOption[] | undefined = cand
      ? optionsOf(d).map((o) => ({
        key: o.key, device: o.device, precision: o.lowerTo ?? precisionText(d),
        storage: o.key === 'npu-widened' ? `int8 (widened from ${d.weightBits}-bit)` : o.key === 'cpu-packed' ? `packed ${containerBits(d.weightBits ?? 8)}-bit` : o.key === 'cpu-w4' ? 'packed 4-bit' : 'int8',
        flashBytes: o.est.flashBytes, estUs: o.est.us,
        chosen: o.device === d.device && (o.key === 'cpu-w4') === !!d.lowerTo,
      }))
      : undefined;
    return {
      name: d.name, op: d.op, nodes: d.grp.nodes.map((n) => n.name),
      origin: [...new Set(d.grp.nodes.flatMap((n) => n.origin ?? [n.name]))],
      kind: d.kind, precision: precisionText(d), weightBits: d.weightBits, actBits: d.actBits,
      device: d.device!, reason: d.reason!, source: d.source!, widened: !!d.widened, lowerTo: d.lowerTo,
      inputs: d.inputs, outputs: d.outputs, desc: d.desc, npuCheck: d.check, npuWidenedCheck: d.widenedCheck,
      est, estNpu: d.estNpu, estCpu: d.estCpu, options,
    };
  });
  const totalsOf = (devsX: Device[], ests: LayerEstimate[]) => evaluate(devsX, ests);
  const chosenTotals = totalsOf(finalDevs, layers.map((l) => l.est));
  const alternatives: Alternative[] = [{ label: 'chosen', flashBytes: chosenTotals.flash, latencyUs: chosenTotals.us, transitions: chosenTotals.transitions }];
  const optCands = drafts.map((d, i) => ({ d, i })).filter(({ d }) => d.kind === 'mac' && !d.force && d.subByte && !!d.widenedCheck?.ok);
  if (optCands.length) {
    for (const [label, dev] of [['sub-8-bit layers widened on the NPU', 'npu'], ['sub-8-bit layers packed on the CPU', 'cpu']] as const) {
      const assign = new Map<number, Choice>(optCands.map(({ d, i }) => [i, dev === 'npu' ? { device: 'npu', widened: true, est: d.estNpu! } : { device: 'cpu', widened: false, est: d.estCpu }]));
      const r = run(assign);
      alternatives.push({ label, flashBytes: r.flash, latencyUs: r.us, transitions: r.transitions });
    }
  }
  const candNames = new Set([...candidates.map((c) => c.d.name), ...optCands.map((c) => c.d.name)]);
  const totW = drafts.reduce((s, d) => s + layerWeights(d), 0);
  const totM = drafts.reduce((s, d) => s + d.estCpu.macs, 0);
  const candW = drafts.filter((d) => candNames.has(d.name)).reduce((s, d) => s + layerWeights(d), 0);
  const candM = drafts.filter((d) => candNames.has(d.name)).reduce((s, d) => s + d.estCpu.macs, 0);

  const deviceOfNode: Record<string, Device> = {};
  const layerOfNode: Record<string, string> = {};
  for (const l of layers) for (const n of l.nodes) { deviceOfNode[n] = l.device; layerOfNode[n] = l.name; }
  const placement: Placement = {
    layers, deviceOfNode, layerOfNode, params,
    optimisation: {
      flashBudget: flashB, latencyBudgetMs: opts.latencyBudget, objective, method,
      candidates: [...candNames], evaluated, alternatives,
      candidateWeightShare: totW ? candW / totW : 0, candidateMacShare: totM ? candM / totM : 0,
    },
  };
  return { graph: g, placement };
}

function layerWeights(d: Draft): number {
  return d.kind === 'mac' ? layerWeightCount(d.desc) : 0;
}

function set(d: Draft, device: Device, reason: string, source: PlacementSource, widened = false): void {
  d.device = device;
  d.reason = reason;
  d.source = source;
  d.widened = widened;
}

/** The placement pass: `runPipeline(g, [...corePipeline, p])`, then `p.result()`. */
export function placementPass(opts: PlacementOptions = {}): Pass & { result(): Placement } {
  let last: Placement | undefined;
  return {
    name: 'placement',
    description: 'assigns every layer to the NPU or the CPU with a reason (force/widen/budgets; see passes/placement.ts)',
    run(g: Graph): Graph {
      const { graph, placement } = placeGraph(g, opts);
      last = placement;
      opts.onPlacement?.(placement);
      return graph;
    },
    result(): Placement {
      if (!last) throw new Error('placement pass has not run');
      return last;
    },
  };
}

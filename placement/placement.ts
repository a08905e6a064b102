// Placement: every layer goes to the target's NPU or its CPU, with a one-line reason.
//
// The target is a value (PlacementTarget: its capabilities and cost model); placement imports no
// target. On a target without an NPU every layer is on the CPU (cpu-only.ts). Otherwise, in order:
//   split-dequantize.ts  every layer owns its DQs (the only rewrite)
//   layers.ts            nodes grouped into layers, named as the user knows them
//   describe.ts          each layer's precision, NPU checks and estimates on both devices
//   rules.ts, policy.ts  forces, widening, the precision policy (devices of layers with weights)
//   optimiser.ts         under --flash-budget / --latency-budget: the candidates' options
//   followers.ts         weightless layers by min-cut (min-cut.ts) over the layer graph
//   reasons.ts           every text shown to the user
// `placeGraph` returns { graph, placement }; the pass form (`placementPass`) runs it inside a
// pipeline and hands the table out through `pass.result()` (and `opts.onPlacement`).
import { fail } from '../core/diagnostics';
import { Graph } from '../core/ir/graph';
import { containerBits } from '../core/precision';
import type { Pass } from '../passes/pass-manager';
import type { PlacementTarget } from './capabilities';
import type { CostModel, CostParams, Device, LayerEstimate } from './cost-model';
import { placeOnCpu } from './cpu-only';
import { LayerInfo, describeLayer } from './describe';
import { solveFollowers } from './followers';
import { layerWeightCount } from './layer-desc';
import { LayerGraph, layerGraph } from './layer-graph';
import { groupLayers } from './layers';
import { Option, searchOptions } from './optimiser';
import { Decision, decide, policyDecision } from './policy';
import { fmtBytes, fmtMs, followerReason, optimiserReason, precisionText, tradeText } from './reasons';
import { layerRules } from './rules';
import { splitSharedDequantize } from './split-dequantize';
import type { Alternative, LayerOption, Optimisation, PlacedLayer, Placement, PlacementOptions } from './types';

export type * from './types';
export type { PlacementTarget } from './capabilities';
export { splitSharedDequantize } from './split-dequantize';
export { groupLayers } from './layers';

/** An option with what the layer becomes if it is chosen. */
interface Choice extends Option { readonly widened: boolean; readonly lowerTo?: string; readonly est: LayerEstimate }

/**
 * Every way a layer with weights can be deployed: on the NPU as it is (`npu-int8`, or `npu-int4`
 * where the NPU takes its 4-bit weights natively), on the NPU widened to int8 (`npu-widened`),
 * on the CPU with packed sub-8-bit weights (`cpu-packed`), on the CPU at int8 (`cpu-int8`, int8
 * layers), and lowered to w4 on the CPU (`cpu-w4`, int8 layers the quantizer's sensitivity lists).
 */
function optionsOf(d: LayerInfo, sensitivity: PlacementOptions['sensitivity']): Choice[] {
  // Order matters only for ties: sub-8-bit layers list their CPU (packed) option first, int8 layers their NPU one.
  const npuAsIs: Choice[] = d.check.ok && d.estNpu ? [{ key: d.subByte ? 'npu-int4' : 'npu-int8', device: 'npu', widened: false, est: d.estNpu, sens: 0 }] : [];
  if (d.subByte) {
    return [
      { key: 'cpu-packed', device: 'cpu', widened: false, est: d.estCpu, sens: 0 },
      ...npuAsIs,
      ...(!d.check.ok && d.estNpuWidened ? [{ key: 'npu-widened', device: 'npu' as const, widened: true, est: d.estNpuWidened, sens: 0 }] : []),
    ];
  }
  return [
    ...npuAsIs,
    ...(d.estCpuW4 && sensitivity?.[d.name] !== undefined ? [{ key: 'cpu-w4', device: 'cpu' as const, widened: false, lowerTo: `w4a${Math.min(d.actBits, 8)}`, est: d.estCpuW4, sens: sensitivity[d.name] }] : []),
    { key: 'cpu-int8', device: 'cpu', widened: false, est: d.estCpu, sens: 0 },
  ];
}

/** The option key a decision amounts to. */
function chosenKey(d: LayerInfo, dec: Decision): string {
  if (dec.lowerTo) return 'cpu-w4';
  if (dec.device === 'npu') return dec.widened ? 'npu-widened' : d.subByte ? 'npu-int4' : 'npu-int8';
  return d.subByte ? 'cpu-packed' : 'cpu-int8';
}

/** Whole-model time (layers plus transitions), flash and transitions of one labelling. */
function evaluate(lg: LayerGraph, devs: readonly Device[], ests: readonly LayerEstimate[], cost: CostModel, params: CostParams) {
  let us = 0, flash = 0, transitions = 0;
  ests.forEach((e) => { us += e.us; flash += e.flashBytes; });
  for (const e of lg.edges) if (devs[e.from] !== devs[e.to]) { us += cost.transition({ from: devs[e.from], to: devs[e.to], bytes: e.bytes }, params); transitions++; }
  return { us, flash, transitions };
}

/** Place every layer; returns the (DQ-split) graph and the placement table. */
export function placeGraph(g0: Graph, on: PlacementTarget, opts: PlacementOptions = {}): { graph: Graph; placement: Placement } {
  const npu = on.capabilities.npu;
  if (!npu) return placeOnCpu(g0, on, opts);
  const cost = on.costModel;
  if (!cost) throw new Error(`internal: target ${on.name} has an NPU but no cost model`);
  const params = opts.costParams ?? cost.defaults;
  const g = splitSharedDequantize(g0);
  const layers = groupLayers(g).map((grp) => describeLayer(g, grp, npu, cost, params));
  const layerNames = layers.map((d) => [d.name, ...(d.grp.core.origin ?? []), ...d.grp.nodes.map((n) => n.name)]);
  const rules = layerRules(g, opts, layerNames, layers.map((d) => d.name));

  // 1–3: forces and the precision policy.
  const budgeted = opts.flashBudget !== undefined || opts.latencyBudget !== undefined;
  const decided: (Decision | undefined)[] = layers.map((d, i) => policyDecision(d, rules[i], budgeted));

  const lg = layerGraph(g, layers);
  const followers = layers.map((d, i) => (decided[i] || d.kind === 'mac' ? -1 : i)).filter((i) => i >= 0);
  const followerSet = new Set(followers);

  /** The whole model with `assign` for some layers, the decided devices elsewhere, followers solved. */
  const run = (assign: ReadonlyMap<number, Choice>) => {
    const fixed = layers.map((_, i) => assign.get(i)?.device ?? (followerSet.has(i) ? undefined : decided[i]!.device));
    const devs = solveFollowers(layers, lg, fixed, cost, params);
    const ests = layers.map((d, i) => assign.get(i)?.est ?? (devs[i] === 'npu' ? d.estNpu! : d.estCpu));
    return { devs, ...evaluate(lg, devs, ests, cost, params) };
  };

  // Candidates of the precision/placement trade-off: sub-8-bit layers the NPU could run widened;
  // under a budget also int8 layers the quantizer's sensitivity lists (w4 on the CPU).
  // Sub-8-bit layers the NPU runs natively or widened, and (under a budget) int8 layers the
  // quantizer's sensitivity lists: their every option is weighed.
  const candidates = layers.map((d, i) => ({ d, i })).filter(({ d, i }) => d.kind === 'mac' && !rules[i].force && (
    (d.subByte && (d.check.ok || !!d.widenedCheck?.ok)) || (budgeted && d.check.ok && opts.sensitivity?.[d.name] !== undefined && !!d.estCpuW4)));
  let method: Optimisation['method'] = 'policy';
  let evaluated = 0;
  let objective = 'none: no budget given; placement follows precision';
  const flashB = opts.flashBudget, latB = opts.latencyBudget !== undefined ? opts.latencyBudget * 1000 : undefined;
  if (budgeted && candidates.length) {
    const opt = candidates.map(({ d }) => optionsOf(d, opts.sensitivity));
    objective = flashB !== undefined
      ? `lowest latency within ${fmtBytes(flashB)} of flash${latB !== undefined ? ` and ${opts.latencyBudget} ms` : ''}`
      : `least flash within ${opts.latencyBudget} ms`;
    if (opts.sensitivity) objective = `least total sensitivity, then ${objective}`;
    const search = searchOptions(opt, (pick) => {
      const r = run(new Map(pick.map((k, j) => [candidates[j].i, opt[j][k]])));
      return { sens: pick.reduce((s, k, j) => s + opt[j][k].sens, 0), us: r.us, flash: r.flash, transitions: r.transitions };
    }, { flashBytes: flashB, latencyUs: latB });
    method = search.method;
    evaluated = search.evaluated;
    if (!search.best) {
      const c = search.closest.score;
      const what = [flashB !== undefined ? `--flash-budget ${fmtBytes(flashB)}` : '', latB !== undefined ? `--latency-budget ${opts.latencyBudget} ms` : ''].filter(Boolean).join(' with ');
      fail('bad-input', `${what} cannot be met: the closest placement of ${candidates.map((c2) => c2.d.name).join(', ')} needs ${fmtBytes(c.flash)} of flash and ${fmtMs(c.us)} (raise the budget, or lower more layers' precision)`, flashB !== undefined ? '--flash-budget' : '--latency-budget');
    }
    const budgetText = [flashB !== undefined ? `--flash-budget` : '', latB !== undefined ? `--latency-budget` : ''].filter(Boolean).join(' + ');
    candidates.forEach(({ d, i }, j) => {
      const c = opt[j][search.best!.pick[j]];
      // The trade is shown against the other device's best-known option (the first listed there).
      const alt = opt[j].find((o) => o.device !== c.device) ?? opt[j].find((o) => o.key !== c.key)!;
      const trade = tradeText(alt.est.us - c.est.us, alt.est.flashBytes - c.est.flashBytes, alt.key);
      if (c.key === 'npu-widened') decided[i] = decide('npu', optimiserReason.widened(budgetText, d, trade), 'optimiser', true);
      else if (c.key === 'npu-int4') decided[i] = decide('npu', optimiserReason.native(budgetText, d, trade), 'optimiser');
      else if (c.key === 'cpu-packed') decided[i] = decide('cpu', optimiserReason.packed(budgetText, d, trade), 'optimiser');
      else if (c.key === 'cpu-int8') decided[i] = decide('cpu', optimiserReason.cpuInt8(budgetText, trade), 'optimiser');
      else if (c.key === 'cpu-w4') decided[i] = { ...decide('cpu', optimiserReason.lowered(budgetText, c.lowerTo!, opts.sensitivity![d.name], trade), 'optimiser'), lowerTo: c.lowerTo };
      else decided[i] = decide('npu', optimiserReason.int8(budgetText, trade), 'optimiser');
    });
  }

  // 4: followers.
  const devs = solveFollowers(layers, lg, decided.map((x) => x?.device), cost, params);
  for (const i of followers) {
    const d = layers[i];
    const dev = devs[i];
    const nb = lg.edges.filter((e) => e.from === i || e.to === i).map((e) => (e.from === i ? e.to : e.from));
    const widened = dev === 'npu' && !d.check.ok;
    decided[i] = decide(dev, followerReason(d, {
      device: dev,
      same: [...new Set(nb.filter((j) => devs[j] === dev).map((j) => layers[j].name))],
      other: [...new Set(nb.filter((j) => devs[j] !== dev).map((j) => layers[j].name))],
      mine: dev === 'npu' ? d.estNpu!.us : d.estCpu.us,
      alt: dev === 'npu' ? d.estCpu.us : d.estNpu?.us ?? Infinity,
      npuOnlyWidened: d.check.ok !== !!d.estNpu,
      widened,
    }), 'follow', widened);
  }

  // The table, the options weighed per candidate, and whole-model alternatives.
  const final = decided.map((x) => x!);
  const placed: PlacedLayer[] = layers.map((d, i) => {
    const dec = final[i];
    const est = dec.lowerTo ? d.estCpuW4! : dec.device === 'npu' ? (dec.widened ? d.estNpuWidened ?? d.estNpu! : d.estNpu!) : d.estCpu;
    // Every layer with weights lists its options, the chosen one marked.
    const key = chosenKey(d, dec);
    const options: LayerOption[] | undefined = d.kind === 'mac'
      ? optionsOf(d, opts.sensitivity).map((o) => ({
        key: o.key, device: o.device, precision: o.lowerTo ?? precisionText(d),
        storage: o.key === 'npu-widened' ? `int8 (widened from ${d.weightBits}-bit)` : o.key === 'cpu-packed' ? `packed ${containerBits(d.weightBits ?? 8)}-bit`
          : o.key === 'npu-int4' ? 'int4 (native)' : o.key === 'cpu-w4' ? 'packed 4-bit' : 'int8',
        flashBytes: o.est.flashBytes, estUs: o.est.us,
        chosen: o.key === key,
      }))
      : undefined;
    return {
      name: d.name, op: d.op, nodes: d.grp.nodes.map((n) => n.name),
      origin: [...new Set(d.grp.nodes.flatMap((n) => n.origin ?? [n.name]))],
      kind: d.kind, precision: precisionText(d), weightBits: d.weightBits, actBits: d.actBits,
      device: dec.device, reason: dec.reason, source: dec.source, widened: dec.widened, lowerTo: dec.lowerTo,
      inputs: d.inputs, outputs: d.outputs, desc: d.desc, npuCheck: d.check, npuWidenedCheck: d.widenedCheck,
      est, estNpu: d.estNpu, estCpu: d.estCpu, options,
    };
  });
  const chosenTotals = evaluate(lg, final.map((x) => x.device), placed.map((l) => l.est!), cost, params);
  const alternatives: Alternative[] = [{ label: 'chosen', flashBytes: chosenTotals.flash, latencyUs: chosenTotals.us, transitions: chosenTotals.transitions }];
  const optCands = layers.map((d, i) => ({ d, i })).filter(({ d, i }) => d.kind === 'mac' && !rules[i].force && d.subByte && !!d.widenedCheck?.ok);
  if (optCands.length) {
    for (const [label, dev] of [['sub-8-bit layers widened on the NPU', 'npu'], ['sub-8-bit layers packed on the CPU', 'cpu']] as const) {
      const assign = new Map<number, Choice>(optCands.map(({ d, i }) => [i, dev === 'npu'
        ? { key: 'npu-widened', device: 'npu', widened: true, est: d.estNpuWidened ?? d.estNpu!, sens: 0 }
        : { key: 'cpu-packed', device: 'cpu', widened: false, est: d.estCpu, sens: 0 }]));
      const r = run(assign);
      alternatives.push({ label, flashBytes: r.flash, latencyUs: r.us, transitions: r.transitions });
    }
  }
  const candNames = new Set([...candidates.map((c) => c.d.name), ...optCands.map((c) => c.d.name)]);
  const weightsOf = (d: LayerInfo): number => (d.kind === 'mac' ? layerWeightCount(d.desc) : 0);
  const totW = layers.reduce((s, d) => s + weightsOf(d), 0);
  const totM = layers.reduce((s, d) => s + d.estCpu.macs, 0);
  const candW = layers.filter((d) => candNames.has(d.name)).reduce((s, d) => s + weightsOf(d), 0);
  const candM = layers.filter((d) => candNames.has(d.name)).reduce((s, d) => s + d.estCpu.macs, 0);

  const deviceOfNode: Record<string, Device> = {};
  const layerOfNode: Record<string, string> = {};
  for (const l of placed) for (const n of l.nodes) { deviceOfNode[n] = l.device; layerOfNode[n] = l.name; }
  const placement: Placement = {
    layers: placed, deviceOfNode, layerOfNode, params,
    optimisation: {
      flashBudget: flashB, latencyBudgetMs: opts.latencyBudget, objective, method,
      candidates: [...candNames], evaluated, alternatives,
      candidateWeightShare: totW ? candW / totW : 0, candidateMacShare: totM ? candM / totM : 0,
    },
  };
  return { graph: g, placement };
}

/** The placement pass: `runPipeline(g, [...corePipeline, p])`, then `p.result()`. */
export function placementPass(on: PlacementTarget, opts: PlacementOptions = {}): Pass & { result(): Placement } {
  let last: Placement | undefined;
  return {
    name: 'placement',
    description: 'assigns every layer to the NPU or the CPU with a reason (force/widen/budgets; see placement/placement.ts)',
    run(g: Graph): Graph {
      const { graph, placement } = placeGraph(g, on, opts);
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

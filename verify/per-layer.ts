// `hsq verify --per-layer`: every layer of the hsq graph against ONNX Runtime running the same
// layer alone, cut out of the original model (or its QONNX reference) between the tensors the
// layer reads and writes, and fed the interpreter's own values of those tensors; and every
// tensor an engine observed against the interpreter's.
//
// How an hsq layer finds its original (original-model.ts): its input and output tensors link to
// original tensors by name, or as dequantizations (integer tensors hsq made for QONNX
// quantizers; integer tensors where the original holds their float values). The cut between the
// linked tensors is what ORT runs (layer-cut.ts). So a QConv fused from DQ → Conv → (Relu) → Q
// is checked against exactly those original nodes; a QONNX QConv (Quant(w) → Conv → BN → Relu →
// Quant) against the reference's nodes from the input Quant's output to the output Quant's; a
// lookup-table chain and a float op are checked as the DQ → op → Q or op they are in the IR.
// A layer gets no ORT figure (null, with the reason) when a tensor it reads or writes has no
// original counterpart, when the cut needs a tensor hsq does not compute before the layer, or
// when ORT cannot run the cut.
import { Graph, Node } from '../core/ir/graph';
import { Tensor } from '../core/ir/tensor';
import { Engine } from './engine';
import { Link, OriginalModel, linkOf } from './original-model';
import { VerifyLayer, verifyLayers } from './layers';
import { cutBetween, cutModel } from './layer-cut';
import { OutputKind, OutputMetrics, compareOutputs, exactShare, exactnessFailures, layerOrtFailures } from './metrics';
import { outputQuant } from './output-quant';
import { dequantizeTensor, retype, stack } from './tensor-convert';
import { ORT_REFERENCE_OPTIONS } from './qonnx-reference';
import { WideIO, narrowResults, wideFeeds } from './sub-byte-io';

export interface LayerReport {
  readonly name: string;
  readonly op: string;
  readonly precision: string;
  readonly device: string;
  /** The ONNX nodes the layer's IR nodes stand for. */
  readonly origin: readonly string[];
  readonly nodes: readonly string[];
  readonly outputs: readonly string[];
  readonly kind: OutputKind | null;
  /** Engine vs interpreter on the layer's outputs; null when the engine did not observe them. */
  readonly exactVsInterpreter: number | null;
  readonly maxStepsVsOrt: number | null;
  readonly within1StepVsOrt: number | null;
  readonly maxRelErrVsOrt: number | null;
  readonly withinTolVsOrt: number | null;
  readonly sqnrDb: number | null;
  /** What the ORT figures compare with: ORT on the original, ORT on the QONNX reference, or the
   *  layer's own converted input where the original has no node in between (a lone DQ of a
   *  QONNX quantizer); null: no ORT figure. */
  readonly reference: 'ort' | 'qonnx-reference' | 'input' | null;
  readonly noOrtReason: string | null;
  readonly failures: readonly string[];
}

export interface PerLayerResult {
  readonly layers: readonly LayerReport[];
  /** The first layer (graph order) that fails the gate, and which engine differs there: the
   *  engine for a difference from the interpreter, 'interpreter' for one from ORT. */
  readonly firstDivergence: { readonly layer: string; readonly engine: string } | null;
}

export interface PerLayerInput {
  readonly graph: Graph;
  /** The original model, or why there is none for ORT (the reference could not be built). */
  readonly original: OriginalModel | string;
  /** Interpreter values of every tensor, one record per input set. */
  readonly interpreter: readonly Record<string, Tensor>[];
  /** The engine checked against the interpreter and what it observed (omit for the interpreter alone). */
  readonly engine?: { readonly engine: Engine; readonly values: readonly Record<string, Tensor>[] };
}

type Plan =
  | { kind: 'none'; reason: string }
  | { kind: 'identity'; inputs: Map<string, Link>; outputs: Map<string, Link> }
  | { kind: 'cut'; model: { bytes: Uint8Array; io: WideIO }; feeds: Map<string, string>; inputs: Map<string, Link>; outputs: Map<string, Link>; fed: Record<string, Tensor> };

function originOf(nodes: readonly Node[]): string[] {
  const out: string[] = [];
  for (const n of nodes) for (const o of n.origin ?? [n.name]) if (!out.includes(o)) out.push(o);
  return out;
}

/** An hsq value in the original's representation (what ORT is fed). */
function toOriginal(o: OriginalModel, link: Link, v: Tensor): Tensor {
  if (link.via === 'dequantize') return dequantizeTensor(v, link.quant!);
  const oi = o.infos[link.tensor];
  return oi ? retype(v, oi.dtype, oi.shape) : v;
}

/** The interpreter's output and ORT's in one representation, with the quantization that counts steps. */
function comparable(g: Graph, hsq: string, link: Link, interp: Tensor, ort: Tensor): { c: Tensor; ort: Tensor; quant?: ReturnType<typeof outputQuant> } {
  if (link.via === 'dequantize') return { c: dequantizeTensor(interp, link.quant!), ort, quant: { scale: link.quant!.scale, zeroPoint: link.quant!.zeroPoint, axis: link.quant!.axis } };
  return { c: interp, ort: retype(ort, interp.dtype, interp.shape), quant: outputQuant(g, hsq) };
}

/** Several outputs' figures as one row: worst steps and SQNR, element-weighted shares. */
function combine(ms: readonly OutputMetrics[]): Omit<OutputMetrics, 'name'> {
  if (ms.length === 1) return ms[0];
  const total = ms.reduce((a, m) => a + m.elements, 0);
  const worst = (k: keyof OutputMetrics, pick: (...v: number[]) => number) => {
    const v = ms.map((m) => m[k]).filter((x): x is number => typeof x === 'number');
    return v.length ? pick(...v) : null;
  };
  const share = (k: 'exactVsInterpreter' | 'within1StepVsOrt' | 'withinTolVsOrt') => {
    const v = ms.filter((m) => m[k] !== null);
    return v.length ? v.reduce((a, m) => a + m[k]! * m.elements, 0) / v.reduce((a, m) => a + m.elements, 0) : null;
  };
  const kinds = ms.map((m) => m.kind);
  return {
    kind: kinds.includes('quantized') ? 'quantized' : kinds.includes('dequantized') ? 'dequantized' : 'float',
    elements: total,
    exactVsInterpreter: share('exactVsInterpreter'),
    maxStepsVsOrt: worst('maxStepsVsOrt', Math.max),
    within1StepVsOrt: share('within1StepVsOrt'),
    maxRelErrVsOrt: worst('maxRelErrVsOrt', Math.max),
    withinTolVsOrt: share('withinTolVsOrt'),
    sqnrDb: worst('sqnrDb', Math.min),
    nonFiniteMismatchesVsOrt: worst('nonFiniteMismatchesVsOrt', (...v) => v.reduce((a, b) => a + b, 0)),
  };
}

export function planLayer(g: Graph, o: OriginalModel, layer: VerifyLayer, index: ReadonlyMap<string, number>, firstSet: Record<string, Tensor>,
  reverse: ReadonlyMap<string, string>): Plan {
  const inputs = new Map<string, Link>(), outputs = new Map<string, Link>();
  for (const t of layer.inputs) {
    const l = linkOf(g, o, t);
    if (!l) return { kind: 'none', reason: `its input '${t}' has no counterpart in the original model` };
    inputs.set(t, l);
  }
  for (const t of layer.outputs) {
    const l = linkOf(g, o, t);
    if (!l) return { kind: 'none', reason: `its output '${t}' has no counterpart in the original model` };
    outputs.set(t, l);
  }
  const fedFrom = new Map<string, string>(); // original tensor → hsq tensor
  for (const [t, l] of inputs) fedFrom.set(l.tensor, t);
  if ([...outputs.values()].every((l) => fedFrom.has(l.tensor))) return { kind: 'identity', inputs, outputs };
  const start = Math.min(...layer.nodes.map((n) => index.get(n.name)!));
  const own = new Set(layer.nodes.flatMap((n) => n.outputs));
  // An original tensor hsq computed before this layer (a side input such as a Shape's source).
  const earlier = (t: string): string | undefined => {
    const h = reverse.get(t);
    if (h === undefined || own.has(h) || !(h in firstSet)) return undefined;
    const p = index.get(`tensor:${h}`);
    return p === undefined || p < start ? h : undefined;
  };
  const outNames = [...new Set([...outputs.values()].map((l) => l.tensor))];
  const cut = cutBetween(o, [...fedFrom.keys()], outNames, (t) => earlier(t) !== undefined);
  if (!cut.ok) return { kind: 'none', reason: cut.reason };
  for (const t of cut.inputs) if (!fedFrom.has(t)) {
    const h = earlier(t)!;
    fedFrom.set(t, h);
    inputs.set(h, linkOf(g, o, h)!);
  }
  const fed: Record<string, Tensor> = {};
  for (const t of cut.inputs) { const h = fedFrom.get(t)!; fed[t] = toOriginal(o, inputs.get(h)!, firstSet[h]); }
  const feeds = new Map(cut.inputs.map((t) => [t, fedFrom.get(t)!]));
  return { kind: 'cut', model: cutModel(o, cut, fed, outNames), feeds, inputs, outputs, fed };
}

/** hsq tensor → position of its producer (graph inputs -1); node name → position. */
function positions(g: Graph): Map<string, number> {
  const m = new Map<string, number>();
  for (const i of g.inputs) m.set(`tensor:${i}`, -1);
  g.nodes.forEach((n, k) => { m.set(n.name, k); for (const o of n.outputs) if (o) m.set(`tensor:${o}`, k); });
  return m;
}

export async function checkLayers(p: PerLayerInput): Promise<PerLayerResult> {
  const { graph: g, interpreter } = p;
  const layers = verifyLayers(g);
  const o = typeof p.original === 'string' ? undefined : p.original;
  const index = positions(g);
  const reverse = new Map<string, string>();
  if (o) for (const t of Object.keys(g.tensors)) {
    const l = linkOf(g, o, t);
    if (l && (!reverse.has(l.tensor) || l.via === 'same')) reverse.set(l.tensor, t);
  }
  const { runOrtMany } = await import('./ort');
  const reports: LayerReport[] = [];
  for (const layer of layers) {
    let plan: Plan;
    try {
      plan = o ? planLayer(g, o, layer, index, interpreter[0], reverse) : { kind: 'none', reason: p.original as string };
    } catch (e) {
      plan = { kind: 'none', reason: (e as Error).message.split('\n')[0] };
    }
    let ortValues: Record<string, Tensor>[] | undefined;
    let reason = plan.kind === 'none' ? plan.reason : null;
    if (plan.kind === 'cut') {
      try {
        const feeds = interpreter.map((set, k) => wideFeeds(k === 0 ? plan.fed
          : Object.fromEntries([...plan.feeds].map(([t, h]) => [t, toOriginal(o!, plan.inputs.get(h)!, set[h])])), plan.model.io));
        ortValues = (await runOrtMany(plan.model.bytes, feeds, o!.kind === 'qonnx-reference' ? ORT_REFERENCE_OPTIONS : {})).map((r) => narrowResults(r, plan.model.io));
      } catch (e) {
        reason = `ONNX Runtime cannot run it: ${(e as Error).message.split('\n')[0]}`;
      }
    }
    const ms: OutputMetrics[] = layer.outputs.map((t) => {
      const interp = stack(interpreter.map((s) => s[t]));
      const link = plan.kind === 'none' ? undefined : plan.outputs.get(t)!;
      let ort: Tensor | null = null;
      if (link && plan.kind === 'identity') {
        const h = [...plan.inputs].find(([, l]) => l.tensor === link.tensor)![0];
        ort = stack(interpreter.map((s) => toOriginal(o!, plan.inputs.get(h)!, s[h])));
      } else if (link && ortValues) ort = stack(ortValues.map((v) => v[link.tensor]));
      const m = link && ort ? (() => { const c = comparable(g, t, link, interp, ort!); return compareOutputs({ name: t, c: c.c, ort: c.ort, quant: c.quant }); })()
        : compareOutputs({ name: t, c: interp, quant: outputQuant(g, t) });
      const ev = p.engine?.values;
      const observed = ev && ev.every((v) => v[t] !== undefined);
      const exact = !p.engine ? 1 : observed ? exactShare(t, stack(ev!.map((v) => v[t])), interp) : null;
      return { ...m, exactVsInterpreter: exact };
    });
    const m = combine(ms);
    const hasOrt = plan.kind === 'identity' || ortValues !== undefined;
    const failures = ms.flatMap((x) => [
      ...exactnessFailures(`layer '${layer.name}' output '${x.name}' (${p.engine?.engine.name ?? 'interpreter'})`, x.exactVsInterpreter),
      ...layerOrtFailures(`layer '${layer.name}' output '${x.name}'`, x),
    ]);
    reports.push({
      name: layer.name, op: layer.op, precision: layer.precision, device: p.engine?.engine.deviceOf?.(layer) ?? 'cpu',
      origin: originOf(layer.nodes), nodes: layer.nodes.map((n) => n.name), outputs: layer.outputs,
      kind: m.kind, exactVsInterpreter: m.exactVsInterpreter,
      maxStepsVsOrt: m.maxStepsVsOrt, within1StepVsOrt: m.within1StepVsOrt, maxRelErrVsOrt: m.maxRelErrVsOrt,
      withinTolVsOrt: m.withinTolVsOrt, sqnrDb: m.sqnrDb,
      reference: !hasOrt ? null : plan.kind === 'identity' ? 'input' : o!.kind === 'qonnx-reference' ? 'qonnx-reference' : 'ort',
      noOrtReason: hasOrt ? null : reason, failures,
    });
  }
  const first = reports.find((r) => r.failures.length > 0);
  const engineName = p.engine?.engine.name ?? 'interpreter';
  return {
    layers: reports,
    firstDivergence: first ? { layer: first.name, engine: first.exactVsInterpreter !== null && first.exactVsInterpreter < 1 ? engineName : 'interpreter' } : null,
  };
}

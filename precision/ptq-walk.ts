// Layer-by-layer refinement of hsq's QDQ graph on the calibration samples. The quantized graph
// and the float graph run side by side in the reference interpreter, node by node, over every
// sample at once; so each layer sees the inputs it will see when deployed (the outputs of the
// layers before it, already rounded and corrected). At each sub-8-bit Conv/Gemm/MatMul:
// 1. rounding (rounding.ts): the Gram matrix of the layer's inputs (at most `maxRows` rows,
//    a seeded choice when there are more), then nearest / AdaRound / GPTQ onto the per-channel
//    grids the weight method chose;
// 2. bias correction (Nagel et al. 2019, "Data-Free Quantization", empirical form): the mean
//    per output channel of the float layer's output minus that of the quantized layer's, over
//    all samples and positions, is added to the int32 bias.
// Every hsq-quantized weighted layer also gets its output SQNR against float (after its output
// quantizer when it has one), which accumulates the error of everything before it.
import { Graph, Node, QuantParams } from '../core/ir/graph';
import { Tensor, makeTensor } from '../core/ir/tensor';
import { roundHalfEven } from '../core/numerics';
import { runNode } from '../ops/engine/interpreter';
import { startProgress } from '../core/progress';
import { Sample } from './calib-data';
import { InputGram, fromRows, layerShape, toRows } from './layer-matrix';
import { QuantizedLayer } from './quantize-model';
import { RoundingMethod, roundLayer } from './rounding';
import { weightQmax } from './weights';
import { Sqnr } from './sqnr';

export interface RefineOptions {
  readonly rounding?: RoundingMethod;
  /** Bias correction of sub-8-bit layers (default true). */
  readonly biasCorrection?: boolean;
  /** Seed of the row choice when a layer has more input rows than `maxRows`. */
  readonly seed?: number;
  readonly adaroundIters?: number;
  /** Input rows per layer for the Gram matrix (default 8192). */
  readonly maxRows?: number;
  readonly progress?: boolean;
}

export interface LayerRefinement {
  readonly layer: string;
  /** What produced the integers: 'nearest', 'gptq', 'adaround' (with kept-nearest groups), or why none ran. */
  readonly rounding: string;
  readonly biasCorrected: boolean;
  /** Output SQNR (dB) in the quantized model against float over the calibration samples; null when exact. */
  readonly sqnrDb: number | null;
  /** SQNR of the layer's weight rounding alone on its calibration inputs (rounded layers); null when exact. */
  readonly weightSqnrDb?: number | null;
}

export interface RefineResult {
  readonly graph: Graph;
  readonly layers: ReadonlyMap<string, LayerRefinement>;
  readonly refined: number;
}

const MAX_K = 4608;
const db = (sig: number, noise: number): number | null => (noise === 0 ? null : sig === 0 ? -Infinity : Math.round(1000 * 10 * Math.log10(sig / noise)) / 1000);

/** Runs a graph's nodes in order over several samples; constant nodes once. */
class Walker {
  k = 0;
  readonly vals: Map<string, Tensor>[];
  readonly consts = new Map<string, Tensor>();
  private readonly lastUse = new Map<string, number>();
  constructor(readonly g: Graph, samples: readonly Sample[], private readonly pinned: Set<string>) {
    this.vals = samples.map((s) => new Map(Object.entries(s)));
    g.nodes.forEach((n, i) => { for (const x of n.inputs) if (x) this.lastUse.set(x, i); });
    for (const o of g.outputs) this.pinned.add(o);
  }
  get done(): boolean { return this.k >= this.g.nodes.length; }
  get node(): Node { return this.g.nodes[this.k]; }
  value(s: number, name: string): Tensor | undefined {
    return this.vals[s].get(name) ?? this.consts.get(name) ?? this.g.initializers[name];
  }
  private isConst(n: Node): boolean {
    return n.inputs.every((i) => !i || i in this.g.initializers || this.consts.has(i));
  }
  /** Runs node n (by default the current one) on sample s without storing. */
  run(n: Node, s: number): Tensor[] {
    return runNode(this.g, n, n.inputs.map((i) => (i ? this.value(s, i) : undefined)));
  }
  recomputeConst(n: Node): void {
    const outs = runNode(this.g, n, n.inputs.map((i) => (i ? this.consts.get(i) ?? this.g.initializers[i] : undefined)));
    n.outputs.forEach((o, j) => { if (o) this.consts.set(o, outs[j]); });
  }
  /** Runs the current node (its outputs given per sample, or computed) and frees dead values. */
  step(given?: Tensor[][]): void {
    const n = this.node;
    if (!given && this.isConst(n)) this.recomputeConst(n);
    else {
      this.vals.forEach((m, s) => {
        const outs = given ? given[s] : this.run(n, s);
        n.outputs.forEach((o, j) => { if (o) m.set(o, outs[j]); });
      });
    }
    for (const m of this.vals) {
      for (const i of n.inputs) if (i && this.lastUse.get(i) === this.k && !this.pinned.has(i)) m.delete(i);
      for (const o of n.outputs) if (o && !this.lastUse.has(o) && !this.pinned.has(o)) m.delete(o);
    }
    this.k++;
  }
  /** Steps until the node named `name` has run. */
  advancePast(name: string): void {
    while (!this.done) {
      const n = this.node.name;
      this.step();
      if (n === name) return;
    }
    throw new Error(`ptq: node '${name}' not found in the float graph`);
  }
  /** Unpins a value; frees it if its last reader has run. */
  release(name: string): void {
    this.pinned.delete(name);
    const last = this.lastUse.get(name);
    if (last === undefined || last < this.k) for (const m of this.vals) m.delete(name);
  }
}

/** Per-channel means of a layer output (channel axis 1 for Conv and ConvTranspose, last otherwise). */
function channelMeans(ts: readonly Tensor[], op: string, m: number): Float64Array {
  const sum = new Float64Array(m);
  let count = 0;
  for (const t of ts) {
    const d = t.data as Float32Array;
    const axis = op === 'Conv' || op === 'ConvTranspose' ? 1 : t.shape.length - 1;
    let inner = 1;
    for (let i = axis + 1; i < t.shape.length; i++) inner *= t.shape[i];
    for (let i = 0; i < d.length; i++) sum[Math.floor(i / inner) % m] += d[i];
    count += d.length / m;
  }
  for (let c = 0; c < m; c++) sum[c] /= count || 1;
  return sum;
}


/**
 * Refines the hsq-quantized layers of `qg` (from quantizeModelDetailed of `fg`) on the
 * calibration samples; returns the graph with the new weights and biases, and a record per layer.
 */
export function refineLayers(fg: Graph, qg: Graph, layers: ReadonlyMap<string, QuantizedLayer>, calib: readonly Sample[], opts: RefineOptions = {}): RefineResult {
  const rounding = opts.rounding ?? 'nearest';
  const biasCorrection = opts.biasCorrection ?? true;
  const maxRows = opts.maxRows ?? 8192;
  const seed = opts.seed ?? 0;
  const inits: Record<string, Tensor> = { ...qg.initializers };
  const g: Graph = { ...qg, initializers: inits };
  const fnode = new Map(fg.nodes.map((n) => [n.name, n]));
  const dqOf = new Map<string, Node>();   // integer initializer → its DequantizeLinear
  for (const n of g.nodes) if (n.op === 'DequantizeLinear' && n.inputs[0] in inits) dqOf.set(n.inputs[0], n);
  // Where each layer's output is compared: after its output quantizer, else its own output.
  const compareAt = new Map<string, string>();   // Q-graph tensor → layer
  const floatOut = new Map<string, string>();    // layer → float-graph tensor
  for (const n of g.nodes) {
    const ql = layers.get(n.name);
    const fn = fnode.get(n.name);
    if (!ql || !fn) continue;
    const y = n.outputs[0];
    const q = g.nodes.find((m) => m.op === 'QuantizeLinear' && m.inputs[0] === y);
    const dq = q && g.nodes.find((m) => m.op === 'DequantizeLinear' && m.inputs[0] === q.outputs[0]);
    compareAt.set(dq ? dq.outputs[0] : y, n.name);
    floatOut.set(n.name, fn.outputs[0]);
  }
  const qw = new Walker(g, calib, new Set());
  const fw = new Walker(fg, calib, new Set(floatOut.values()));
  const records = new Map<string, LayerRefinement>();
  const pending = new Map<string, { rounding: string; biasCorrected: boolean; weightSqnrDb?: number | null }>();
  const bar = opts.progress === false ? undefined : startProgress('ptq', g.nodes.length);
  let refined = 0;
  try {
    while (!qw.done) {
      const n = qw.node;
      const ql = layers.get(n.name);
      let outs: Tensor[][] | undefined;
      if (ql && fnode.has(n.name)) {
        fw.advancePast(n.name);
        const r = refineLayer(n, ql);
        pending.set(n.name, r.record);
        outs = r.outs;
      }
      qw.step(outs);
      for (const o of n.outputs) {
        const layer = compareAt.get(o);
        if (!layer) continue;
        const a = new Sqnr();
        calib.forEach((_, s) => a.add(fw.value(s, floatOut.get(layer)!)!, qw.value(s, o)!));
        fw.release(floatOut.get(layer)!);
        const p = pending.get(layer)!;
        records.set(layer, { layer, ...p, sqnrDb: db(a.sig, a.noise) });
      }
      bar?.tick();
    }
  } finally {
    bar?.stop();
  }
  return { graph: g, layers: records, refined };

  /** Rounds and bias-corrects one layer if it is below 8 bits; returns its outputs per sample. */
  function refineLayer(n: Node, ql: QuantizedLayer): { record: { rounding: string; biasCorrected: boolean; weightSqnrDb?: number | null }; outs: Tensor[][] } {
    const record: { rounding: string; biasCorrected: boolean; weightSqnrDb?: number | null } = { rounding: 'nearest', biasCorrected: false };
    if (ql.weightBits >= 8) return { record, outs: calib.map((_, s) => qw.run(n, s)) };
    const wInt = inits[ql.weight];
    const x0 = qw.value(0, n.inputs[0]);
    const shape = layerShape(n, wInt.shape, x0?.shape);
    if (rounding !== 'nearest' && ql.weightBits >= 2) {
      if (!shape) record.rounding = `nearest (${rounding} does not handle this ${n.op})`;
      else if (shape.k > MAX_K) record.rounding = `nearest (${shape.k} inputs per output, more than ${rounding}'s ${MAX_K})`;
      else {
        const gram = new InputGram(shape);
        const perSample = Math.max(1, Math.ceil(maxRows / calib.length));
        calib.forEach((_, s) => gram.add(n, qw.value(s, n.inputs[0])!, wInt.shape, perSample, (seed * 1000003 + s * 7919 + refined) >>> 0));
        const rows = toRows(ql.real.data as Float32Array, shape);
        const res = roundLayer(rounding, shape, rows, ql.quant.scale, weightQmax(ql.weightBits), gram.matrices(), { adaroundIters: opts.adaroundIters });
        const ints = fromRows(res.q, shape, new Int8Array(wInt.data.length));
        inits[ql.weight] = makeTensor(wInt.dtype, wInt.shape, ints);
        qw.recomputeConst(dqOf.get(ql.weight)!);
        record.rounding = res.keptNearest ? `${rounding} (${res.keptNearest} of ${res.groups} groups kept nearest)` : rounding;
        record.weightSqnrDb = db(res.energy, res.error);
        refined++;
      }
    }
    let outs = calib.map((_, s) => qw.run(n, s));
    if (biasCorrection && ql.bias && dqOf.has(ql.bias)) {
      // One bias per output channel (a grouped ConvTranspose has M/group weight scales, M biases).
      const m = inits[ql.bias].data.length;
      const ref = channelMeans(calib.map((_, s) => fw.value(s, floatOut.get(n.name)!)!), n.op, m);
      const got = channelMeans(outs.map((o) => o[0]), n.op, m);
      const b = inits[ql.bias];
      const bq = g.tensors[ql.bias]?.quant as QuantParams | undefined;
      const nb = new Int32Array(b.data as Int32Array);
      let changed = false;
      for (let c = 0; c < m; c++) {
        const scale = bq ? bq.scale[bq.scale.length === 1 ? 0 : c] : 0;
        if (!(scale > 0)) continue;
        const v = nb[c] + roundHalfEven((ref[c] - got[c]) / scale);
        const sat = v > 2147483647 ? 2147483647 : v < -2147483648 ? -2147483648 : v;
        if (sat !== nb[c]) { nb[c] = sat; changed = true; }
      }
      if (changed) {
        inits[ql.bias] = makeTensor('int32', b.shape, nb);
        qw.recomputeConst(dqOf.get(ql.bias)!);
        outs = calib.map((_, s) => qw.run(n, s));
      }
      record.biasCorrected = true;
    }
    return { record, outs };
  }
}

// Counts MACs and weights of a conv network straight from ModelProto bytes, with its own
// small shape propagation (Conv, MaxPool/AveragePool, and shape-preserving ops). It exists to
// check builders and hsq's importer against an independent count.
import { onnx } from 'onnx-proto';

export interface ConvStats {
  readonly name: string;
  readonly outShape: readonly number[];
  readonly macs: number;
  readonly weights: number;
  readonly biases: number;
}

export interface ModelStats {
  readonly macs: number;
  /** Conv weight elements (kernels only, no biases). */
  readonly convWeights: number;
  readonly convBiases: number;
  readonly convs: readonly ConvStats[];
  /** Shapes of graph outputs. */
  readonly outputShapes: Readonly<Record<string, readonly number[]>>;
}

const SHAPE_PRESERVING = new Set([
  'BatchNormalization', 'LeakyRelu', 'Relu', 'Sigmoid', 'Clip', 'Identity',
  'QuantizeLinear', 'DequantizeLinear',
]);

function num(v: number | { toNumber(): number } | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

function ints(n: onnx.INodeProto, key: string): number[] | undefined {
  const a = (n.attribute ?? []).find((x) => x.name === key);
  return a ? (a.ints ?? []).map(num) : undefined;
}

function intAttr(n: onnx.INodeProto, key: string, def: number): number {
  const a = (n.attribute ?? []).find((x) => x.name === key);
  return a ? num(a.i) : def;
}

function spatialOut(inp: number, k: number, s: number, d: number, p0: number, p1: number): number {
  return Math.floor((inp + p0 + p1 - d * (k - 1) - 1) / s) + 1;
}

export function modelStats(bytes: Uint8Array): ModelStats {
  const m = onnx.ModelProto.decode(bytes);
  const g = m.graph;
  if (!g) throw new Error('model has no graph');
  const shapes = new Map<string, number[]>();
  const initDims = new Map<string, number[]>();
  for (const t of g.initializer ?? []) initDims.set(t.name ?? '', (t.dims ?? []).map(num));
  for (const vi of g.input ?? []) {
    const dims = vi.type?.tensorType?.shape?.dim ?? [];
    if (!initDims.has(vi.name ?? '')) shapes.set(vi.name ?? '', dims.map((d) => num(d.dimValue)));
  }
  // A DequantizeLinear of an initializer is a constant with the initializer's shape.
  const constDims = new Map(initDims);
  const convs: ConvStats[] = [];
  for (const n of g.node ?? []) {
    const ins = n.input ?? [];
    const outs = n.output ?? [];
    if (n.opType === 'DequantizeLinear' && constDims.has(ins[0])) {
      constDims.set(outs[0], constDims.get(ins[0])!);
      continue;
    }
    const x = shapes.get(ins[0]);
    if (!x) throw new Error(`node '${n.name}' (${n.opType}): unknown shape of input '${ins[0]}'`);
    if (n.opType === 'Conv') {
      const w = constDims.get(ins[1]);
      if (!w) throw new Error(`node '${n.name}': weight '${ins[1]}' is not a constant`);
      const [M, Cg, ...k] = w;
      const group = intAttr(n, 'group', 1);
      const strides = ints(n, 'strides') ?? k.map(() => 1);
      const dil = ints(n, 'dilations') ?? k.map(() => 1);
      const pads = ints(n, 'pads') ?? k.flatMap(() => [0, 0]).slice(0, 2 * k.length);
      const sp = k.map((kk, i) => spatialOut(x[2 + i], kk, strides[i], dil[i], pads[i], pads[i + k.length]));
      const out = [x[0], M, ...sp];
      const outElems = out.reduce((a, b) => a * b, 1);
      const taps = k.reduce((a, b) => a * b, 1);
      const bias = ins[2] ? (constDims.get(ins[2]) ?? [0]).reduce((a, b) => a * b, 1) : 0;
      convs.push({ name: n.name ?? '', outShape: out, macs: outElems * Cg * taps, weights: M * Cg * taps, biases: bias });
      if (Cg * group !== x[1]) throw new Error(`node '${n.name}': weight has ${Cg}x${group} input channels, input has ${x[1]}`);
      shapes.set(outs[0], out);
    } else if (n.opType === 'MaxPool' || n.opType === 'AveragePool') {
      const k = ints(n, 'kernel_shape')!;
      const strides = ints(n, 'strides') ?? k.map(() => 1);
      const pads = ints(n, 'pads') ?? k.flatMap(() => [0, 0]);
      const sp = k.map((kk, i) => spatialOut(x[2 + i], kk, strides[i], 1, pads[i], pads[i + k.length]));
      shapes.set(outs[0], [x[0], x[1], ...sp]);
    } else if (SHAPE_PRESERVING.has(n.opType ?? '')) {
      shapes.set(outs[0], x);
    } else {
      throw new Error(`node '${n.name}': op ${n.opType} not handled by modelStats`);
    }
  }
  const outputShapes: Record<string, number[]> = {};
  for (const o of g.output ?? []) outputShapes[o.name ?? ''] = shapes.get(o.name ?? '') ?? [];
  return {
    macs: convs.reduce((a, c) => a + c.macs, 0),
    convWeights: convs.reduce((a, c) => a + c.weights, 0),
    convBiases: convs.reduce((a, c) => a + c.biases, 0),
    convs,
    outputShapes,
  };
}

// A layer as the stm32n6 constraints and cost model see it: a plain object, independent of the
// IR, so the placement pass (or a test, or the calibration networks) can build one directly.

export type NpuOp =
  | 'Conv' | 'DepthwiseConv' | 'ConvTranspose' | 'Gemm'
  | 'MaxPool' | 'AveragePool' | 'GlobalAveragePool' | 'GlobalMaxPool'
  | 'Add' | 'Sub' | 'Mul' | 'Concat'
  | 'Relu' | 'LeakyRelu' | 'Clip' | 'PRelu'
  | 'Sigmoid' | 'Tanh' | 'HardSigmoid' | 'HardSwish' | 'Softmax'
  | 'Resize' | 'Reshape' | 'Flatten' | 'Transpose' | 'Pad' | 'Slice' | 'Split'
  | 'QuantizeLinear' | 'DequantizeLinear';

export interface NpuLayerDesc {
  /** ONNX node name, for messages. */
  readonly name?: string;
  readonly op: NpuOp;
  /** NCHW (4-D) or [rows, K] (Gemm) shapes; -1 marks a dim not known. */
  readonly inputShapes: readonly (readonly number[])[];
  readonly outputShapes: readonly (readonly number[])[];
  /** [kH, kW] for convs and pools. */
  readonly kernel?: readonly [number, number];
  readonly stride?: readonly [number, number];
  readonly dilation?: readonly [number, number];
  /** [top, left, bottom, right] */
  readonly pads?: readonly [number, number, number, number];
  readonly group?: number;
  /** Conv: C_in and M; Gemm: K and N. Derived from the shapes when absent. */
  readonly inChannels?: number;
  readonly outChannels?: number;
  /** Weight numeric range and form (ops with weights). */
  readonly weightBits?: number;
  /** The weights are floating point (weightBits then 32). */
  readonly weightFloat?: boolean;
  readonly weightSigned?: boolean;
  /** Zero point 0 for every channel. */
  readonly weightSymmetric?: boolean;
  readonly perChannel?: boolean;
  /** The weight operand is an initializer (false: activation × activation, e.g. MatMul of two tensors). */
  readonly weightsConstant?: boolean;
  readonly hasBias?: boolean;
  /** A QConv/QGemm with a float bias term or a float output (docs/qat-layers.md). */
  readonly floatBias?: boolean;
  /** Activation numeric range; `actFloat` for a layer left in float. */
  readonly actBits: number;
  readonly actSigned: boolean;
  readonly actFloat?: boolean;
  /** Where only one side is float: 'outputs' for an integer layer with a float output. */
  readonly floatSide?: 'inputs' | 'outputs';
  /** Resize. */
  readonly resizeMode?: 'nearest' | 'linear' | 'cubic';
  readonly resizeScales?: readonly number[];
  /** Concat, Softmax, Split... */
  readonly axis?: number;
  /** Pad mode. */
  readonly padMode?: 'constant' | 'reflect' | 'edge' | 'wrap';
  /** Where the NPU reads and writes this layer's activations: on-chip npuRAM (default) or hyperRAM (a spill). */
  readonly activationMemory?: 'onchip' | 'hyperRam';
  /** Where the NPU streams this layer's weights from: the xSPI2 octo-flash (default) or hyperRAM. */
  readonly weightMemory?: 'flash' | 'hyperRam';
}

const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

export function elementCount(shape: readonly number[]): number {
  return prod(shape);
}

export function inChannelsOf(l: NpuLayerDesc): number {
  if (l.inChannels !== undefined) return l.inChannels;
  const s = l.inputShapes[0] ?? [];
  return l.op === 'Gemm' ? s[s.length - 1] : s[1];
}

export function outChannelsOf(l: NpuLayerDesc): number {
  if (l.outChannels !== undefined) return l.outChannels;
  const s = l.outputShapes[0] ?? [];
  return l.op === 'Gemm' ? s[s.length - 1] : s[1];
}

/** Multiply-accumulates of a layer with weights (Conv, DepthwiseConv, ConvTranspose, Gemm); 0 otherwise. */
export function layerMacs(l: NpuLayerDesc): number {
  const out = l.outputShapes[0] ?? [];
  switch (l.op) {
    case 'Conv': case 'DepthwiseConv': {
      const [kh, kw] = l.kernel ?? [1, 1];
      const g = l.op === 'DepthwiseConv' ? inChannelsOf(l) : (l.group ?? 1);
      return prod(out) * kh * kw * (inChannelsOf(l) / g);
    }
    case 'ConvTranspose': {
      const [kh, kw] = l.kernel ?? [1, 1];
      return prod(l.inputShapes[0]) * kh * kw * (outChannelsOf(l) / (l.group ?? 1));
    }
    case 'Gemm':
      return prod(out) * inChannelsOf(l);
    default:
      return 0;
  }
}

/** Number of weight values (not bytes) of a layer; 0 for ops without weights. */
export function layerWeightCount(l: NpuLayerDesc): number {
  if (l.weightsConstant === false) return 0;
  switch (l.op) {
    case 'Conv': case 'DepthwiseConv': case 'ConvTranspose': {
      const [kh, kw] = l.kernel ?? [1, 1];
      const g = l.op === 'DepthwiseConv' ? inChannelsOf(l) : (l.group ?? 1);
      return outChannelsOf(l) * (inChannelsOf(l) / g) * kh * kw;
    }
    case 'Gemm':
      return inChannelsOf(l) * outChannelsOf(l);
    default:
      return 0;
  }
}

/** Output channels that carry a bias and per-channel requantization parameters. */
export function layerBiasCount(l: NpuLayerDesc): number {
  return layerWeightCount(l) > 0 && l.hasBias !== false ? outChannelsOf(l) : 0;
}

/** Elements read and written by the layer (all inputs that are not weights, all outputs). */
export function activationElements(l: NpuLayerDesc): { in: number; out: number } {
  const ins = l.op === 'Gemm' || l.op === 'Conv' || l.op === 'DepthwiseConv' || l.op === 'ConvTranspose'
    ? l.inputShapes.slice(0, l.weightsConstant === false ? 2 : 1)
    : l.inputShapes;
  return { in: ins.reduce((a, s) => a + prod(s), 0), out: l.outputShapes.reduce((a, s) => a + prod(s), 0) };
}

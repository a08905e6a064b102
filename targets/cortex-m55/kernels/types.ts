// Plain descriptions of the layers the Cortex-M55 kernel generators accept, and what they emit.
// Independent of the IR graph: the compiler's cortex-m55 emitter fills these from QConv/QGemm.

/** A 2-D convolution, batch 1, NHWC activations, group 1, dilation 1. */
export interface ConvLayerDesc {
  /** C identifier prefix of everything emitted for the layer (function, arrays). */
  name: string;
  /** Shown in the comment above the function, e.g. the ONNX node name. */
  comment?: string;
  inH: number;
  inW: number;
  inC: number;
  outC: number;
  kH: number;
  kW: number;
  strideH: number;
  strideW: number;
  /** [top, left, bottom, right], as ONNX pads [h_begin, w_begin, h_end, w_end] reordered. */
  pads: [number, number, number, number];
  /** Integer weights in ONNX order [outC][inC][kH][kW] (OIHW), unpacked (one value a slot). */
  weights: ArrayLike<number>;
  /** Semantic weight bit width; storage is this width or wider when the values need it (pack.ts). */
  weightBits: 8 | 4 | 2 | 1;
  /** Weight zero point, per tensor or per output channel. */
  weightZeroPoint: number | ArrayLike<number>;
  /** int32 bias [outC] in units of x_scale*w_scale, or absent (0). */
  bias?: ArrayLike<number>;
  /** Activation zero point (activations are int8). */
  inputZeroPoint: number;
  /** float32 requantization multipliers (requantMultiplier in numerics.ts), per tensor or per channel. */
  multiplier: number | ArrayLike<number>;
  outputZeroPoint: number;
  /** Output clamp after requantization (narrowed by a fused Relu/Clip). */
  qmin: number;
  qmax: number;
  /** Output container. */
  outputType: 'int8' | 'uint8';
  /** Optional float32 term per output channel added after the multiplier, before rounding:
   *  y = saturate(roundHalfEven(float(acc) * m + floatBias) + zp) (QONNX float biases). */
  floatBias?: ArrayLike<number>;
  /** BipolarQuant output: y = +1 where float(acc) * m (+ floatBias) >= 0, else -1 (w1a1 kernels only). */
  bipolarOutput?: boolean;
}

/** A fully connected layer y[N] = x[K] · W[K][N] (QGemm with batch 1). */
export interface FcLayerDesc {
  name: string;
  comment?: string;
  inFeatures: number;
  outFeatures: number;
  /** Integer weights [K][N] (the IR's QGemm layout), unpacked. */
  weights: ArrayLike<number>;
  weightBits: 8 | 4 | 2 | 1;
  weightZeroPoint: number | ArrayLike<number>;
  bias?: ArrayLike<number>;
  inputZeroPoint: number;
  multiplier: number | ArrayLike<number>;
  outputZeroPoint: number;
  qmin: number;
  qmax: number;
  outputType: 'int8' | 'uint8';
  floatBias?: ArrayLike<number>;
  /** BipolarQuant output: y = +1 where float(acc) * m (+ floatBias) >= 0, else -1 (w1a1 kernels only). */
  bipolarOutput?: boolean;
}

/** A constant array the generated C references as `extern const <ctype> <symbol>[]`. */
export interface ConstArray {
  symbol: string;
  ctype: 'int8_t' | 'int32_t' | 'float';
  /** Little-endian bytes. */
  bytes: Uint8Array;
  /** Required alignment in bytes. */
  align: number;
  /** Large arrays (weights) can go to external memory; small ones (bias, scales) are hot. */
  kind: 'weights' | 'params';
}

export interface GeneratedKernel {
  /** The entry point: `void <fn>(const int8_t *x, <out> *y, int8_t *scratch)`. */
  fn: string;
  prototype: string;
  /** One C translation unit: includes, extern declarations, helpers, the function. Needs
   *  runtime-c/m55/hsq_m55_kernels.h on the include path. Builds with and without MVE. */
  source: string;
  arrays: ConstArray[];
  /** Bytes of the 16-byte-aligned scratch buffer the function needs (MVE: int32 accumulators of
   *  one pixel block, then the border-window patches; the scalar path uses a prefix). */
  scratchBytes: number;
  /** Bytes of x read and y written (NHWC). */
  inputBytes: number;
  outputBytes: number;
  /** Multiply-accumulates of the layer, outH*outW*outC*kH*kW*inC (padding taps included, the
   *  usual convention of instructions-per-MAC figures). */
  macs: number;
  /** Storage bits actually used for the weights. */
  storageBits: 8 | 4 | 2 | 1;
}

// Quantized convolutions on NHWC int8/uint8 activations via hsq_qconv: hsq QConv, ONNX
// QLinearConv and ConvInteger (raw int32 accumulators). acc = bias + Σ (x - zx)(w - zw[m]),
// padding taps skipped; requantize(acc, requantMultiplier(sx, sw[m], sy), zy, qmin, qmax).
import { perChannel } from '../../../ops/lib/quant-params';
import { accumulatorQuant } from '../../../ops/lib/hsq-quant';
import { requantMultiplier } from '../../../core/numerics';
import { intRange } from '../../../core/ir/dtype';
import { Tensor, toNumbers } from '../../../core/ir/tensor';
import { NodeContext, OpEmitter } from '../context';
import { ctype } from '../ctypes';
import { channelsLastIO, convGeometry, reorderWeights } from './conv';
import { packRows } from './qweights';
import { convStruct } from './util';

/** Everything a quantized conv/gemm kernel call needs, independent of the source op. */
export interface QLayer {
  readonly xUnsigned: boolean;
  readonly zx: number;
  readonly w: Tensor;
  readonly wBits: number;              // declared precision of the weights
  readonly zw: Float64Array;           // per output channel
  readonly mult?: Float32Array;        // per output channel (undefined: raw accumulators)
  readonly zy: number;
  readonly lo: number;
  readonly hi: number;
  readonly yKind: YKind;
  readonly bias?: Int32Array;
  /** Float term per output channel after the multiplier (docs/qat-layers.md). */
  readonly floatBias?: Float32Array;
  /** Output is the sign (QONNX BipolarQuant), int8 {-1, +1}. */
  readonly bipolarY?: boolean;
}

type YKind = 'HSQ_Y_S8' | 'HSQ_Y_U8' | 'HSQ_Y_ACC' | 'HSQ_Y_F32';

const MAX_UNPACK_BYTES = 16384;
/** Patch path of hsq_qconv: int16 patches of at most this many bytes (1 to 8 pixels), weight
 * blocks of 8/16-bit rows that stay in L2, sub-byte rows unpacked up to PATCH_UNPACK_BYTES. */
const PATCH_BYTES = 32768;
const PATCH_WEIGHT_BLOCK_BYTES = 262144;
const PATCH_UNPACK_BYTES = 65536;

/**
 * Emits the weights, bias, multipliers and the hsq_qparams_t; returns their C expressions.
 * `patch`: a group-1 conv that uses hsq_qconv's patch path (rows are [KH][KW][C] patches).
 */
export function emitQParams(ctx: NodeContext, L: QLayer, rows: number, rowLen: number, values: Int32Array, patch = false) {
  const packed = packRows(values, rows, rowLen, L.wBits);
  const wType = packed.bits === 16 ? 'int16_t' : packed.bits === 8 ? 'int8_t' : 'uint8_t';
  const wp = ctx.weight(packed.bytes, wType);
  const bp = L.bias ? ctx.weightArray(L.bias, 'int32_t') : 'NULL';
  const mult = L.mult ?? new Float32Array([1]);
  const perChannelMult = mult.some((v) => v !== mult[0]);
  const mp = ctx.weightArray(perChannelMult ? mult : mult.subarray(0, 1).slice(), 'float');
  const len = Math.max(rowLen, 1);
  const fit = (bytes: number, per: number) => Math.max(1, Math.min(rows, Math.floor(bytes / per)));
  const px = patch ? Math.max(1, Math.min(8, Math.floor(PATCH_BYTES / (2 * len)))) : 0;
  const mblock = packed.bits < 8 ? fit(patch ? PATCH_UNPACK_BYTES : MAX_UNPACK_BYTES, len)
    : patch ? fit(PATCH_WEIGHT_BLOCK_BYTES, len * (packed.bits / 8)) : rows;
  const unpackBytes = packed.bits < 8 ? Math.ceil((mblock * rowLen) / 16) * 16 : 0;
  const scratchBytes = unpackBytes + px * rowLen * 2;
  const scratch = scratchBytes > 0 ? ctx.scratch(scratchBytes, 'int8_t') : 'NULL';
  // Designated initialisers: the emitted line says which number is which field.
  const fields: [string, string | number][] = [
    ['x_unsigned', L.xUnsigned ? 1 : 0], ['y_kind', L.yKind], ['zx', L.zx], ['zy', L.zy], ['qmin', L.lo], ['qmax', L.hi],
    ['wbits', packed.bits], ['wmul', packed.mul], ['wadd', packed.add], ['row_bytes', packed.rowBytes], ['mblock', mblock],
    ['per_channel', perChannelMult ? 1 : 0], ['patch', px], ['y_bipolar', L.bipolarY ? 1 : 0],
  ];

  const q = ctx.addStatic('q', (s) => `static const hsq_qparams_t ${s} = { ${fields.map(([k, v]) => `.${k} = ${v}`).join(', ')} }; /* ${packed.bits}-bit weights${packed.bits < 8 ? ` (value = code * ${packed.mul} + ${packed.add})` : ''}${px ? `; patches of ${px} pixels` : ''} */`);
  if (L.floatBias) {
    // The float term lives in the weight blob, whose address is known at run time only.
    const fb = ctx.weightArray(L.floatBias, 'float');
    ctx.emit(`  hsq_qparams_t ${q}_f = ${q}; /* with the float bias term */`);
    ctx.emit(`  ${q}_f.fbias = ${fb};`);
    return { wp, bp, mp, scratch, q: `${q}_f`, packed };
  }
  return { wp, bp, mp, scratch, q, packed };
}

export function yKindOf(dtype: string): YKind {
  if (dtype === 'int8') return 'HSQ_Y_S8';
  if (dtype === 'float32') return 'HSQ_Y_F32';
  if (dtype === 'uint8') return 'HSQ_Y_U8';
  if (dtype === 'int32') return 'HSQ_Y_ACC';
  throw new Error(`quantized output container ${dtype}`);
}

function scalar(t: Tensor | undefined, def: number): number {
  return t && t.data.length ? toNumbers(t)[0] : def;
}

function emitQConvLayer(ctx: NodeContext, L: QLayer, wIndex: number): void {
  const x = ctx.in(0), y = ctx.out(0);
  const p = convGeometry(ctx, x.shape, L.w.shape);
  const Cg = p.C / p.group;
  const rowLen = p.KH * p.KW * Cg;
  const values = reorderWeights(toNumbers(L.w), p, new Int32Array(p.M * rowLen), (m) => L.zw[m]);
  const { wp, bp, mp, scratch, q } = emitQParams(ctx, L, p.M, rowLen, values, p.group === 1);
  const conv = ctx.addStatic('conv', (s) => `static const hsq_conv_t ${s} = ${convStruct(p)};`);
  const io = channelsLastIO(ctx, ctype(x.dtype).name, ctype(y.dtype).name);
  ctx.emit(`  hsq_qconv(&${conv}, &${q}, ${io.x}, ${wp}, ${bp}, ${mp}, ${io.y}, ${scratch});`);
  io.finish();
  void wIndex;
}

/**
 * The QLayer of an hsq QConv/QGemm from its tensors' quantization: per-tensor input and output,
 * per-channel weights (`channels` of them), requantization multipliers, clamp and bias.
 */
export function qLayerOf(ctx: NodeContext, channels: number, axis: 0 | 1): QLayer {
  const xi = ctx.in(0), yi = ctx.out(0);
  const q = accumulatorQuant(ctx.node, xi, ctx.in(1), yi, yi.dtype, channels, axis);
  return {
    xUnsigned: xi.dtype === 'uint8', zx: q.x.zero, w: ctx.constValue(1), wBits: q.w.bipolar ? 1 : q.w.bits, zw: q.wZero, mult: q.multiplier,
    zy: q.y.zero, lo: q.mode === 'float' ? 0 : q.lo, hi: q.mode === 'float' ? 0 : q.hi, yKind: yKindOf(yi.dtype),
    bias: ctx.has(2) ? Int32Array.from(ctx.constValue(2).data as Int32Array) : undefined,
    floatBias: ctx.has(3) ? Float32Array.from(ctx.constValue(3).data as Float32Array) : undefined,
    bipolarY: q.mode === 'bipolar',
  };
}

export const emitQConv: OpEmitter = (ctx) => emitQConvLayer(ctx, qLayerOf(ctx, ctx.constValue(1).shape[0], 0), 1);

export const emitQLinearConv: OpEmitter = (ctx) => {
  const n = ctx.node;
  const xi = ctx.in(0), yi = ctx.out(0);
  const w = ctx.constValue(3);
  const M = w.shape[0];
  const sx = scalar(ctx.constValue(1), 1), zx = ctx.has(2) ? scalar(ctx.constValue(2), 0) : 0;
  const sw = perChannel(n.name, 'w_scale', ctx.constValue(4).data, M, 1);
  const zw = perChannel(n.name, 'w_zero_point', ctx.has(5) ? ctx.constValue(5).data : undefined, M, 0);
  const sy = scalar(ctx.constValue(6), 1), zy = ctx.has(7) ? scalar(ctx.constValue(7), 0) : 0;
  const [lo, hi] = intRange(yi.dtype);
  const mult = Float32Array.from(sw, (s) => requantMultiplier(sx, s, sy));
  emitQConvLayer(ctx, {
    xUnsigned: xi.dtype === 'uint8', zx, w, wBits: 8, zw, mult, zy, lo, hi, yKind: yKindOf(yi.dtype),
    bias: ctx.has(8) ? Int32Array.from(ctx.constValue(8).data as Int32Array) : undefined,
  }, 3);
};

export const emitConvInteger: OpEmitter = (ctx) => {
  const n = ctx.node;
  const xi = ctx.in(0);
  const w = ctx.constValue(1);
  const M = w.shape[0];
  const zx = ctx.has(2) ? scalar(ctx.constValue(2), 0) : 0;
  const zw = perChannel(n.name, 'w_zero_point', ctx.has(3) ? ctx.constValue(3).data : undefined, M, 0);
  emitQConvLayer(ctx, { xUnsigned: xi.dtype === 'uint8', zx, w, wBits: 8, zw, zy: 0, lo: 0, hi: 0, yKind: 'HSQ_Y_ACC' }, 1);
};

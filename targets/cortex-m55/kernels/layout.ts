// Offline weight relayout for the Cortex-M55 conv/FC kernels.
//
// Weights (w - zw) are stored per block of MB output channels, row by row (one row = one ky:
// kW*inC contiguous NHWC elements), in chunks: 16 int8 elements (8-bit) or 32 int4 elements
// (4-bit) per channel per chunk, the channels of a block interleaved chunk by chunk:
//   blob = [block][ky][chunk][channel in block][16 bytes]
// so one post-incremented pointer walks a whole block. Rows are padded with zero weights to a
// whole chunk. 4-bit chunks: byte k holds element k in its low nibble and element k+16 in its
// high nibble, so (b << 4) and (b & 0xF0) give 16*w for lanes 0-15 and 16-31 with no gather.
import type { ConvLayerDesc } from './types';

export interface WeightLayout {
  storageBits: 8 | 4;
  /** Elements per chunk (16 or 32) and chunks per row. */
  chunkElems: number;
  rowElems: number;
  fullChunks: number;
  tailElems: number;
  chunksPerRow: number;
  /** Channels per block and the sizes of the blocks in order. */
  blockChannels: number;
  blocks: number[];
  blob: Uint8Array;
  /** bias - zx * Σ(w - zw): the accumulator start for a window without padding taps. */
  biasFolded: Int32Array;
}

export class KernelDescError extends Error {}

// Cached: jest's sandbox makes global lookups in hot loops many times slower.
const isInteger = Number.isInteger;

function perChannel(v: number | ArrayLike<number>, n: number, layer: string, key: string): number[] {
  if (typeof v === 'number') return new Array(n).fill(v);
  if (v.length !== n && v.length !== 1) throw new KernelDescError(`layer ${layer}: ${key} has ${v.length} values, expected 1 or ${n}`);
  return Array.from({ length: n }, (_, i) => v[v.length === 1 ? 0 : i]);
}

/** (w - zw) in [oc][ky][kx][ci] order, and the storage width that holds every value. */
export function centeredWeights(d: ConvLayerDesc): { w: Int32Array; storageBits: 8 | 4 } {
  const { outC: M, inC: C, kH, kW } = d;
  const n = M * C * kH * kW;
  if (d.weights.length !== n) throw new KernelDescError(`layer ${d.name}: weights has ${d.weights.length} values, expected ${n} (outC*inC*kH*kW)`);
  const zw = perChannel(d.weightZeroPoint, M, d.name, 'weightZeroPoint');
  const weights = d.weights;
  const w = new Int32Array(n);
  let lo = 0;
  let hi = 0;
  for (let m = 0; m < M; m++)
    for (let ci = 0; ci < C; ci++)
      for (let ky = 0; ky < kH; ky++)
        for (let kx = 0; kx < kW; kx++) {
          const v = weights[((m * C + ci) * kH + ky) * kW + kx] - zw[m];
          if (!isInteger(v)) throw new KernelDescError(`layer ${d.name}: weights must be integers`);
          w[((m * kH + ky) * kW + kx) * C + ci] = v;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
  if (lo < -128 || hi > 127)
    throw new KernelDescError(`layer ${d.name}: weights minus zero point span [${lo}, ${hi}], which int8 storage cannot hold`);
  const storageBits = d.weightBits < 8 && lo >= -8 && hi <= 7 ? 4 : 8;
  return { w, storageBits };
}

export function layoutWeights(d: ConvLayerDesc, blockChannels: number): WeightLayout {
  const { w, storageBits } = centeredWeights(d);
  const { outC: M, inC: C, kH, kW } = d;
  const chunkElems = storageBits === 8 ? 16 : 32;
  const rowElems = kW * C;
  const fullChunks = Math.floor(rowElems / chunkElems);
  const tailElems = rowElems % chunkElems;
  const chunksPerRow = fullChunks + (tailElems ? 1 : 0);
  const blocks: number[] = [];
  for (let m = 0; m < M; m += blockChannels) blocks.push(Math.min(blockChannels, M - m));
  const blob = new Uint8Array(M * kH * chunksPerRow * 16);
  let o = 0;
  let m0 = 0;
  for (const mb of blocks) {
    for (let ky = 0; ky < kH; ky++)
      for (let j = 0; j < chunksPerRow; j++)
        for (let c = 0; c < mb; c++) {
          const row = ((m0 + c) * kH + ky) * rowElems;
          for (let k = 0; k < 16; k++) {
            if (storageBits === 8) {
              const e = j * 16 + k;
              blob[o++] = e < rowElems ? w[row + e] & 0xff : 0;
            } else {
              const e = j * 32 + k;
              const lo4 = e < rowElems ? w[row + e] & 0x0f : 0;
              const hi4 = e + 16 < rowElems ? w[row + e + 16] & 0x0f : 0;
              blob[o++] = lo4 | (hi4 << 4);
            }
          }
        }
    m0 += mb;
  }
  const bias = d.bias ? perChannel(d.bias, M, d.name, 'bias') : new Array(M).fill(0);
  const biasFolded = new Int32Array(M);
  const perM = kH * rowElems;
  for (let m = 0; m < M; m++) {
    let s = 0;
    for (let i = 0; i < perM; i++) s += w[m * perM + i];
    const v = bias[m] - d.inputZeroPoint * s;
    if (!isInteger(bias[m]) || v < -(2 ** 31) || v >= 2 ** 31) throw new KernelDescError(`layer ${d.name}: bias[${m}] minus the folded input zero point overflows int32`);
    biasFolded[m] = v;
  }
  return { storageBits, chunkElems, rowElems, fullChunks, tailElems, chunksPerRow, blockChannels, blocks, blob, biasFolded };
}

export { perChannel };

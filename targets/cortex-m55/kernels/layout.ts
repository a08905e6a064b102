// Centered weights of a conv/FC layer for the Cortex-M55 kernels: w - zw in [oc][ky][kx][ci]
// order (one kernel row ky is kW*inC contiguous NHWC elements, like a row of the input window),
// and the accumulator start bias - zx * sum(w - zw) of a window without padding taps (border
// windows are copied into patches filled with zx, so the same start holds everywhere).
// How the centered weights are packed for the kernels: conv-plan.ts and pack.ts.
import type { ConvLayerDesc } from './types';
import { KernelDescError, perChannel } from './errors';

export { KernelDescError, perChannel };

// Cached: jest's sandbox makes global lookups in hot loops many times slower.
const isInteger = Number.isInteger;

/** (w - zw) in [oc][ky][kx][ci] order, with its range. */
export function centeredWeights(d: ConvLayerDesc): { w: Int32Array; lo: number; hi: number } {
  const { outC: M, inC: C, kH, kW } = d;
  const n = M * C * kH * kW;
  if (d.weights.length !== n) throw new KernelDescError(`layer '${d.name}': weights has ${d.weights.length} values, expected ${n} (outC*inC*kH*kW)`);
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
          if (!isInteger(v)) throw new KernelDescError(`layer '${d.name}': weights must be integers`);
          w[((m * kH + ky) * kW + kx) * C + ci] = v;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
  if (lo < -128 || hi > 127)
    throw new KernelDescError(`layer '${d.name}': weights minus zero point span [${lo}, ${hi}], which int8 storage cannot hold`);
  return { w, lo, hi };
}

/** bias - zx * sum(w - zw) per output channel (int32, checked). */
export function foldedBias(d: ConvLayerDesc, w: Int32Array): Int32Array {
  const M = d.outC;
  const bias = d.bias ? perChannel(d.bias, M, d.name, 'bias') : new Array(M).fill(0);
  const out = new Int32Array(M);
  const perM = w.length / M;
  for (let m = 0; m < M; m++) {
    let s = 0;
    for (let i = 0; i < perM; i++) s += w[m * perM + i];
    const v = bias[m] - d.inputZeroPoint * s;
    if (!isInteger(bias[m]) || v < -(2 ** 31) || v >= 2 ** 31) throw new KernelDescError(`layer '${d.name}': bias[${m}] minus the folded input zero point overflows int32`);
    out[m] = v;
  }
  return out;
}

// Straightforward TypeScript reference of a ConvLayerDesc, from the QConv definition in
// docs/ir.md (NHWC activations here): acc = bias + Σ (x - zx)(w - zw) over in-image taps,
// y = requantize(acc) from numerics.ts; with a float term b: saturate(roundHalfEven(
// float(float(acc) * m) + b) + zp), each operation rounded to float32. The generated kernels
// must equal it bit for bit.
import { requantize, roundHalfEven } from '../../../core/numerics';
import { perChannel } from './layout';
import { outH, outW } from './conv';
import type { ConvLayerDesc } from './types';

export function referenceConv(d: ConvLayerDesc, x: Int8Array): Int8Array | Uint8Array {
  const oh = outH(d);
  const ow = outW(d);
  const { inH: H, inW: W, inC: C, outC: M, kH, kW } = d;
  const zw = perChannel(d.weightZeroPoint, M, d.name, 'weightZeroPoint');
  const mult = perChannel(d.multiplier, M, d.name, 'multiplier');
  const fb = d.floatBias ? perChannel(d.floatBias, M, d.name, 'floatBias').map(Math.fround) : undefined;
  const fround = Math.fround;
  const y = d.outputType === 'int8' ? new Int8Array(oh * ow * M) : new Uint8Array(oh * ow * M);
  for (let oy = 0; oy < oh; oy++)
    for (let ox = 0; ox < ow; ox++)
      for (let m = 0; m < M; m++) {
        let acc = d.bias ? d.bias[m] : 0;
        for (let ky = 0; ky < kH; ky++) {
          const iy = oy * d.strideH - d.pads[0] + ky;
          if (iy < 0 || iy >= H) continue;
          for (let kx = 0; kx < kW; kx++) {
            const ix = ox * d.strideW - d.pads[1] + kx;
            if (ix < 0 || ix >= W) continue;
            const xo = (iy * W + ix) * C;
            for (let ci = 0; ci < C; ci++)
              acc += (x[xo + ci] - d.inputZeroPoint) * (d.weights[((m * C + ci) * kH + ky) * kW + kx] - zw[m]);
          }
        }
        acc |= 0; // int32 accumulator
        if (!fb) y[(oy * ow + ox) * M + m] = requantize(acc, mult[m], d.outputZeroPoint, d.qmin, d.qmax);
        else {
          const v = roundHalfEven(fround(fround(fround(acc) * mult[m]) + fb[m])) + d.outputZeroPoint;
          y[(oy * ow + ox) * M + m] = v < d.qmin ? d.qmin : v > d.qmax ? d.qmax : v;
        }
      }
  return y;
}

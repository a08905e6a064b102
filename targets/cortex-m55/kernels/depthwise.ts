// Generator of Cortex-M55 depthwise conv kernels (group = inC = outC, channel multiplier 1),
// NHWC int8 activations, one C function per layer with every shape a constant; an MVE path
// (intrinsics, 4 channels a vector in int32 lanes, tail-predicated) and a portable scalar path,
// both bit-exact with numerics.ts.
//
// Weights (w - zw) are stored [kH][kW][C] so the taps of 4 neighbouring channels are one
// widening load, like the activations. A window without padding taps starts from
// bias - zx Σw (folded offline) and accumulates x·w; a border window starts from the bias and
// accumulates (x - zx)·w over its valid taps only (padding contributes 0, docs/ir.md).
import { perChannel, KernelDescError } from './layout';
import { outH, outW } from './conv';
import type { ConstArray, ConvLayerDesc, GeneratedKernel } from './types';

function le32(values: ArrayLike<number>, float: boolean): Uint8Array {
  const b = new Uint8Array(values.length * 4);
  const v = new DataView(b.buffer);
  for (let i = 0; i < values.length; i++) float ? v.setFloat32(i * 4, values[i], true) : v.setInt32(i * 4, values[i], true);
  return b;
}

/** `d` with inC = outC = channels and weights [C][1][kH][kW]. */
export function generateDepthwise(d: ConvLayerDesc): GeneratedKernel {
  const C = d.inC;
  if (d.outC !== C) throw new KernelDescError(`layer ${d.name}: depthwise needs outC = inC (channel multiplier 1)`);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(d.name)) throw new KernelDescError(`layer ${d.name}: name must be a C identifier`);
  if (!Number.isInteger(d.inputZeroPoint) || d.inputZeroPoint < -128 || d.inputZeroPoint > 127) throw new KernelDescError(`layer ${d.name}: inputZeroPoint must be an int8 value`);
  const { kH, kW } = d;
  const taps = kH * kW;
  if (d.weights.length !== C * taps) throw new KernelDescError(`layer ${d.name}: weights has ${d.weights.length} values, expected ${C * taps}`);
  const oh = outH(d), ow = outW(d);
  if (oh < 1 || ow < 1) throw new KernelDescError(`layer ${d.name}: empty output`);
  const zw = perChannel(d.weightZeroPoint, C, d.name, 'weightZeroPoint');
  const mult = perChannel(d.multiplier, C, d.name, 'multiplier');
  for (const m of mult) if (!Number.isFinite(m) || Math.fround(m) !== m) throw new KernelDescError(`layer ${d.name}: multiplier ${m} is not a finite float32`);
  const bias = d.bias ? perChannel(d.bias, C, d.name, 'bias') : new Array<number>(C).fill(0);
  const w = new Int8Array(taps * C);
  const folded = new Int32Array(C);
  for (let c = 0; c < C; c++) {
    let s = 0;
    for (let t = 0; t < taps; t++) {
      const v = d.weights[c * taps + t] - zw[c];
      if (!Number.isInteger(v) || v < -128 || v > 127) throw new KernelDescError(`layer ${d.name}: weights minus zero point leave int8`);
      w[t * C + c] = v;
      s += v;
    }
    const f = bias[c] - d.inputZeroPoint * s;
    if (!Number.isInteger(bias[c]) || f < -(2 ** 31) || f >= 2 ** 31) throw new KernelDescError(`layer ${d.name}: bias[${c}] minus the folded input zero point overflows int32`);
    folded[c] = f;
  }
  const N = d.name;
  const outT = d.outputType === 'int8' ? 'int8_t' : 'uint8_t';
  const prototype = `void ${N}(const int8_t *x, ${outT} *y, int8_t *scratch)`;
  const [pt, pl] = d.pads;
  const zx = d.inputZeroPoint;
  const arrays: ConstArray[] = [
    { symbol: `${N}_w`, ctype: 'int8_t', bytes: new Uint8Array(w.buffer), align: 16, kind: 'weights' },
    { symbol: `${N}_b`, ctype: 'int32_t', bytes: le32(folded, false), align: 4, kind: 'params' },
    { symbol: `${N}_b0`, ctype: 'int32_t', bytes: le32(bias, false), align: 4, kind: 'params' },
    { symbol: `${N}_m`, ctype: 'float', bytes: le32(mult, true), align: 4, kind: 'params' },
  ];
  const scratchBytes = Math.ceil((C * 4) / 16) * 16;
  const macs = oh * ow * C * taps;
  const window = [
    `  for (int oy = 0; oy < ${oh}; oy++) {`,
    `    const int iy0 = oy * ${d.strideH} - ${pt};`,
    `    const int ky0 = iy0 < 0 ? -iy0 : 0;`,
    `    const int ky1 = iy0 + ${kH} > ${d.inH} ? ${d.inH} - iy0 : ${kH};`,
    `    for (int ox = 0; ox < ${ow}; ox++) {`,
    `      const int ix0 = ox * ${d.strideW} - ${pl};`,
    `      const int kx0 = ix0 < 0 ? -ix0 : 0;`,
    `      const int kx1 = ix0 + ${kW} > ${d.inW} ? ${d.inW} - ix0 : ${kW};`,
    `      const int full = ky0 == 0 && ky1 == ${kH} && kx0 == 0 && kx1 == ${kW};`,
    `      const int xo = (iy0 * ${d.inW} + ix0) * ${C}; /* window origin (may lie outside the image) */`,
    `      ${outT} *yp = y + (oy * ${ow} + ox) * ${C};`,
  ];
  const source = [
    `/* ${d.comment ?? N}: depthwise conv ${kH}x${kW} stride ${d.strideH}x${d.strideW} pads [${d.pads.join(', ')}],`,
    ` * x ${d.inH}x${d.inW}x${C} int8 (zp ${zx}) -> y ${oh}x${ow}x${C} ${d.outputType} (zp ${d.outputZeroPoint}, clamp [${d.qmin}, ${d.qmax}]), NHWC.`,
    ` * w8a8 (weights stored as int8 [kH][kW][C]), ${macs} MACs. MVE: 4 channels a vector (int32 lanes).`,
    ` * scratch: ${scratchBytes} bytes, 16-byte aligned (accumulators). Generated by hsq (targets/cortex-m55/kernels/depthwise.ts). */`,
    '#include <stdint.h>',
    '#include "hsq_m55_kernels.h"',
    '',
    `extern const int8_t ${N}_w[${w.length}];`,
    `extern const int32_t ${N}_b[${C}];`,
    `extern const int32_t ${N}_b0[${C}];`,
    `extern const float ${N}_m[${C}];`,
    '',
    '#if defined(__ARM_FEATURE_MVE)',
    `${prototype} {`,
    '  int32_t *acc = (int32_t *)scratch;',
    ...window,
    `      for (int c = 0; c < ${C}; c += 4) {`,
    `        const mve_pred16_t p = vctp32q((uint32_t)(${C} - c));`,
    '        int32x4_t a = vdupq_n_s32(0);',
    '        if (full) {',
    `          for (int t = 0; t < ${taps}; t++) {`,
    `            const int ky = t / ${kW}, kx = t % ${kW};`,
    `            const int32x4_t xv = vldrbq_z_s32(x + (xo + (ky * ${d.inW} + kx) * ${C} + c), p);`,
    `            a = vaddq_s32(a, vmulq_s32(xv, vldrbq_z_s32(${N}_w + t * ${C} + c, p)));`,
    '          }',
    '        } else {',
    '          for (int ky = ky0; ky < ky1; ky++)',
    '            for (int kx = kx0; kx < kx1; kx++) {',
    `              const int32x4_t xv = vsubq_n_s32(vldrbq_z_s32(x + (xo + (ky * ${d.inW} + kx) * ${C} + c), p), ${zx});`,
    `              a = vaddq_s32(a, vmulq_s32(xv, vldrbq_z_s32(${N}_w + (ky * ${kW} + kx) * ${C} + c, p)));`,
    '            }',
    '        }',
    '        vstrwq_p_s32(acc + c, a, p);',
    '      }',
    `      hsq_m55_requant_row(acc, full ? ${N}_b : ${N}_b0, ${N}_m, ${C}, 0, ${d.outputZeroPoint}, ${d.qmin}, ${d.qmax}, yp);`,
    '    }',
    '  }',
    '}',
    '#else /* portable scalar path */',
    `${prototype} {`,
    '  (void)scratch;',
    ...window,
    `      for (int c = 0; c < ${C}; c++) {`,
    '        int32_t a;',
    '        if (full) {',
    `          a = ${N}_b[c];`,
    `          for (int t = 0; t < ${taps}; t++)`,
    `            a += (int32_t)x[xo + ((t / ${kW}) * ${d.inW} + t % ${kW}) * ${C} + c] * ${N}_w[t * ${C} + c];`,
    '        } else {',
    `          a = ${N}_b0[c];`,
    '          for (int ky = ky0; ky < ky1; ky++)',
    '            for (int kx = kx0; kx < kx1; kx++)',
    `              a += ((int32_t)x[xo + (ky * ${d.inW} + kx) * ${C} + c] - ${zx}) * ${N}_w[(ky * ${kW} + kx) * ${C} + c];`,
    '        }',
    `        yp[c] = (${outT})hsq_m55_requant(a, ${N}_m[c], ${d.outputZeroPoint}, ${d.qmin}, ${d.qmax});`,
    '      }',
    '    }',
    '  }',
    '}',
    '#endif',
    '',
  ].join('\n');
  return {
    fn: N, prototype, source, arrays, scratchBytes, macs, storageBits: 8,
    inputBytes: d.inH * d.inW * C, outputBytes: oh * ow * C,
  };
}

// Portable C path of the conv/FC kernels (builds without MVE): one output pixel at a time, the
// same weight blob walked in the plan's order, each field unpacked exactly as the Helium code
// does (hsq_m55_unpack), so the raw accumulators and their requantization are the same numbers.
import { rowUnits, type ConvPlan } from './conv-plan';

/** Static tables the scalar walk reads: per block size, each step slot's channel and tap; per
 *  output channel, whether its fields are left-aligned. */
function tables(plan: ConvPlan, N: string): string[] {
  const out: string[] = [];
  for (const [mb, s] of plan.shapes) {
    out.push(`static const uint8_t ${N}_slot_c${mb}[${s.slots.length}] = {${s.slots.map((x) => x.c).join(', ')}};`);
    out.push(`static const uint8_t ${N}_slot_kx${mb}[${s.slots.length}] = {${s.slots.map((x) => x.kx).join(', ')}};`);
  }
  out.push(`static const uint8_t ${N}_left[${plan.d.outC}] = {${plan.align.map((a) => (a === 'left' ? 1 : 0)).join(', ')}};`);
  return out;
}

/** `static void <fname>(x, rs, y)`: pixel window at x (rows `rs` bytes apart), every channel. */
export function emitScalarPixelFn(plan: ConvPlan, names: { N: string; outT: string }, fname: string): string {
  const { d, G, bits } = plan;
  const { N, outT } = names;
  const C = d.inC;
  const o: string[] = [...tables(plan, N), ''];
  o.push(`static void ${fname}(const int8_t *x, int32_t rs, ${outT} *y) {`);
  o.push(`  const uint8_t *w = (const uint8_t *)${N}_w;`);
  o.push(`  int32_t raw[${plan.MB}];`);
  if (plan.sCoef) o.push(`  const int32_t s = hsq_m55_sum_rows(x, rs, ${d.kH}, ${d.kW * C});`);
  let m0 = 0;
  let bi = 0;
  while (bi < plan.blocks.length) {
    const mb = plan.blocks[bi];
    let nb = 0;
    while (bi + nb < plan.blocks.length && plan.blocks[bi + nb] === mb) nb++;
    const shape = plan.shapes.get(mb)!;
    const V = shape.slots.length;
    const units = rowUnits(plan, mb);
    const nFull = units.filter((u) => u === shape.L).length;
    const shortLen = units.length > nFull ? units[units.length - 1] : shape.L;
    o.push(`  for (int m = ${m0}; m < ${m0 + nb * mb}; m += ${mb}) {`);
    o.push(`    for (int c = 0; c < ${mb}; c++) raw[c] = 0;`);
    o.push(`    for (int ky = 0; ky < ${d.kH}; ky++) {`);
    o.push(`      const int8_t *row = x + ky * rs;`);
    o.push(`      int j = 0;`);
    o.push(`      for (int u = 0; u < ${units.length}; u++) {`);
    o.push(`        const int n = (u < ${nFull} ? ${shape.L} : ${shortLen}) * ${V};`);
    o.push(`        for (int k = 0; k < n; k++) {`);
    o.push(`          const int sl = k % ${V}, c = ${N}_slot_c${mb}[sl], jj = j + k / ${V}, f = k % ${G};`);
    o.push(`          const uint8_t *wd = w + (k / ${G}) * 16;`);
    if (plan.mode === 'slide') {
      o.push(`          const int8_t *xs = row + ${N}_slot_kx${mb}[sl] * ${C} + jj * 16;`);
      o.push(`          const int nl = 16;`);
    } else {
      o.push(`          const int8_t *xs = row + jj * 16;`);
      o.push(`          const int nl = ${plan.rowElems} - jj * 16 < 16 ? ${plan.rowElems} - jj * 16 : 16;`);
    }
    o.push(`          int32_t t = 0;`);
    if (plan.packing === 'digit') {
      // Field c % G of word c / G (units are one step): an unsigned digit, signed in the top field.
      o.push(`          const uint8_t *dw = w + (c / ${G}) * 16;`);
      o.push(`          const int df = c % ${G};`);
      o.push(`          (void)wd; (void)f;`);
      o.push(`          for (int l = 0; l < nl; l++) t += (int32_t)xs[l] * hsq_m55_digit(dw[l], ${bits}, df, df == ${G - 1});`);
    } else {
      o.push(`          const int left = ${N}_left[m + c];`);
      o.push(`          for (int l = 0; l < nl; l++) t += (int32_t)xs[l] * hsq_m55_unpack(wd[l], ${bits}, f, left);`);
    }
    o.push(`          raw[c] += t;`);
    o.push(`        }`);
    o.push(plan.packing === 'digit' ? `        w += ${Math.ceil(mb / G) * 16};` : `        w += ((n + ${G - 1}) / ${G}) * 16;`);
    o.push(`        j += n / ${V};`);
    o.push(`      }`, `    }`);
    o.push(`    for (int c = 0; c < ${mb}; c++) {`);
    const terms = [`${plan.R === 1 ? '' : `${plan.R} * `}raw[c]`, `${N}_bt[m + c]`];
    if (plan.sCoef) terms.push(plan.uniformCoef !== undefined ? `${plan.uniformCoef} * s` : `${N}_sc[m + c] * s`);
    const fb = plan.floatBias ? `${N}_fb[m + c]` : '0.0f';
    o.push(`      y[m + c] = (${outT})hsq_m55_requant_x(${terms.join(' + ')}, ${N}_m[m + c], ${fb}, ${plan.floatBias ? 1 : 0}, ${d.outputZeroPoint}, ${d.qmin}, ${d.qmax});`);
    o.push(`    }`, `  }`);
    m0 += nb * mb;
    bi += nb;
  }
  o.push('}');
  return o.join('\n');
}

// Portable C path of the conv/FC kernels (builds without MVE): one output pixel at a time, the
// same weight blob walked in the plan's order, each field unpacked exactly as the Helium code
// does (the same shifts and masks on one byte), so the raw accumulators and their
// requantization are the same numbers. Each unit's slots are unrolled, so the fields, taps and
// alignments are constants and the unpacking compiles to fixed shifts.
import { digitWords, hasBiasT, passUnits, type ConvPlan } from './conv-plan';
import { unpackC } from './pack';

/** The C statements of one unit of Lu steps starting at pass step `g` (a C variable). */
function unitBody(plan: ConvPlan, mb: number, m0: number, Lu: number, ind: string): string[] {
  const { d, G, bits } = plan;
  const shape = plan.shapes.get(mb)!;
  const V = shape.slots.length;
  const o: string[] = [];
  const S = plan.steps;
  const nl = (t: number) => (plan.mode === 'rows' && plan.tail < 16 ? `((g + ${t}) % ${S} == ${S - 1} ? ${plan.tail} : 16)` : '16');
  const mac = (t: number, kx: number, c: number, val: string) => {
    const xs = `x + ((g + ${t}) / ${S}) * rs + ((g + ${t}) % ${S}) * 16${plan.mode === 'slide' && kx ? ` + ${kx * d.inC}` : ''}`;
    o.push(`${ind}{ const int8_t *xs = ${xs}; int32_t t = 0;`);
    o.push(`${ind}  for (int l = 0; l < ${nl(t)}; l++) t += (int32_t)xs[l] * ${val};`);
    o.push(`${ind}  r${c} += t; }`);
  };
  if (plan.packing === 'digit') {
    const words = digitWords(plan, mb);
    for (let t = 0; t < Lu; t++)
      for (let c = 0; c < mb; c++) {
        const f = c % G;
        const b = `w[${(t * words + Math.floor(c / G)) * 16} + l]`;
        // Field f: an unsigned digit, or signed in the word's top field.
        mac(t, 0, c, f === G - 1 ? `((int8_t)${b} >> ${8 - bits})` : `((${b} >> ${bits * f}) & ${(1 << bits) - 1})`);
      }
    return o;
  }
  for (let k = 0; k < Lu * V; k++) {
    const t = Math.floor(k / V);
    const { c, kx } = shape.slots[k % V];
    mac(t, kx, c, unpackC(`w[${Math.floor(k / G) * 16} + l]`, bits, k % G, plan.align[m0 + c]));
  }
  return o;
}

/** Bytes of weights one unit of Lu steps reads. */
function unitBytes(plan: ConvPlan, mb: number, Lu: number): number {
  if (plan.packing === 'digit') return Lu * digitWords(plan, mb) * 16;
  return Math.ceil((Lu * plan.shapes.get(mb)!.slots.length) / plan.G) * 16;
}

/** `static void <fname>(x, rs, y)`: pixel window at x (rows `rs` bytes apart), every channel. */
export function emitScalarPixelFn(plan: ConvPlan, names: { N: string; outT: string }, fname: string): string {
  const { d } = plan;
  const { N, outT } = names;
  const o: string[] = [];
  o.push(`static void __attribute__((noinline)) ${fname}(const int8_t *x, int32_t rs, ${outT} *y) {`);
  o.push(`  const uint8_t *w = (const uint8_t *)${N}_w;`);
  if (plan.sCoef) o.push(`  const int32_t s = hsq_m55_sum_rows(x, rs, ${d.kH}, ${d.kW * d.inC});`);
  let m0 = 0;
  let bi = 0;
  while (bi < plan.blocks.length) {
    const mb = plan.blocks[bi];
    let nb = 0;
    while (bi + nb < plan.blocks.length && plan.blocks[bi + nb] === mb) nb++;
    const shape = plan.shapes.get(mb)!;
    const units = passUnits(plan, mb);
    const nFull = units.filter((u) => u.n === shape.L).length;
    o.push(`  for (int m = ${m0}; m < ${m0 + nb * mb}; m += ${mb}) {`);
    o.push(`    int32_t ${Array.from({ length: mb }, (_, c) => `r${c} = 0`).join(', ')};`);
    o.push(`    int g = 0;`);
    if (nFull) {
      o.push(`    for (int u = 0; u < ${nFull}; u++, g += ${shape.L}, w += ${unitBytes(plan, mb, shape.L)}) {`);
      o.push(...unitBody(plan, mb, m0, shape.L, '      '));
      o.push('    }');
    }
    if (units.length > nFull) {
      const Lu = units[units.length - 1].n;
      o.push('    {');
      o.push(...unitBody(plan, mb, m0, Lu, '      '));
      o.push(`      w += ${unitBytes(plan, mb, Lu)};`);
      o.push('    }');
    }
    o.push('    (void)g;');
    for (let c = 0; c < mb; c++) {
      const terms = [`${plan.R === 1 ? '' : `${plan.R} * `}r${c}`, ...(hasBiasT(plan) ? [`${N}_bt[m + ${c}]`] : [])];
      if (plan.sCoef) terms.push(plan.uniformCoef !== undefined ? `${plan.uniformCoef} * s` : `${N}_sc[m + ${c}] * s`);
      const fb = plan.floatBias ? `${N}_fb[m + ${c}]` : '0.0f';
      o.push(`    y[m + ${c}] = (${outT})hsq_m55_requant_x(${terms.join(' + ')}, ${N}_m[m + ${c}], ${fb}, ${plan.floatBias ? 1 : 0}, ${d.outputZeroPoint}, ${d.qmin}, ${d.qmax});`);
    }
    o.push('  }');
    m0 += nb * mb;
    bi += nb;
  }
  o.push('}');
  return o.join('\n');
}

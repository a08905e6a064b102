// Helium (MVE) code of the conv/FC kernels: one inline-asm block per pass (P pixels x one
// channel block), scheduled by schedule.ts. A kernel row's units run as straight code, or, when
// the row is long, as first unit + low-overhead loop (DLS/LE) over the middle units + the rest;
// the loop is software-pipelined (the next unit's first loads issue in this unit's last MAC
// shadows), and each straight part ends with the loads the next part starts from.
import { rowUnits, type BlockShape, type ConvPlan } from './conv-plan';
import { topMask, unpackSteps } from './pack';
import { pipelineLoop, scheduleOps, type MveOp } from './schedule';

/** Loop the middle units of a row when there are at least this many. */
const LOOP_MIN = 3;

const acc = (i: number, c: number) => `a${i}_${c}`;
const ptr = (p: number) => `p${p}`;

/** Number of x vectors (and x pointers) of a pass with P pixels. */
export const xCount = (plan: ConvPlan, P: number): number => (plan.mode === 'slide' ? P + plan.d.kW - 1 : P);

function load(q: string, p: string): MveOp {
  return { asm: `vldrb.u8 ${q}, [%[${p}]], #16`, unit: 'ld', defs: [q, p], uses: [p] };
}

/** x loads of a row's short last step: zero-predicated (lanes past the row end read as 0). */
function tailLoads(plan: ConvPlan, nx: number): MveOp[] {
  const ops: MveOp[] = [];
  for (let p0 = 0; p0 < nx; p0 += 4) {
    const n = Math.min(4, nx - p0);
    const lines = [`mov lr, #${plan.tail}`, 'vctp.8 lr', `vpst${'t'.repeat(n - 1)}`];
    const defs: string[] = ['lr', 'vpr'];
    const uses: string[] = [];
    for (let p = p0; p < p0 + n; p++) {
      lines.push(`vldrbt.u8 ${plan.regs.x[p]}, [%[${ptr(p)}]], #16`);
      defs.push(plan.regs.x[p], ptr(p));
      uses.push(ptr(p));
    }
    ops.push({ asm: lines.join('\n'), unit: 'ld', defs, uses, size: lines.length });
  }
  return ops;
}

/** The ops of one unit of `Lu` steps in plain order; `tailStep`: index of a short step or -1. */
function unitOps(plan: ConvPlan, shape: BlockShape, m0: number, Lu: number, P: number, tailStep: number): MveOp[] {
  const { regs, G, bits } = plan;
  const nx = xCount(plan, P);
  const V = shape.slots.length;
  const ops: MveOp[] = [];
  for (let t = 0; t < Lu; t++) {
    if (t === tailStep) ops.push(...tailLoads(plan, nx));
    else for (let p = 0; p < nx; p++) ops.push(load(regs.x[p], ptr(p)));
    for (let s = 0; s < V; s++) {
      const k = t * V + s;
      const { c, kx } = shape.slots[s];
      const f = k % G;
      const W = regs.W[Math.floor(k / G) % regs.W.length];
      if (f === 0) ops.push(load(W, 'w'));
      let D = W;
      if (bits < 8) {
        D = regs.D[k % 2];
        for (const st of unpackSteps(bits, f, plan.align[m0 + c])) {
          const src = st.src === 'W' ? W : D;
          if (st.op === 'vand') ops.push({ asm: `vand ${D}, ${src}, ${regs.mask}`, unit: 'alu', defs: [D], uses: [src, regs.mask!] });
          else ops.push({ asm: `${st.op} ${D}, ${src}, #${st.imm}`, unit: 'alu', defs: [D], uses: [src] });
        }
      }
      for (let i = 0; i < P; i++) {
        const x = regs.x[plan.mode === 'slide' ? i + kx : i];
        ops.push({ asm: `vmladava.s8 %[${acc(i, c)}], ${x}, ${D}`, unit: 'mac', defs: [acc(i, c)], uses: [acc(i, c), x, D] });
      }
    }
  }
  return ops;
}

/** Add `adv` bytes to every x pointer (between kernel rows). */
function advance(nx: number, adv: number, inReg: boolean): MveOp[] {
  if (adv === 0) return [];
  return Array.from({ length: nx }, (_, p) => {
    const asm = inReg ? `add %[${ptr(p)}], %[${ptr(p)}], %[adv]` : adv > 0 ? `addw %[${ptr(p)}], %[${ptr(p)}], #${adv}` : `subw %[${ptr(p)}], %[${ptr(p)}], #${-adv}`;
    return { asm, unit: 'int', defs: [ptr(p)], uses: inReg ? [ptr(p), 'adv'] : [ptr(p)] } as MveOp;
  });
}

export interface PassAsm {
  readonly lines: string[];
  /** The row advance does not fit an immediate: pass it as operand %[adv]. */
  readonly advInReg: boolean;
  readonly adv: number;
  readonly usesLr: boolean;
}

/** The asm body of one pass over all kernel rows (`rowStride`: bytes between window rows). */
export function passAsm(plan: ConvPlan, shape: BlockShape, m0: number, P: number, rowStride: number): PassAsm {
  const nx = xCount(plan, P);
  const adv = rowStride - 16 * plan.steps;
  const advInReg = Math.abs(adv) > 4095;
  const lines: string[] = [];
  if (plan.regs.mask) lines.push(`vmov.i8 ${plan.regs.mask}, #0x${topMask(plan.bits).toString(16)}`);
  let pending: MveOp[] = [];
  let usesLr = plan.tail < 16 && plan.mode === 'rows';
  const flush = () => {
    for (const op of scheduleOps(pending)) lines.push(...op.asm.split('\n'));
    pending = [];
  };
  const units = rowUnits(plan, shape.mb);
  const short = plan.tail < 16;
  const n = units.length;
  // The last unit that is full and has no short step: a loop may run up to it.
  let r = n - 1;
  while (r >= 0 && (units[r] !== shape.L || (short && r === n - 1))) r--;
  const tailOf = (u: number) => (short && u === n - 1 ? units[u] - 1 : -1);
  for (let ky = 0; ky < plan.d.kH; ky++) {
    if (r - 1 >= LOOP_MIN) {
      const bodyOps = unitOps(plan, shape, m0, shape.L, P, -1);
      const pl = pipelineLoop(bodyOps);
      pending.push(...unitOps(plan, shape, m0, units[0], P, tailOf(0)), ...pl.rotated);
      flush();
      lines.push(`movw lr, #${r - 1}`, 'dls lr, lr', '1:');
      for (const op of pl.body) lines.push(...op.asm.split('\n'));
      lines.push('le lr, 1b');
      usesLr = true;
      const rotated = new Set(pl.rotated);
      const peeled = unitOps(plan, shape, m0, shape.L, P, -1);
      pending.push(...peeled.filter((_, i) => !rotated.has(bodyOps[i])));
      for (let u = r + 1; u < n; u++) pending.push(...unitOps(plan, shape, m0, units[u], P, tailOf(u)));
    } else for (let u = 0; u < n; u++) pending.push(...unitOps(plan, shape, m0, units[u], P, tailOf(u)));
    if (ky + 1 < plan.d.kH) pending.push(...advance(nx, adv, advInReg));
  }
  flush();
  return { lines, advInReg, adv, usesLr };
}

/** Clobbered Q registers of the kernel's asm blocks. */
export function clobberedQ(plan: ConvPlan, P: number): string[] {
  const r = plan.regs;
  const qs = [...r.x.slice(0, xCount(plan, P)), ...r.W, ...r.D, ...(r.mask ? [r.mask] : [])];
  return [...new Set(qs)].sort();
}

/** `static void <fname>(...)`: P pixels, every channel, then their requantization. */
export function emitMveBlockFn(plan: ConvPlan, names: { N: string; outT: string }, fname: string, P: number, rowStride: number, requant: (i: number) => string): string {
  const { d } = plan;
  const { N, outT } = names;
  const slide = plan.mode === 'slide';
  const nx = xCount(plan, P);
  const xArgs = slide ? ['const int8_t *x'] : Array.from({ length: P }, (_, i) => `const int8_t *x${i}`);
  const out: string[] = [];
  out.push(`static void __attribute__((noinline)) ${fname}(${[...xArgs, `${outT} *y`, 'int32_t *acc'].join(', ')}) {`);
  out.push(`  const int8_t *w = ${N}_w;`);
  if (plan.sCoef) {
    // Window sums S of the P pixels (the weights' offsets need them).
    for (let i = 0; i < P; i++)
      out.push(`  const int32_t s${i} = hsq_m55_sum_rows(${slide ? `x + ${i * d.inC}` : `x${i}`}, ${rowStride}, ${d.kH}, ${d.kW * d.inC});`);
  }
  let m0 = 0;
  let bi = 0;
  while (bi < plan.blocks.length) {
    const mb = plan.blocks[bi];
    let nb = 0;
    while (bi + nb < plan.blocks.length && plan.blocks[bi + nb] === mb) nb++;
    const shape = plan.shapes.get(mb)!;
    const pa = passAsm(plan, shape, m0, P, rowStride);
    const loop = nb > 1;
    const ind = loop ? '    ' : '  ';
    out.push(loop ? `  for (int m = ${m0}; m < ${m0 + nb * mb}; m += ${mb}) {` : '  {');
    if (!loop) out.push(`${ind}const int m = ${m0};`);
    for (let i = 0; i < P; i++) for (let c = 0; c < mb; c++) out.push(`${ind}int32_t ${acc(i, c)} = 0;`);
    for (let p = 0; p < nx; p++) out.push(`${ind}const int8_t *${ptr(p)} = ${slide ? (p ? `x + ${p * d.inC}` : 'x') : `x${p}`};`);
    out.push(`${ind}__asm volatile(`);
    for (const l of pa.lines) out.push(`${ind}    "${l}\\n"`);
    const outs = [
      ...Array.from({ length: P * mb }, (_, k) => `[${acc(Math.floor(k / mb), k % mb)}] "+Te"(${acc(Math.floor(k / mb), k % mb)})`),
      ...Array.from({ length: nx }, (_, p) => `[${ptr(p)}] "+r"(${ptr(p)})`),
      '[w] "+r"(w)',
    ];
    const ins = pa.advInReg ? [`[adv] "r"(${pa.adv})`] : [];
    const clobbers = [...clobberedQ(plan, P).map((q) => `"${q}"`), ...(pa.usesLr ? ['"lr"'] : []), '"memory"'];
    out.push(`${ind}    : ${outs.join(', ')}`, `${ind}    : ${ins.join(', ')}`, `${ind}    : ${clobbers.join(', ')});`);
    for (let i = 0; i < P; i++) for (let c = 0; c < mb; c++) out.push(`${ind}acc[${i * d.outC} + m + ${c}] = ${acc(i, c)};`);
    out.push('  }');
    m0 += nb * mb;
    bi += nb;
  }
  for (let i = 0; i < P; i++) out.push(`  ${requant(i)}`);
  out.push('}');
  return out.join('\n');
}

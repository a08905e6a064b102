// Helium (MVE) code of the conv/FC kernels: one inline-asm block per pass (P pixels x one
// channel block), scheduled by schedule.ts. A kernel row's units run as straight code, or, when
// the row is long, as first unit + low-overhead loop (DLS/LE) over the middle units + the rest;
// the loop is software-pipelined (the next unit's first loads issue in this unit's last MAC
// shadows), and each straight part ends with the loads the next part starts from.
import { digitWords, passUnits, type BlockShape, type ConvPlan, type Unit } from './conv-plan';
import { topMask, unpackSteps } from './pack';
import { cycles, pipelineLoop, scheduleOps, type MveOp } from './schedule';

/** Loop the middle units of a row when there are at least this many. */
const LOOP_MIN = 3;

const acc = (i: number, c: number) => `a${i}_${c}`;
const ptr = (p: number) => `p${p}`;

/** Number of x vectors (input positions, one pointer each) of a pass with P pixels. */
export const xCount = (plan: ConvPlan, P: number): number => (plan.mode === 'slide' ? P + plan.d.kW - 1 : P);

/** x register of input position p (slide mode may reuse registers: p modulo their count). */
const xReg = (plan: ConvPlan, p: number): string => plan.regs.x[p % plan.regs.x.length];

/**
 * The address registers of a pass. Rows mode: one per pixel. Slide mode: the input positions in
 * groups around an anchor, loaded as [anchor, #(p - anchor) * inC] (VLDRW: +-508 bytes, so the
 * x tensor must be 4-byte aligned, as arena tensors are), the anchor's own load post-incrementing
 * the pointer; one pointer for inC <= 127, fewer registers than one a position.
 */
export interface XPointers {
  readonly names: string[];
  /** Pointer of each position, and its offset from the pointer at the start of a step. */
  readonly of: { ptr: number; off: number }[];
  /** Position each pointer starts at. */
  readonly anchor: number[];
}

export function xPointers(plan: ConvPlan, P: number): XPointers {
  const nx = xCount(plan, P);
  if (plan.mode !== 'slide') return { names: Array.from({ length: nx }, (_, p) => ptr(p)), of: Array.from({ length: nx }, (_, p) => ({ ptr: p, off: 0 })), anchor: Array.from({ length: nx }, (_, p) => p) };
  const C = plan.d.inC;
  const span = 2 * Math.floor(508 / C) + 1;
  const names: string[] = [];
  const of: { ptr: number; off: number }[] = [];
  const anchor: number[] = [];
  for (let s = 0; s < nx; s += span) {
    const len = Math.min(span, nx - s);
    const a = s + Math.floor((len - 1) / 2);
    for (let p = s; p < s + len; p++) of.push({ ptr: names.length, off: (p - a) * C });
    anchor.push(a);
    names.push(`g${names.length}`);
  }
  return { names, of, anchor };
}

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
      lines.push(`vldrbt.u8 ${xReg(plan, p)}, [%[${ptr(p)}]], #16`);
      defs.push(xReg(plan, p), ptr(p));
      uses.push(ptr(p));
    }
    ops.push({ asm: lines.join('\n'), unit: 'ld', defs, uses, size: lines.length });
  }
  return ops;
}

/** Whether the unit's step t starts a kernel row after the first (the x pointers advance). */
const rowStart = (plan: ConvPlan, u: Unit, t: number) => u.g0 + t > 0 && (u.g0 + t) % plan.steps === 0;
/** Whether step t of the unit is a row's short last step (rows mode). */
const tailAt = (plan: ConvPlan, u: Unit, t: number) => plan.tail < 16 && (u.g0 + t) % plan.steps === plan.steps - 1;

/** The ops of one unit in plain order; `adv`: the row-advance ops, before a new row's loads. */
function unitOps(plan: ConvPlan, shape: BlockShape, m0: number, u: Unit, P: number, adv: () => MveOp[]): MveOp[] {
  const Lu = u.n;
  const { regs, G, bits } = plan;
  const nx = xCount(plan, P);
  const xp = xPointers(plan, P);
  // A slide-mode position loads at its offset from the group pointer; the anchor's load
  // post-increments the pointer, so it comes after the group's other loads of the step (a
  // position loaded after it, one sharing a register, uses the offset minus 16).
  const bumped = new Set<number>();
  const xLoad = (p: number): MveOp => {
    if (plan.mode !== 'slide') return load(xReg(plan, p), ptr(p));
    const { ptr: g, off } = xp.of[p];
    const name = xp.names[g];
    const q = xReg(plan, p);
    if (xp.anchor[g] === p) {
      bumped.add(g);
      return { asm: `vldrw.u32 ${q}, [%[${name}]], #16`, unit: 'ld', defs: [q, name], uses: [name] };
    }
    const o = off - (bumped.has(g) ? 16 : 0);
    return { asm: `vldrw.u32 ${q}, [%[${name}]${o ? `, #${o}` : ''}]`, unit: 'ld', defs: [q], uses: [name] };
  };
  /** The step-start loads: positions with their own register, anchors after their group. */
  const startLoads = (n: number): MveOp[] => {
    const ps = Array.from({ length: n }, (_, p) => p);
    const isAnchor = (p: number) => plan.mode === 'slide' && xp.anchor[xp.of[p].ptr] === p;
    return [...ps.filter((p) => !isAnchor(p)), ...ps.filter(isAnchor)].map(xLoad);
  };
  const V = shape.slots.length;
  const ops: MveOp[] = [];
  const nr = regs.x.length;
  if (plan.packing === 'digit') {
    // Per step: the x vectors, then per word its fields' views B >> (bits * f) (f = 0: B).
    for (let t = 0; t < Lu; t++) {
      if (rowStart(plan, u, t)) ops.push(...adv());
      if (tailAt(plan, u, t)) ops.push(...tailLoads(plan, nx));
      else ops.push(...startLoads(nx));
      let k = 0;
      for (let wi = 0; wi < digitWords(plan, shape.mb); wi++) {
        const W = regs.W[wi % regs.W.length];
        ops.push(load(W, 'w'));
        for (let f = 0; f < G && wi * G + f < shape.mb; f++, k++) {
          const c = wi * G + f;
          let D = W;
          if (f > 0) {
            D = regs.D[k % 2];
            ops.push({ asm: `vshr.s8 ${D}, ${W}, #${bits * f}`, unit: 'alu', defs: [D], uses: [W] });
          }
          for (let i = 0; i < P; i++)
            ops.push({ asm: `vmladava.s8 %[${acc(i, c)}], ${xReg(plan, i)}, ${D}`, unit: 'mac', defs: [acc(i, c)], uses: [acc(i, c), xReg(plan, i), D] });
        }
      }
    }
    return ops;
  }
  for (let t = 0; t < Lu; t++) {
    // Positions with a register of their own load first; a position sharing the register of
    // position p - nr loads right before the first tap that reads it (after p - nr's last use).
    bumped.clear();
    if (rowStart(plan, u, t)) ops.push(...adv());
    const tailStep = tailAt(plan, u, t);
    if (tailStep) ops.push(...tailLoads(plan, nx));
    else ops.push(...startLoads(Math.min(nx, nr)));
    for (let s = 0; s < V; s++) {
      const k = t * V + s;
      const { c, kx } = shape.slots[s];
      if (!tailStep && (s === 0 || shape.slots[s - 1].kx !== kx))
        for (let p = nr; p < nx; p++) if (p - P + 1 === kx) ops.push(xLoad(p));
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
        const x = xReg(plan, plan.mode === 'slide' ? i + kx : i);
        ops.push({ asm: `vmladava.s8 %[${acc(i, c)}], ${x}, ${D}`, unit: 'mac', defs: [acc(i, c)], uses: [acc(i, c), x, D] });
      }
    }
  }
  return ops;
}

/** Add `adv` bytes to every x pointer (between kernel rows). */
function advance(names: readonly string[], adv: number, inReg: boolean): MveOp[] {
  if (adv === 0) return [];
  return names.map((r) => {
    const asm = inReg ? `add %[${r}], %[${r}], %[adv]` : adv > 0 ? `addw %[${r}], %[${r}], #${adv}` : `subw %[${r}], %[${r}], #${-adv}`;
    return { asm, unit: 'int', defs: [r], uses: inReg ? [r, 'adv'] : [r] } as MveOp;
  });
}

export interface PassAsm {
  readonly lines: string[];
  /** Model cycles of the pass (schedule.ts), to compare plans. */
  readonly cycles: number;
  /** The row advance does not fit an immediate: pass it as operand %[adv]. */
  readonly advInReg: boolean;
  readonly adv: number;
  readonly usesLr: boolean;
}

/** The asm body of one pass over all kernel rows (`rowStride`: bytes between window rows). */
export function passAsm(plan: ConvPlan, shape: BlockShape, m0: number, P: number, rowStride: number): PassAsm {
  const adv = rowStride - 16 * plan.steps;
  const advInReg = Math.abs(adv) > 4095;
  const lines: string[] = [];
  if (plan.regs.mask) lines.push(`vmov.i8 ${plan.regs.mask}, #0x${topMask(plan.bits).toString(16)}`);
  let pending: MveOp[] = [];
  let usesLr = plan.tail < 16 && plan.mode === 'rows';
  let total = 0;
  const flush = () => {
    const sched = scheduleOps(pending);
    total += cycles(sched);
    for (const op of sched) lines.push(...op.asm.split('\n'));
    pending = [];
  };
  const rowAdv = () => advance(xPointers(plan, P).names, adv, advInReg);
  const units = passUnits(plan, shape.mb);
  const ops = (u: Unit) => unitOps(plan, shape, m0, u, P, rowAdv);
  // Units that can run in a loop: full, inside one row, no row start and no short step (their
  // ops are then all the same).
  const loopable = units.map((u) => u.n === shape.L && Array.from({ length: u.n }, (_, t) => !rowStart(plan, u, t) && !tailAt(plan, u, t)).every(Boolean)
    && Math.floor(u.g0 / plan.steps) === Math.floor((u.g0 + u.n - 1) / plan.steps));
  for (let i = 0; i < units.length; ) {
    let e = i;
    while (e < units.length && loopable[e]) e++;
    // A run of loopable units [i, e): first straight, a loop over the middle, last straight.
    if (e - i - 2 >= LOOP_MIN) {
      const bodyOps = ops(units[i + 1]);
      const pl = pipelineLoop(bodyOps);
      pending.push(...ops(units[i]), ...pl.rotated);
      flush();
      lines.push(`movw lr, #${e - i - 2}`, 'dls lr, lr', '1:');
      for (const op of pl.body) lines.push(...op.asm.split('\n'));
      lines.push('le lr, 1b');
      total += pl.cycles * (e - i - 2);
      usesLr = true;
      const rotated = new Set(pl.rotated);
      pending.push(...ops(units[e - 1]).filter((_, k) => !rotated.has(bodyOps[k])));
      i = e;
    } else {
      pending.push(...ops(units[i]));
      i++;
    }
  }
  flush();
  return { lines, cycles: total, advInReg, adv, usesLr };
}

/** Model cycles of one pass of the widest block over the whole window (comparing plans). */
export function passCycles(plan: ConvPlan): number {
  const mb = plan.blocks[0];
  return passAsm(plan, plan.shapes.get(mb)!, 0, plan.P, plan.mode === 'slide' ? plan.d.inW * plan.d.inC : plan.rowElems).cycles;
}

/** Clobbered Q registers of the kernel's asm blocks. */
export function clobberedQ(plan: ConvPlan, P: number): string[] {
  const r = plan.regs;
  const qs = [...r.x.slice(0, Math.min(r.x.length, xCount(plan, P))), ...r.W, ...r.D, ...(r.mask ? [r.mask] : [])];
  return [...new Set(qs)].sort();
}

/**
 * C (MVE intrinsics) for s0..s{P-1}, the window sums the weights' offsets need. Slide mode sums
 * each input position once per kernel row (P+kW-1 positions instead of P*kW windows), then adds
 * kW of them per pixel; rows mode sums each pixel's window rows.
 */
function windowSums(plan: ConvPlan, P: number, rowStride: number): string[] {
  const { d } = plan;
  const C = d.inC;
  const o: string[] = [];
  const chunks = (base: string, n: number, acc: string) => {
    const lines: string[] = [];
    for (let j = 0; j < n; j += 16) {
      const rem = n - j;
      lines.push(rem >= 16 ? `      ${acc} = vaddvaq_s8(${acc}, vldrbq_s8(${base} + ${j}));` : `      ${acc} = vaddvaq_s8(${acc}, vldrbq_z_s8(${base} + ${j}, vctp8q(${rem})));`);
    }
    return lines;
  };
  if (plan.mode === 'slide') {
    const nx = xCount(plan, P);
    o.push(`  int32_t ${Array.from({ length: nx }, (_, p) => `c${p} = 0`).join(', ')};`);
    o.push(`  for (int ky = 0; ky < ${d.kH}; ky++) {`, `    const int8_t *r = x + ky * ${rowStride};`);
    for (let p = 0; p < nx; p++) o.push(...chunks(`r + ${p * C}`, C, `c${p}`).map((l) => l.slice(2)));
    o.push('  }');
    for (let i = 0; i < P; i++) o.push(`  const int32_t s${i} = ${Array.from({ length: d.kW }, (_, kx) => `c${i + kx}`).join(' + ')};`);
  } else {
    o.push(`  int32_t ${Array.from({ length: P }, (_, i) => `s${i} = 0`).join(', ')};`);
    o.push(`  for (int ky = 0; ky < ${d.kH}; ky++) {`);
    for (let i = 0; i < P; i++) o.push(...chunks(`x${i} + ky * ${rowStride}`, d.kW * C, `s${i}`).map((l) => l.slice(2)));
    o.push('  }');
  }
  return o;
}

/** Whether the window-sum term goes into the accumulators' start (slice packing, one
 *  coefficient for every channel, R = 1) rather than into the requantization. */
export const foldS = (plan: ConvPlan): boolean => plan.packing === 'slice' && plan.uniformCoef !== undefined && plan.R === 1;

/** `static void <fname>(...)`: P pixels, every channel, then their requantization. */
export function emitMveBlockFn(plan: ConvPlan, names: { N: string; outT: string }, fname: string, P: number, rowStride: number, requant: (i: number) => string): string {
  const { d } = plan;
  const { N, outT } = names;
  const slide = plan.mode === 'slide';
  const xp = xPointers(plan, P);
  const xArgs = slide ? ['const int8_t *x'] : Array.from({ length: P }, (_, i) => `const int8_t *x${i}`);
  const out: string[] = [];
  out.push(`static void __attribute__((noinline)) ${fname}(${[...xArgs, `${outT} *y`, 'int32_t *acc'].join(', ')}) {`);
  out.push(`  const int8_t *w = ${N}_w;`);
  if (plan.sCoef) {
    out.push(...windowSums(plan, P, rowStride));
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
    // A window-sum term common to all channels starts the accumulators (R = 1: X = raw + biasT).
    const init = (i: number) => (foldS(plan) ? `${plan.uniformCoef} * s${i}` : '0');
    for (let i = 0; i < P; i++) for (let c = 0; c < mb; c++) out.push(`${ind}int32_t ${acc(i, c)} = ${init(i)};`);
    xp.names.forEach((r, g) => out.push(`${ind}const int8_t *${r} = ${slide ? (xp.anchor[g] ? `x + ${xp.anchor[g] * d.inC}` : 'x') : `x${g}`};`));
    out.push(`${ind}__asm volatile(`);
    for (const l of pa.lines) out.push(`${ind}    "${l}\\n"`);
    const outs = [
      ...Array.from({ length: P * mb }, (_, k) => `[${acc(Math.floor(k / mb), k % mb)}] "+Te"(${acc(Math.floor(k / mb), k % mb)})`),
      ...xp.names.map((r) => `[${r}] "+r"(${r})`),
      '[w] "+r"(w)',
    ];
    const ins = pa.advInReg ? [`[adv] "r"(${pa.adv})`] : [];
    const clobbers = [...clobberedQ(plan, P).map((q) => `"${q}"`), ...(pa.usesLr ? ['"lr"'] : []), '"memory"'];
    out.push(`${ind}    : ${outs.join(', ')}`, `${ind}    : ${ins.join(', ')}`, `${ind}    : ${clobbers.join(', ')});`);
    if (plan.packing === 'digit')
      // Views to channels: field f's sum is its view's minus 2^bits times the next field's.
      for (let i = 0; i < P; i++)
        for (let c = 0; c < mb; c++)
          if ((c + 1) % plan.G !== 0 && c + 1 < mb) out.push(`${ind}${acc(i, c)} -= ${acc(i, c + 1)} * ${1 << plan.bits};`);
    for (let i = 0; i < P; i++) for (let c = 0; c < mb; c++) out.push(`${ind}acc[${i * d.outC} + m + ${c}] = ${acc(i, c)};`);
    out.push('  }');
    m0 += nb * mb;
    bi += nb;
  }
  for (let i = 0; i < P; i++) out.push(`  ${requant(i)}`);
  out.push('}');
  return out.join('\n');
}

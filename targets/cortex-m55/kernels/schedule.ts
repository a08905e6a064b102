// Instruction scheduling for the generated Helium inner loops. The Cortex-M55 issues in order;
// a 128-bit vector instruction occupies its unit (MAC/reduce, load/store, integer ALU) for two
// cycles (dual-beat), and the next instruction may start one cycle later if it uses another
// unit. So a VMLADAVA hides exactly one load or unpack issued right after it, and a loop runs at
// the MAC floor (2 cycles a VMLADAVA) only when loads and unpacks alternate with the MACs.
// (llvm-mca-19 -mcpu=cortex-m55 models the same rules; the bench measures with it.)
//
// The generators write each loop body in a plain order (loads, unpacks, MACs); this module
// reorders it with a list scheduler over a small model of those rules, and for a loop body
// chooses which loads to rotate into the previous iteration (software pipelining), so the next
// iteration's data arrives in the shadows of this iteration's last MACs.

export type Unit = 'mac' | 'ld' | 'alu' | 'sys' | 'int';

export interface MveOp {
  /** One instruction; operands may be inline-asm placeholders (%[p0]). */
  readonly asm: string;
  readonly unit: Unit;
  /** Registers (Q registers q0..q7, or names of C operands) written and read. */
  readonly defs: readonly string[];
  readonly uses: readonly string[];
  /** Instructions in `asm` when it is a fixed group (a VPT block with its predicated loads). */
  readonly size?: number;
}

/** Cycles a unit stays busy and cycles until the result can be read. */
const BUSY: Record<Unit, number> = { mac: 2, ld: 2, alu: 2, sys: 1, int: 1 };
const LATENCY: Record<Unit, number> = { mac: 2, ld: 1, alu: 1, sys: 1, int: 1 };

interface Dep {
  readonly from: number;
  readonly lat: number;
}

/** Dependencies of each op on earlier ops: read after write (latency of the producer), write
 *  after read and write after write (order only). */
function dependencies(ops: readonly MveOp[]): Dep[][] {
  const lastDef = new Map<string, number>();
  const readsSince = new Map<string, number[]>();
  return ops.map((op, j) => {
    const deps: Dep[] = [];
    for (const r of op.uses) {
      const d = lastDef.get(r);
      if (d !== undefined) deps.push({ from: d, lat: LATENCY[ops[d].unit] });
    }
    for (const r of op.defs) {
      const d = lastDef.get(r);
      if (d !== undefined) deps.push({ from: d, lat: 0 });
      for (const u of readsSince.get(r) ?? []) if (u !== j) deps.push({ from: u, lat: 0 });
    }
    for (const r of op.uses) (readsSince.get(r) ?? readsSince.set(r, []).get(r)!).push(j);
    for (const r of op.defs) {
      lastDef.set(r, j);
      readsSince.set(r, []);
    }
    return deps;
  });
}

/** Issue cycle of each op when `ops` run in this order. */
export function issueTimes(ops: readonly MveOp[]): number[] {
  const deps = dependencies(ops);
  const unitFree: Record<Unit, number> = { mac: 0, ld: 0, alu: 0, sys: 0, int: 0 };
  const t: number[] = [];
  let last = -1;
  ops.forEach((op, j) => {
    let e = Math.max(last + 1, unitFree[op.unit]);
    for (const d of deps[j]) e = Math.max(e, t[d.from] + d.lat);
    t.push(e);
    const extra = (op.size ?? 1) - 1;
    unitFree[op.unit] = e + extra + BUSY[op.unit];
    last = e + extra;
  });
  return t;
}

/** Cycles of `ops` in this order, to the cycle after the last one issues. */
export function cycles(ops: readonly MveOp[]): number {
  const t = issueTimes(ops);
  return t.length ? t[t.length - 1] + 1 : 0;
}

/**
 * Reorder `ops` (respecting their dependencies) for the in-order model: at each step the op that
 * can issue earliest; on a tie a MAC (the bottleneck unit), then the earliest in the given order.
 */
export function scheduleOps(ops: readonly MveOp[]): MveOp[] {
  const n = ops.length;
  const deps = dependencies(ops);
  const users: number[][] = ops.map(() => []);
  deps.forEach((ds, j) => ds.forEach((d) => users[d.from].push(j)));
  // Urgency of an op: the position of the first MAC that (transitively) needs its result; ops
  // no MAC of this list needs (the next iteration's loads) come last.
  const need = new Array<number>(n).fill(Infinity);
  for (let j = n - 1; j >= 0; j--) {
    if (ops[j].unit === 'mac') need[j] = j;
    for (const d of deps[j]) if (d.lat > 0) need[d.from] = Math.min(need[d.from], need[j]);
  }
  const waiting = deps.map((ds) => new Set(ds.map((d) => d.from)).size);
  const issued = new Array<number>(n).fill(-1);
  const ready = new Set<number>();
  for (let j = 0; j < n; j++) if (!waiting[j]) ready.add(j);
  const unitFree: Record<Unit, number> = { mac: 0, ld: 0, alu: 0, sys: 0, int: 0 };
  const out: MveOp[] = [];
  let last = -1;
  while (out.length < n) {
    let best = -1;
    let bestT = Infinity;
    for (const j of ready) {
      let e = Math.max(last + 1, unitFree[ops[j].unit]);
      for (const d of deps[j]) e = Math.max(e, issued[d.from] + d.lat);
      const mac = ops[j].unit === 'mac';
      const bestMac = best >= 0 && ops[best].unit === 'mac';
      const sooner = need[j] < need[best] || (need[j] === need[best] && j < best);
      if (best < 0 || e < bestT || (e === bestT && ((mac && !bestMac) || (mac === bestMac && sooner)))) {
        best = j;
        bestT = e;
      }
    }
    issued[best] = bestT;
    const extra = (ops[best].size ?? 1) - 1;
    unitFree[ops[best].unit] = bestT + extra + BUSY[ops[best].unit];
    last = bestT + extra;
    out.push(ops[best]);
    ready.delete(best);
    for (const u of users[best]) {
      const ds = new Set(deps[u].map((d) => d.from));
      if ([...ds].every((f) => issued[f] >= 0)) ready.add(u);
    }
  }
  return out;
}

export interface PipelinedLoop {
  /** Loads issued once before the loop (the first iteration's rotated loads). */
  readonly prologue: MveOp[];
  /** The scheduled body: the iteration's own work plus the next iteration's rotated loads. */
  readonly body: MveOp[];
  /** Rotated loads, in their original order (what a peeled last iteration leaves out). */
  readonly rotated: MveOp[];
  /** Model cycles of one steady-state iteration. */
  readonly cycles: number;
}

/** A load that may move into the previous iteration: it reads only its address register. */
function rotatable(op: MveOp): boolean {
  return op.unit === 'ld' && op.defs.some((d) => /^q\d$/.test(d));
}

/**
 * Software-pipeline a loop body: try moving each prefix (per address register) of its loads
 * into the previous iteration and keep the fastest steady state in the model (ties: fewer moved).
 */
export function pipelineLoop(body: readonly MveOp[]): PipelinedLoop {
  // Loads grouped by the address register they post-increment (their first use). Only a prefix
  // of each group moves (the addresses stay in order), and only loads that are the body's first
  // write of their Q register (a later write would overwrite the early value before its use).
  const groups = new Map<string, number[]>();
  const firstDef = new Map<string, number>();
  body.forEach((op, i) => op.defs.forEach((d) => firstDef.has(d) || firstDef.set(d, i)));
  const closed = new Set<string>();
  body.forEach((op, i) => {
    if (!rotatable(op)) return;
    const addr = op.uses[0] ?? '';
    if (closed.has(addr)) return;
    if (op.defs.some((d) => /^q\d$/.test(d) && firstDef.get(d) !== i)) {
      closed.add(addr);
      return;
    }
    (groups.get(addr) ?? groups.set(addr, []).get(addr)!).push(i);
  });
  const keys = [...groups.keys()];
  let best: PipelinedLoop | undefined;
  const choice = new Array<number>(keys.length).fill(0);
  const visit = (k: number): void => {
    if (k === keys.length) {
      const moved = new Set<number>();
      keys.forEach((key, g) => groups.get(key)!.slice(0, choice[g]).forEach((i) => moved.add(i)));
      const rotated = body.filter((_, i) => moved.has(i));
      const own = body.filter((_, i) => !moved.has(i));
      const sched = scheduleOps([...own, ...rotated]);
      const t = issueTimes([...sched, ...sched, ...sched]);
      const c = t[2 * sched.length] - t[sched.length];
      if (!best || c < best.cycles || (c === best.cycles && rotated.length < best.rotated.length))
        best = { prologue: rotated, body: sched, rotated, cycles: c };
      return;
    }
    for (let c = 0; c <= groups.get(keys[k])!.length; c++) {
      choice[k] = c;
      visit(k + 1);
    }
  };
  visit(0);
  return best!;
}

// Cycles of one execution of each counted block, from llvm-mca-19's Cortex-M55 model: the
// ELF is disassembled once (llvm-objdump-19), every distinct block becomes one llvm-mca code
// region, and the region's steady-state cycles (total cycles / iterations over 100 iterations)
// are the block's cost. The block's final branch is taken out of the region and charged by the
// caller: LE/LETP nothing (the M55's loop hardware), other branches 2 cycles when taken and 1
// when not. Instructions the model has no timing for (DLS, WLS, MSR, BKPT, …) count 1 cycle.
import { spawnSync } from 'child_process';

export const LLVM_MCA = 'llvm-mca-19';
export const LLVM_OBJDUMP = 'llvm-objdump-19';
/** The Debian package with both tools. */
export const LLVM_APT_PACKAGE = 'llvm-19';
const TRIPLE = 'thumbv8.1m.main-none-eabi';
const ITERATIONS = 100;

export interface Insn {
  readonly addr: number;
  readonly op: string;
  readonly args: string;
  /** The function (symbol) it belongs to. */
  readonly fn: string;
}

export interface Disassembly {
  readonly at: ReadonlyMap<number, Insn>;
  /** Address of the next instruction (or data) after each address. */
  readonly next: ReadonlyMap<number, number>;
  /** Previous instructions, in address order, for block context. */
  readonly order: readonly number[];
  readonly index: ReadonlyMap<number, number>;
}

/** Whether llvm-mca-19 and llvm-objdump-19 run; the reason names the apt package when not. */
export function llvmStatus(): { ok: boolean; reason?: string } {
  const missing = [LLVM_MCA, LLVM_OBJDUMP].filter((t) => {
    const r = spawnSync(t, ['--version'], { stdio: 'ignore' });
    return r.error !== undefined || r.status !== 0;
  });
  return missing.length ? { ok: false, reason: `missing ${missing.join(', ')}; install with: apt-get install ${LLVM_APT_PACKAGE}` } : { ok: true };
}

export function disassemble(elf: string): Disassembly {
  const r = spawnSync(LLVM_OBJDUMP, ['-d', '--no-show-raw-insn', `--triple=${TRIPLE}`, '--mcpu=cortex-m55', elf], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.error || r.status !== 0) throw new Error(`${LLVM_OBJDUMP} ${elf} failed: ${r.error?.message ?? ''}${r.stderr}`);
  const at = new Map<number, Insn>();
  const order: number[] = [];
  let fn = '?';
  for (const line of r.stdout.split('\n')) {
    const h = /^[0-9a-f]+ <(.+)>:$/.exec(line);
    if (h) {
      fn = h[1];
      continue;
    }
    const m = /^\s*([0-9a-f]+):\s*(?:[0-9a-f]{2} )*\s*\t(\S+)(?:\t(.*))?$/.exec(line);
    if (!m) continue;
    const addr = parseInt(m[1], 16);
    at.set(addr, { addr, op: m[2], args: (m[3] ?? '').replace(/\s*@.*$/, '').trim(), fn });
    order.push(addr);
  }
  const next = new Map<number, number>();
  const index = new Map<number, number>();
  order.forEach((a, i) => {
    index.set(a, i);
    if (i + 1 < order.length) next.set(a, order[i + 1]);
  });
  return { at, next, order, index };
}

/** How a block ends. */
export type BlockExit = 'loop' | 'branch' | 'conditional' | 'fallthrough';

export interface BlockCost {
  /** Cycles of one execution without the final branch. */
  readonly cycles: number;
  readonly exit: BlockExit;
  readonly fn: string;
}

const COND = '(?:eq|ne|cs|hs|cc|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le)';
const bare = (op: string) => op.replace(/\.[wn]$/, '');

function exitOf(x: Insn): BlockExit {
  const op = bare(x.op);
  if (op === 'le' || op === 'letp') return 'loop';
  if (/^(b|bl|blx|bx|tbb|tbh)$/.test(op)) return 'branch';
  if (new RegExp(`^(b|bx|bl|blx)${COND}$`).test(op) || /^(cbz|cbnz|wls|wlstp)$/.test(op)) return 'conditional';
  if (/^pop/.test(op) && /\bpc\b/.test(x.args)) return /^pop$/.test(op) ? 'branch' : 'conditional';
  if (/^ldr/.test(op) && /^pc,/.test(x.args)) return 'branch';
  return 'fallthrough';
}

/** A VPT/IT block instruction and the number of instructions it predicates. */
function blockOf(x: Insn): { vpt: boolean; len: number } | undefined {
  const op = bare(x.op).split('.')[0];
  const m = /^(vpst|vpt|it)([te]*)$/.exec(op);
  return m ? { vpt: m[1] !== 'it', len: 1 + m[2].length } : undefined;
}

const CONDS = COND.slice(3, -1);
/** Condition suffix of an instruction inside an IT block ('al' when none is found). */
const condOf = (x: Insn) => new RegExp(`^.*?(${CONDS})(?:\\.[wn])?$`).exec(x.op)?.[1] ?? 'al';
const INVERSE: Record<string, string> = { eq: 'ne', ne: 'eq', cs: 'cc', hs: 'lo', cc: 'cs', lo: 'hs', mi: 'pl', pl: 'mi', vs: 'vc', vc: 'vs', hi: 'ls', ls: 'hi', ge: 'lt', lt: 'ge', gt: 'le', le: 'gt' };

/** The block instruction that opens the first `n` instructions of a list (timing only: a VPST
 *  of the right length, or an IT whose then/else letters follow the instructions' conditions). */
function reopen(first: Insn[], vpt: boolean): string {
  if (vpt) return `\tvpst${'t'.repeat(first.length - 1)}`;
  const c0 = condOf(first[0]);
  const letters = first.slice(1).map((x) => (condOf(x) === c0 ? 't' : INVERSE[condOf(x)] === c0 ? 'e' : 't')).join('');
  return `\tit${letters}\t${c0}`;
}

/**
 * The llvm-mca text of a block: its instructions without the final branch; a VPT or IT block
 * cut by the block boundary (QEMU ends a block after every VPST/VPT) is closed at the end and
 * reopened at the start, so each region assembles on its own.
 */
function regionText(d: Disassembly, body: Insn[]): string[] {
  const lines: string[] = [];
  // Open block at the start: the nearest block instruction within 4 before that still covers it.
  const s = d.index.get(body[0].addr)!;
  let skipOpen = 0;
  for (let j = s - 1; j >= Math.max(0, s - 4); j--) {
    const b = blockOf(d.at.get(d.order[j])!);
    if (b && j + b.len >= s) {
      skipOpen = Math.min(body.length, j + b.len - s + 1);
      lines.push(reopen(body.slice(0, skipOpen), b.vpt));
      break;
    }
  }
  for (let i = 0; i < body.length; i++) {
    const x = body[i];
    const b = i >= skipOpen ? blockOf(x) : undefined;
    if (b && i + b.len >= body.length) {
      // The block continues past the region: keep only what is inside.
      const inside = body.length - 1 - i;
      if (inside > 0) lines.push(reopen(body.slice(i + 1), b.vpt));
      continue;
    }
    lines.push(`\t${x.op}\t${x.args}`);
  }
  return lines;
}

interface McaRegion {
  Name: string;
  Instructions: string[];
  SummaryView: { Iterations: number; TotalCycles: number };
}

/** Cost of each distinct block, keyed by `${start}:${bytes}`. */
export function blockCosts(d: Disassembly, blocks: Iterable<{ start: number; bytes: number; insns: number }>): Map<string, BlockCost> {
  const out = new Map<string, BlockCost>();
  const regions: { key: string; lines: string[]; exit: BlockExit; fn: string }[] = [];
  const seen = new Set<string>();
  for (const b of blocks) {
    const key = `${b.start}:${b.bytes}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const body: Insn[] = [];
    for (let a = b.start; a < b.start + b.bytes; a = d.next.get(a) ?? Infinity) {
      const x = d.at.get(a);
      if (!x) throw new Error(`block 0x${b.start.toString(16)}: no instruction at 0x${a.toString(16)}`);
      body.push(x);
    }
    if (body.length !== b.insns) throw new Error(`block 0x${b.start.toString(16)}: ${body.length} instructions disassembled, QEMU ran ${b.insns}`);
    const exit = exitOf(body[body.length - 1]);
    const kept = exit === 'fallthrough' ? body : body.slice(0, -1);
    if (!kept.length) out.set(key, { cycles: 0, exit, fn: body[0].fn });
    else regions.push({ key, lines: regionText(d, kept), exit, fn: body[0].fn });
  }
  if (!regions.length) return out;
  // One llvm-mca run for every region (ids, not keys, as names: llvm-mca wants plain words).
  const src = regions.map((r, i) => `# LLVM-MCA-BEGIN r${i}\n${r.lines.join('\n')}\n# LLVM-MCA-END\n`).join('');
  const res = spawnSync(LLVM_MCA, [`-mtriple=${TRIPLE}`, '-mcpu=cortex-m55', `-iterations=${ITERATIONS}`, '-json', '-skip-unsupported-instructions=lack-sched', '-'], {
    input: src, encoding: 'utf8', maxBuffer: 1 << 30,
  });
  if (res.error || res.status !== 0) throw new Error(`${LLVM_MCA} failed: ${res.error?.message ?? ''}${res.stderr.slice(0, 4000)}`);
  const json = JSON.parse(res.stdout) as { CodeRegions: McaRegion[] };
  const byName = new Map(json.CodeRegions.map((c) => [c.Name, c]));
  regions.forEach((r, i) => {
    // A region whose every instruction lacks a timing model comes back empty or not at all.
    const c = byName.get(`r${i}`);
    const given = r.lines.length;
    const modelled = c ? c.Instructions.length : 0;
    if (!c && process.env.HSQ_MCA_DEBUG) console.error(`llvm-mca: no region for\n${r.lines.join('\n')}`);
    const cycles = (c && modelled ? c.SummaryView.TotalCycles / c.SummaryView.Iterations : 0) + (given - modelled);
    out.set(r.key, { cycles, exit: r.exit, fn: r.fn });
  });
  return out;
}

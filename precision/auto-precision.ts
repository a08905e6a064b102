// Automatic precision under a flash budget. Greedy: starting from w8 everywhere, repeatedly take
// the step (one layer one width down: 8 → 4, 4 → 2, ...) with the most bytes saved per unit of
// added output noise, until the weights fit the budget. The noise of a step is read from the
// sensitivity table: a layer lowered alone to b bits adds N_b - N_8, where N = 10^(-SQNR/10)
// is the noise power relative to the signal. The curve's SQNR is that additive estimate, or the
// value measured for each step when a `measure` function is given (the field `sqnrKind` says
// which).
import { fail } from '../core/diagnostics';
import { SensitivityTable } from './sensitivity';

export interface AutoPrecisionOptions {
  readonly flashBudgetBytes: number;
  /** Measures the output SQNR (dB) of a set of lowered layers (layer → weight bits). */
  readonly measure?: (lowered: ReadonlyMap<string, number>) => number;
}

export interface AutoChoice {
  readonly layer: string;
  readonly weightBits: number;
  readonly reason: string;
}

export interface CurvePoint {
  readonly step: number;
  /** The layer lowered at this step ('' for the starting point). */
  readonly layer: string;
  readonly weightBits: number;
  readonly flashBytes: number;
  readonly sqnrDb: number;
}

export interface AutoPrecisionResult {
  readonly chosen: readonly AutoChoice[];
  /** `--precision` flags that reproduce the choice. */
  readonly flags: readonly string[];
  readonly curve: readonly CurvePoint[];
  readonly sqnrKind: 'measured' | 'estimated';
  readonly flashBytes: number;
  readonly budgetBytes: number;
  readonly met: boolean;
}

const noise = (db: number) => (db === Infinity ? 0 : 10 ** (-db / 10));
const toDb = (n: number) => (n <= 0 ? Infinity : -10 * Math.log10(n));
const fmtBytes = (b: number) => (b >= 1024 * 1024 ? `${(b / 1048576).toFixed(2)} MiB` : b >= 1024 ? `${(b / 1024).toFixed(1)} KiB` : `${b} B`);

export function autoPrecision(sens: SensitivityTable, opts: AutoPrecisionOptions): AutoPrecisionResult {
  if (!(opts.flashBudgetBytes >= 0)) fail('bad-input', `--flash-budget must be a size, got ${opts.flashBudgetBytes}`, '--flash-budget');
  const widths = [8, ...[...sens.bits].sort((a, b) => b - a)];
  const nBase = noise(sens.baselineSqnrDb);
  const cur = new Map(sens.rows.map((r) => [r.layer, 8]));
  const added = new Map(sens.rows.map((r) => [r.layer, 0]));   // extra noise of each layer at its current width
  let flash = sens.rows.reduce((a, r) => a + r.flashBytes.w8, 0);
  const curve: CurvePoint[] = [];
  const lowered = new Map<string, number>();
  const sqnrNow = () => (opts.measure ? opts.measure(lowered) : toDb(nBase + [...added.values()].reduce((a, b) => a + b, 0)));
  curve.push({ step: 0, layer: '', weightBits: 8, flashBytes: flash, sqnrDb: opts.measure ? sens.baselineSqnrDb : sqnrNow() });
  const chosen = new Map<string, AutoChoice>();
  let step = 0;
  while (flash > opts.flashBudgetBytes) {
    let best: { layer: string; bits: number; saved: number; dn: number; score: number } | undefined;
    for (const r of sens.rows) {
      const w = cur.get(r.layer)!;
      const next = widths[widths.indexOf(w) + 1];
      if (next === undefined || r.sqnrDb[`w${next}`] === undefined) continue;
      const saved = r.flashBytes[`w${w}`] - r.flashBytes[`w${next}`];
      const dn = Math.max(0, noise(r.sqnrDb[`w${next}`]) - nBase) - added.get(r.layer)!;
      const score = saved / Math.max(dn, 1e-15);
      if (saved > 0 && (!best || score > best.score)) best = { layer: r.layer, bits: next, saved, dn, score };
    }
    if (!best) break;
    step++;
    cur.set(best.layer, best.bits);
    added.set(best.layer, added.get(best.layer)! + Math.max(0, best.dn));
    lowered.set(best.layer, best.bits);
    flash -= best.saved;
    const sqnr = sqnrNow();
    curve.push({ step, layer: best.layer, weightBits: best.bits, flashBytes: flash, sqnrDb: sqnr });
    const row = sens.rows.find((r) => r.layer === best!.layer)!;
    chosen.set(best.layer, {
      layer: best.layer, weightBits: best.bits,
      reason: `step ${step}: saves ${fmtBytes(best.saved)} for ${toDb(best.dn) === Infinity ? 'no measurable' : `${(10 * Math.log10(best.dn / Math.max(nBase, 1e-30))).toFixed(1)} dB relative`} added noise `
        + `(alone at w${best.bits}: ${row.sqnrDb[`w${best.bits}`].toFixed(1)} dB vs ${sens.baselineSqnrDb.toFixed(1)} dB at w8a8), the most bytes per unit of noise left; flash now ${fmtBytes(flash)}`,
    });
  }
  const list = [...chosen.values()];
  const byBits = new Map<number, string[]>();
  for (const c of list) byBits.set(c.weightBits, [...(byBits.get(c.weightBits) ?? []), c.layer]);
  const flags = [...byBits].map(([b, ls]) => `${ls.join(',')}=w${b}a8`);
  return { chosen: list, flags, curve, sqnrKind: opts.measure ? 'measured' : 'estimated', flashBytes: flash, budgetBytes: opts.flashBudgetBytes, met: flash <= opts.flashBudgetBytes };
}

/** The curve as text lines for the terminal. */
export function formatCurve(r: AutoPrecisionResult): string[] {
  const lines = [`flash vs output SQNR (${r.sqnrKind}):`];
  for (const p of r.curve) lines.push(`  ${p.step === 0 ? 'w8a8 everywhere' : `+ ${p.layer} → w${p.weightBits}`.padEnd(15)}  ${fmtBytes(p.flashBytes).padStart(11)}  ${p.sqnrDb.toFixed(2)} dB`);
  lines.push(r.met ? `budget ${fmtBytes(r.budgetBytes)} met: ${fmtBytes(r.flashBytes)}` : `budget ${fmtBytes(r.budgetBytes)} NOT met even with every layer lowered: ${fmtBytes(r.flashBytes)}`);
  return lines;
}

// Which calibration samples to use (`--calib-samples`, config `calibration.samples`):
//   N                 the first N samples
//   START:STOP[:STEP] a Python slice (parts may be empty; negative START/STOP count from the end),
//                     e.g. `::10` every tenth sample, `100:` all but the first 100
//   random:N          N distinct samples drawn with --calib-seed (then taken in file order)
// The same indices select files of a folder (in sorted order) or rows of one .npy, so the
// samples left out can be used for evaluation (complementOf).
import { fail } from '../core/diagnostics';
import { mulberry32 } from '../core/random-inputs';

const FLAG = '--calib-samples';

export interface SampleSelection {
  readonly kind: 'first' | 'slice' | 'random';
  readonly count?: number;
  readonly start?: number;
  readonly stop?: number;
  readonly step?: number;
}

function int(v: string, spec: string): number | undefined {
  if (v.trim() === '') return undefined;
  if (!/^-?\d+$/.test(v.trim())) fail('bad-input', `${FLAG} '${spec}': '${v}' is not an integer (expected N, START:STOP[:STEP] or random:N)`, FLAG);
  return Number(v);
}

export function parseSampleSelection(spec: string): SampleSelection {
  const s = spec.trim();
  const r = /^random:(.*)$/.exec(s);
  if (r) {
    const n = int(r[1], spec);
    if (n === undefined || n < 1) fail('bad-input', `${FLAG} '${spec}': random:N needs N >= 1`, FLAG);
    return { kind: 'random', count: n };
  }
  if (s.includes(':')) {
    const parts = s.split(':');
    if (parts.length > 3) fail('bad-input', `${FLAG} '${spec}': a slice is START:STOP[:STEP]`, FLAG);
    const [start, stop, step] = [int(parts[0], spec), int(parts[1], spec), parts[2] === undefined ? undefined : int(parts[2], spec)];
    if (step !== undefined && step < 1) fail('bad-input', `${FLAG} '${spec}': STEP must be >= 1`, FLAG);
    return { kind: 'slice', start, stop, step };
  }
  const n = int(s, spec);
  if (n === undefined || n < 1) fail('bad-input', `${FLAG} '${spec}': N must be >= 1`, FLAG);
  return { kind: 'first', count: n };
}

/** The chosen indices (ascending) out of `total` samples. */
export function selectSamples(total: number, spec: string | undefined, seed = 0, what = 'the calibration data'): number[] {
  const all = Array.from({ length: total }, (_, i) => i);
  if (spec === undefined) return all;
  const sel = parseSampleSelection(spec);
  let out: number[];
  if (sel.kind === 'first') {
    if (sel.count! > total) fail('bad-input', `${FLAG} ${spec}: ${what} holds only ${total} sample${total === 1 ? '' : 's'}`, FLAG);
    out = all.slice(0, sel.count);
  } else if (sel.kind === 'random') {
    if (sel.count! > total) fail('bad-input', `${FLAG} ${spec}: ${what} holds only ${total} sample${total === 1 ? '' : 's'}`, FLAG);
    out = seededChoice(total, sel.count!, seed);
  } else {
    const clampEnd = (v: number | undefined, dflt: number) => (v === undefined ? dflt : v < 0 ? Math.max(0, total + v) : Math.min(total, v));
    const start = clampEnd(sel.start, 0), stop = clampEnd(sel.stop, total), step = sel.step ?? 1;
    out = [];
    for (let i = start; i < stop; i += step) out.push(i);
  }
  if (out.length === 0) fail('bad-input', `${FLAG} ${spec}: selects no sample of the ${total} in ${what}`, FLAG);
  return out;
}

/** `count` distinct indices of `total`, ascending: the first `count` of a seeded Fisher-Yates shuffle. */
export function seededChoice(total: number, count: number, seed: number): number[] {
  if (count >= total) return Array.from({ length: total }, (_, i) => i);
  const r = mulberry32(seed);
  const a = Array.from({ length: total }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(r() * (total - i));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a.slice(0, count).sort((x, y) => x - y);
}

/** The indices of `total` not in `chosen` (the held-out samples). */
export function complementOf(chosen: readonly number[], total: number): number[] {
  const s = new Set(chosen);
  return Array.from({ length: total }, (_, i) => i).filter((i) => !s.has(i));
}

// Precision notation `wXaY`: X weight bits (8, 4, 3, 2, 1), Y activation bits (8, 4, 3, 2).
// The bit width is the range of the numbers; the container is how they are stored.
import { fail } from './diagnostics';

export const WEIGHT_BITS = [8, 4, 3, 2, 1] as const;
export const ACT_BITS = [8, 4, 3, 2] as const;

export interface Precision {
  readonly weightBits: number;
  readonly actBits: number;
}

/** Storage container for a bit width: 8, 4, 2 or 1 bits. */
export function containerBits(bits: number): 1 | 2 | 4 | 8 {
  if (bits <= 1) return 1;
  if (bits <= 2) return 2;
  if (bits <= 4) return 4;
  return 8;
}

export function parsePrecision(text: string, where: string): Precision {
  const m = /^w(\d)a(\d)$/.exec(text.trim());
  if (!m) fail('bad-input', `${where}: precision '${text}' is not of the form wXaY (e.g. w4a8)`, where);
  const w = Number(m[1]);
  const a = Number(m[2]);
  if (!(WEIGHT_BITS as readonly number[]).includes(w)) fail('bad-input', `${where}: weight bits ${w} not in ${WEIGHT_BITS.join(', ')}`, where);
  if (!(ACT_BITS as readonly number[]).includes(a)) fail('bad-input', `${where}: activation bits ${a} not in ${ACT_BITS.join(', ')}`, where);
  return { weightBits: w, actBits: a };
}

export function formatPrecision(p: Precision): string {
  return `w${p.weightBits}a${p.actBits}`;
}

/**
 * `--precision 'conv7=w4a8'` and `--precision 'conv7,conv8=w4a8'` → [pattern, precision] pairs,
 * in the order given (later ones win where patterns overlap).
 */
export function parsePrecisionFlags(flags: readonly string[] | undefined): { pattern: string; precision: Precision; text: string }[] {
  const out: { pattern: string; precision: Precision; text: string }[] = [];
  for (const f of flags ?? []) {
    const i = f.lastIndexOf('=');
    if (i <= 0) fail('bad-input', `--precision '${f}': expected NODE=wXaY (NODE may be a glob or a comma list)`, '--precision');
    const precision = parsePrecision(f.slice(i + 1), `--precision '${f}'`);
    for (const pattern of f.slice(0, i).split(',').map((s) => s.trim()).filter(Boolean)) out.push({ pattern, precision, text: f.slice(i + 1) });
  }
  return out;
}

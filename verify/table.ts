// The per-layer table `hsq verify --per-layer` prints.
import type { LayerReport } from './per-layer';

const pct = (x: number | null) => (x === null ? '-' : x === 1 ? '100 %' : `${(x * 100).toFixed(2)} %`);
const num = (x: number | null, f: (v: number) => string) => (x === null ? '-' : f(x));

function vsOrt(r: LayerReport): string {
  if (r.reference === null) return 'no ORT figure';
  if (r.maxStepsVsOrt !== null) return `${r.maxStepsVsOrt} step${r.maxStepsVsOrt === 1 ? '' : 's'} max, ${pct(r.within1StepVsOrt)} ≤ 1`;
  return `rel ${num(r.maxRelErrVsOrt, (v) => v.toExponential(1))}, ${pct(r.withinTolVsOrt)} in tol`;
}

export function formatLayerTable(layers: readonly LayerReport[]): string {
  const head = ['#', 'layer', 'op', 'prec', 'device', '= interp', 'vs ONNX Runtime', 'SQNR dB', ''];
  const rows = layers.map((r, i) => [
    String(i), r.name, r.op, r.precision, r.device, pct(r.exactVsInterpreter), vsOrt(r),
    num(r.sqnrDb, (v) => v.toFixed(1)),
    r.failures.length ? 'FAIL' : r.reference === 'input' ? '(vs its own input: no original node)' : r.noOrtReason ? `(${r.noOrtReason})` : '',
  ]);
  const width = head.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const right = new Set([0, 5, 7]);
  const line = (cells: string[]) => cells.map((c, k) => (k === cells.length - 1 ? c : right.has(k) ? c.padStart(width[k]) : c.padEnd(width[k]))).join('  ').trimEnd();
  return [line(head), line(width.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

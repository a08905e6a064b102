// `hsq verify --html FILE`: one self-contained page (no scripts, fonts or styles from elsewhere)
// with the per-layer SQNR against ONNX Runtime as an SVG bar chart, the layer table and the
// end-to-end figures. Deterministic: the same result gives the same bytes.
import type { LayerReport } from './per-layer';
import type { OutputReport } from './end-to-end';
import { SQNR_CAP_DB } from './metrics';

export interface VerifyPage {
  readonly model: string;
  readonly engine: string;
  readonly reference: string;
  readonly ok: boolean;
  readonly layers: readonly LayerReport[];
  readonly outputs: readonly OutputReport[];
  readonly firstDivergence: { readonly layer: string; readonly engine: string } | null;
  readonly failures: readonly string[];
  readonly notes: readonly string[];
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const pct = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(2)} %`);
const db = (x: number | null) => (x === null ? '–' : x >= SQNR_CAP_DB ? 'exact' : x.toFixed(1));
/** Bars stop at this height; an exact match (SQNR_CAP_DB) is drawn full and labelled. */
const PLOT_DB = 80;

function chart(layers: readonly LayerReport[]): string {
  const w = 14, gap = 4, h = 220, top = 16, left = 40, bottom = 24;
  const width = left + layers.length * (w + gap) + 10;
  const y = (v: number) => top + h - (Math.max(0, Math.min(PLOT_DB, v)) / PLOT_DB) * h;
  const grid = [0, 20, 40, 60, 80].map((v) => `<line x1="${left}" x2="${width}" y1="${y(v)}" y2="${y(v)}" class="grid"/><text x="${left - 4}" y="${y(v) + 4}" class="axis">${v}</text>`).join('');
  const bars = layers.map((r, i) => {
    const x = left + i * (w + gap);
    const tip = `<title>${esc(`${i} ${r.name} (${r.op}, ${r.precision}): SQNR ${db(r.sqnrDb)}${r.sqnrDb !== null && r.sqnrDb < SQNR_CAP_DB ? ' dB' : ''}${r.noOrtReason ? ` — ${r.noOrtReason}` : ''}`)}</title>`;
    if (r.sqnrDb === null) return `<g>${tip}<rect x="${x}" y="${y(0) - 3}" width="${w}" height="3" class="none"/></g>`;
    const cls = r.failures.length ? 'bad' : r.sqnrDb >= SQNR_CAP_DB ? 'exact' : 'ok';
    return `<g>${tip}<rect x="${x}" y="${y(r.sqnrDb)}" width="${w}" height="${y(0) - y(r.sqnrDb)}" class="${cls}"/></g>`;
  }).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${top + h + bottom}" role="img" aria-label="per-layer SQNR">`
    + `${grid}${bars}<text x="${left}" y="${top + h + 18}" class="axis" text-anchor="start">layer index → (bars capped at ${PLOT_DB} dB; green: bit-exact with ORT; grey: no ORT figure)</text></svg>`;
}

export function verifyHtml(p: VerifyPage): string {
  const rows = p.layers.map((r, i) => `<tr class="${r.failures.length ? 'fail' : ''}"><td>${i}</td><td>${esc(r.name)}</td><td>${esc(r.op)}</td><td>${esc(r.precision)}</td><td>${esc(r.device)}</td>`
    + `<td>${pct(r.exactVsInterpreter)}</td><td>${r.maxStepsVsOrt ?? '–'}</td><td>${pct(r.within1StepVsOrt)}</td><td>${r.maxRelErrVsOrt === null ? '–' : r.maxRelErrVsOrt.toExponential(2)}</td>`
    + `<td>${db(r.sqnrDb)}</td><td>${esc(r.failures.join('; ') || (r.reference === 'input' ? 'no original node: against its own input' : r.noOrtReason ?? ''))}</td></tr>`).join('\n');
  const outs = p.outputs.map((o) => `<tr><td>${esc(o.name)}</td><td>${pct(o.exactVsInterpreter)}</td><td>${o.maxStepsVsOrt ?? '–'}</td><td>${pct(o.within1StepVsOrt)}</td><td>${db(o.sqnrDb)}</td><td>${db(o.sqnrDbVsFloat)}</td></tr>`).join('\n');
  const list = (xs: readonly string[]) => (xs.length ? `<ul>${xs.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>` : '');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>hsq verify: ${esc(p.model)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}
td:nth-child(2),td:last-child,th:nth-child(2){text-align:left}tr.fail td{background:#fdd}
.ok{fill:#4a7fc1}.exact{fill:#3a9a4a}.bad{fill:#c0392b}.none{fill:#bbb}.grid{stroke:#eee}.axis{font-size:10px;fill:#666;text-anchor:end}
.verdict{font-weight:bold;color:${p.ok ? '#3a9a4a' : '#c0392b'}}
</style></head><body>
<h1>hsq verify: ${esc(p.model)}</h1>
<p class="verdict">${p.ok ? 'ok' : 'MISMATCH'}${p.firstDivergence ? ` — first divergence at layer ${esc(p.firstDivergence.layer)} (${esc(p.firstDivergence.engine)})` : ''}</p>
<p>Engine: ${esc(p.engine)}. Each layer ran alone in ${esc(p.reference)} on the interpreter's own inputs; quantized layers must be within 1 step, float layers within rtol 1e-3 + atol 1e-5 × max(1, max |y|).</p>
<h2>SQNR per layer against ONNX Runtime (dB)</h2>
${chart(p.layers)}
<h2>Layers</h2>
<table><tr><th>#</th><th>layer</th><th>op</th><th>precision</th><th>device</th><th>= interpreter</th><th>max steps</th><th>≤ 1 step</th><th>max rel. err</th><th>SQNR dB</th><th>note</th></tr>
${rows}
</table>
<h2>Outputs (end to end, not gated against ORT)</h2>
<table><tr><th>output</th><th>= interpreter</th><th>max steps vs ORT</th><th>≤ 1 step</th><th>SQNR vs ORT</th><th>SQNR vs float</th></tr>
${outs}
</table>
${list(p.failures)}${list(p.notes)}
</body></html>
`;
}

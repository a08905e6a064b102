// report.html: one self-contained page (inline CSS, inline SVG, no script, no network) from a
// Report, the same for every target. The chart has one <g class="layer"> per layer: a bar up for
// estimated time (targets with a cost model) and a bar down for weight bytes, both on log scales
// (layers span six orders of magnitude), coloured by device and precision. Sections a target has
// nothing for (no NPU: no options weighed) say so in one line. Deterministic: the same report
// gives the same bytes.
import type { Report, ReportLayer } from './report';

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]!));

/** Colour classes: device × precision. */
export function colourClass(l: Pick<ReportLayer, 'device' | 'precision' | 'widened'>): string {
  if (l.precision === 'f32') return l.device === 'npu' ? 'npu-int8' : 'cpu-f32';
  if (/^w[0-9]+f32$/.test(l.precision)) return 'cpu-f32'; // float compute, integer-stored weights
  if (l.device === 'npu') return l.widened ? 'npu-widened' : 'npu-int8';
  const sub = /^w([1-7])|a[1-7]$/.test(l.precision);
  return sub ? 'cpu-sub8' : 'cpu-int8';
}

const COLOURS: Record<string, [string, string]> = {
  'npu-int8': ['#1f6fb4', 'NPU, int8'],
  'npu-widened': ['#37b6c9', 'NPU, sub-8-bit widened to int8'],
  'cpu-int8': ['#f08c1a', 'CPU, int8'],
  'cpu-sub8': ['#c9302c', 'CPU, sub-8-bit (packed)'],
  'cpu-f32': ['#8a8a8a', 'CPU, float32'],
};

export function fmtBytes(b: number): string {
  if (b >= 1024 * 1024) return `${(b / 1024 / 1024).toFixed(2)} MiB`;
  if (b >= 1024) return `${(b / 1024).toFixed(1)} KiB`;
  return `${b} B`;
}

export function fmtUs(us: number): string {
  if (us >= 1000) return `${(us / 1000).toFixed(2)} ms`;
  return `${us.toFixed(1)} µs`;
}

const fmtInt = (n: number): string => n.toLocaleString('en-US');
const shapeText = (s: readonly (readonly number[])[]): string => s.map((x) => `[${x.join('×')}]`).join(', ');

const timed = (r: Report): boolean => r.layers.some((l) => l.estTimeUs !== null);
const usText = (us: number | null): string => (us === null ? '–' : fmtUs(us));

function chart(r: Report): string {
  const n = r.layers.length;
  const withTime = timed(r);
  const bw = n > 120 ? 6 : n > 60 ? 10 : 18;
  const gap = Math.max(2, Math.round(bw / 3));
  const left = 64, top = 24, upH = withTime ? 180 : 0, downH = 110, labelH = n <= 80 ? 90 : 10;
  const width = left + n * (bw + gap) + 20;
  const axisY = top + upH;
  const height = axisY + downH + labelH + 10;
  const maxT = Math.max(1, ...r.layers.map((l) => l.estTimeUs ?? 0));
  const maxW = Math.max(1, ...r.layers.map((l) => l.weightBytes));
  const logH = (v: number, max: number, h: number): number => (v <= 0 ? 0 : Math.max(1, (Math.log10(1 + v) / Math.log10(1 + max)) * h));
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" id="chart" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="layers by ${withTime ? 'estimated time and ' : ''}weight bytes">`);
  if (withTime) {
    parts.push(`<text x="4" y="${top + 10}" class="ax">time</text><text x="4" y="${top + 22}" class="ax">(log)</text>`);
    parts.push(`<text x="${left}" y="${top - 8}" class="ax">max ${esc(fmtUs(maxT))}</text>`);
  }
  parts.push(`<text x="4" y="${axisY + 20}" class="ax">weights</text><text x="4" y="${axisY + 32}" class="ax">(log)</text>`);
  parts.push(`<text x="4" y="${axisY + 46}" class="ax">max</text><text x="4" y="${axisY + 58}" class="ax">${esc(fmtBytes(maxW))}</text>`);
  parts.push(`<line x1="${left - 4}" y1="${axisY}" x2="${width - 10}" y2="${axisY}" class="axis"/>`);
  r.layers.forEach((l, i) => {
    const x = left + i * (bw + gap);
    const th = l.estTimeUs === null ? 0 : logH(l.estTimeUs, maxT, upH);
    const wh = logH(l.weightBytes, maxW, downH - 16);
    const cls = colourClass(l);
    const tip = `${l.name} (${l.op}) on the ${l.device.toUpperCase()}, ${l.precision}: ${l.estTimeUs === null ? '' : `${fmtUs(l.estTimeUs)}, `}${fmtBytes(l.weightBytes)} of weights — ${l.reason}`;
    parts.push(`<g class="layer ${cls}" data-layer="${esc(l.name)}" data-device="${l.device}"><title>${esc(tip)}</title>`
      + (withTime ? `<rect class="t" x="${x}" y="${(axisY - th).toFixed(2)}" width="${bw}" height="${th.toFixed(2)}"/>` : '')
      + (wh > 0 ? `<rect class="w" x="${x}" y="${axisY + 1}" width="${bw}" height="${wh.toFixed(2)}"/>` : '')
      + (labelH > 10 ? `<text class="lbl" transform="translate(${x + bw / 2 + 3},${axisY + downH}) rotate(60)">${esc(l.name.length > 14 ? `${l.name.slice(0, 13)}…` : l.name)}</text>` : '')
      + '</g>');
  });
  parts.push('</svg>');
  return parts.join('\n');
}

function legend(r: Report): string {
  return `<div class="legend">${Object.entries(COLOURS).map(([, [c, t]]) => `<span><i style="background:${c}"></i>${esc(t)}</span>`).join('')}`
    + `<span class="note">${timed(r) ? 'bars up: estimated time; bars down (lighter): weight bytes as emitted' : 'bars: weight bytes as emitted'}</span></div>`;
}

function kernelText(l: ReportLayer): string {
  return (l.cpuKernels ?? []).map((k) => (k.kernel === 'generated' ? `${k.fn} (${k.kind}${k.path === 'scalar' ? ', scalar' : ''})` : `portable${k.reason ? ` (${k.reason})` : ''}`)).join('; ');
}

function layerTable(r: Report): string {
  const withTime = timed(r);
  const withKernels = r.layers.some((l) => l.cpuKernels);
  const rows = r.layers.map((l, i) => `<tr class="${colourClass(l)}"><td>${i + 1}</td><td class="nm">${esc(l.name)}</td><td>${esc(l.op)}</td>`
    + `<td class="dev">${l.device.toUpperCase()}</td><td>${esc(l.precision)}${l.widened ? ' <small>(int8 storage)</small>' : ''}</td>`
    + `<td class="sh">${esc(shapeText(l.shapes.inputs))} → ${esc(shapeText(l.shapes.outputs))}</td>`
    + `<td class="n">${fmtInt(l.macs)}</td><td class="n">${fmtInt(l.weightBytes)}</td>`
    + (withTime ? `<td class="n">${esc(usText(l.estTimeUs))}</td>` : '')
    + `<td class="n off">${l.arenaOffset ? `${esc(l.arenaOffset.pool)}+0x${l.arenaOffset.offset.toString(16)}` : '–'}</td>`
    + `<td class="n">${l.segment}</td>${withKernels ? `<td class="k">${esc(kernelText(l))}</td>` : ''}<td class="why">${esc(l.reason)}</td></tr>`).join('\n');
  return `<table class="layers"><thead><tr><th>#</th><th>layer</th><th>op</th><th>device</th><th>precision</th><th>shapes (in → out)</th>`
    + `<th>MACs</th><th>weight bytes</th>${withTime ? '<th>est. time</th>' : ''}<th>arena offset</th><th>seg</th>${withKernels ? '<th>CPU kernel</th>' : ''}<th>reason</th></tr></thead><tbody>\n${rows}\n</tbody></table>`;
}

function totals(r: Report): string {
  const t = r.totals;
  const flash = Object.entries(t.flash.byMemory).map(([m, b]) => `<tr><td>flash: ${esc(m)}</td><td class="n">${esc(fmtBytes(b))}</td></tr>`).join('');
  const time = t.latencyUs === null || t.timeUs === null || t.transitionUs === null
    ? '<tr><td>estimated latency</td><td class="n">– (no cost model for this target)</td></tr>'
    : `<tr><td>estimated latency</td><td class="n"><b>${esc(fmtUs(t.latencyUs))}</b> (${(t.fps ?? 0).toFixed(2)} FPS)</td></tr>
<tr><td>time on the NPU / CPU</td><td class="n">${esc(fmtUs(t.timeUs.npu))} / ${esc(fmtUs(t.timeUs.cpu))}</td></tr>
<tr><td>NPU↔CPU transitions</td><td class="n">${t.transitions} (${esc(fmtUs(t.transitionUs))})</td></tr>`;
  const est = t.flash.estimated ? `<tr><td>flash as the cost model estimates it</td><td class="n">${esc(fmtBytes(t.flash.estimated.total))}</td></tr>` : '';
  return `<table class="totals"><tbody>
${time}
<tr><td>layers on the NPU / CPU</td><td class="n">${t.layers.npu} / ${t.layers.cpu}</td></tr>
<tr><td>MACs on the NPU / CPU</td><td class="n">${fmtInt(t.macs.npu)} / ${fmtInt(t.macs.cpu)}</td></tr>
<tr><td>flash: weights as emitted</td><td class="n"><b>${esc(fmtBytes(t.flash.total))}</b> (${fmtInt(t.flash.total)} B)</td></tr>
${flash}
<tr><td>flash: NPU weights / CPU weights</td><td class="n">${esc(fmtBytes(t.flash.byDevice.npu))} / ${esc(fmtBytes(t.flash.byDevice.cpu))}</td></tr>
${est}
<tr><td>arena the caller provides (NAME_ARENA_SIZE)</td><td class="n"><b>${esc(fmtBytes(t.ram.arena))}</b> (${fmtInt(t.ram.arena)} B)</td></tr>
<tr><td>RAM planned for the CPU (lower bound)</td><td class="n">${esc(fmtBytes(t.ram.bytes))} (${esc(fmtBytes(t.ram.lowerBound))})</td></tr>
</tbody></table>`;
}

function memory(r: Report): string {
  const hex = (v: number | null): string => (v === null ? 'yours' : `0x${v.toString(16)}`);
  return `<table class="pools"><thead><tr><th>pool</th><th>kind</th><th>device</th><th>base</th><th>size</th><th>used by hsq</th></tr></thead><tbody>`
    + r.memory.pools.map((p) => `<tr><td class="nm">${esc(p.name)}</td><td>${p.kind}</td><td>${p.device === 'both' ? 'NPU and CPU' : p.device.toUpperCase()}</td>`
      + `<td class="n">${hex(p.base)}</td><td class="n">${esc(fmtBytes(p.size))}</td><td class="n">${p.used === null ? 'stedgeai' : esc(fmtBytes(p.used))}</td></tr>`).join('')
    + '</tbody></table>';
}

function options(r: Report): string {
  const o = r.optimisation;
  if (!o) return `<p>${esc(r.target)} has no NPU: every layer runs on the CPU, nothing to weigh.</p>`;
  const withOpts = r.layers.filter((l) => l.options?.length);
  if (!withOpts.length) return '<p>No layer has a precision/placement trade-off (no sub-8-bit layer the NPU could run widened).</p>';
  const pct = (v: number): string => `${(v * 100).toFixed(1)} %`;
  const head = `<p>Objective: ${esc(o.objective)} (${esc(o.method)}${o.evaluated ? `, ${o.evaluated} placements evaluated` : ''}). `
    + `${esc(o.candidates.join(', '))} hold ${pct(o.candidateWeightShare)} of the weights and ${pct(o.candidateMacShare)} of the MACs. Flash and times here are the cost model's estimates.</p>`;
  const alt = `<table class="alts"><thead><tr><th>placement</th><th>flash (weights)</th><th>est. latency</th><th>transitions</th></tr></thead><tbody>`
    + o.alternatives.map((a) => `<tr${a.label === 'chosen' ? ' class="chosen"' : ''}><td>${esc(a.label)}</td><td class="n">${esc(fmtBytes(a.flashBytes))}</td><td class="n">${esc(fmtUs(a.latencyUs))}</td><td class="n">${a.transitions}</td></tr>`).join('')
    + '</tbody></table>';
  const per = `<table class="opts"><thead><tr><th>layer</th><th>option</th><th>device</th><th>precision</th><th>storage</th><th>flash</th><th>est. time</th></tr></thead><tbody>`
    + withOpts.flatMap((l) => l.options!.map((x) => `<tr${x.chosen ? ' class="chosen"' : ''}><td>${esc(l.name)}</td><td>${esc(x.key)}${x.chosen ? ' ✔' : ''}</td><td>${x.device.toUpperCase()}</td>`
      + `<td>${esc(x.precision)}</td><td>${esc(x.storage)}</td><td class="n">${esc(fmtBytes(x.flashBytes))}</td><td class="n">${esc(fmtUs(x.estUs))}</td></tr>`)).join('')
    + '</tbody></table>';
  return head + alt + per;
}

function segmentsTable(r: Report): string {
  return `<table class="segs"><thead><tr><th>seg</th><th>device</th><th>layers</th><th>inputs</th><th>outputs</th><th>est. time</th><th>hand-over</th></tr></thead><tbody>`
    + r.segments.map((s) => `<tr class="${s.device === 'npu' ? 'npu-int8' : 'cpu-int8'}"><td>${s.id}</td><td class="dev">${s.device.toUpperCase()}</td>`
      + `<td>${esc(s.layers.length > 6 ? `${s.layers.slice(0, 3).join(', ')} … ${s.layers[s.layers.length - 1]} (${s.layers.length})` : s.layers.join(', '))}</td>`
      + `<td>${esc(s.inputs.join(', '))}</td><td>${esc(s.outputs.join(', '))}</td><td class="n">${esc(usText(s.estTimeUs))}</td><td class="n">${esc(usText(s.transitionUs))}</td></tr>`).join('')
    + '</tbody></table>';
}

function precisionTable(r: Report): string {
  const p = r.precision;
  if (!p.layers.length) return '<p>The model\'s own precision: nothing was asked of the precision stage.</p>';
  const cal = p.calibration ? `<p>Calibration: ${esc(p.calibration.data)}, ${p.calibration.samples} samples, ${esc(p.calibration.method)}.</p>` : '';
  return cal + '<table class="prec"><thead><tr><th>layer</th><th>precision</th><th>from</th><th>conflicts</th></tr></thead><tbody>'
    + p.layers.map((l) => `<tr><td class="nm">${esc(l.layer)}</td><td>${esc(l.precision)}</td><td>${esc(`${l.source}: ${l.from}`)}</td><td>${esc(l.conflicts.join('; '))}</td></tr>`).join('')
    + '</tbody></table>';
}

const CSS = `
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#222;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}
.sub{color:#666;margin-bottom:12px}
table{border-collapse:collapse;margin:6px 0;max-width:100%}th,td{border-bottom:1px solid #e3e3e3;padding:3px 8px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#f4f4f4;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.sh{font-family:ui-monospace,Menlo,monospace;font-size:12px}td.why{min-width:240px;max-width:480px;color:#444}td.off{white-space:normal}
td.nm{font-family:ui-monospace,Menlo,monospace}td.k{font-family:ui-monospace,Menlo,monospace;font-size:12px}tr.chosen td{font-weight:600}
.chart{overflow-x:auto;border:1px solid #e3e3e3;padding:8px;background:#fcfcfc}
svg .axis{stroke:#999;stroke-width:1}svg .ax{font-size:11px;fill:#666}svg .lbl{font-size:10px;fill:#444}
svg .layer .w{opacity:.45}svg .layer:hover rect{stroke:#000;stroke-width:1}
${Object.entries(COLOURS).map(([k, [c]]) => `svg .${k} rect{fill:${c}}tr.${k} td.dev{color:${c};font-weight:700}`).join('\n')}
.legend span{display:inline-block;margin-right:16px;font-size:12px}.legend i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-2px}
.legend .note{color:#666}.notes{color:#666;font-size:12px}
`;

/** The whole page as one string. */
export function renderReportHtml(r: Report): string {
  const est = r.totals.latencyUs === null ? '' : ` · estimated ${esc(fmtUs(r.totals.latencyUs))}`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>hsq report: ${esc(r.model)}</title>
<style>${CSS}</style></head>
<body>
<h1>hsq report: ${esc(r.model)}</h1>
<div class="sub">target ${esc(r.target)} · ${esc(r.name)} · ${r.layers.length} layers · ${r.segments.length} segments${est} · flash ${esc(fmtBytes(r.totals.flash.total))}</div>
<h2>Layers</h2>
${legend(r)}
<div class="chart">${chart(r)}</div>
<h2>Totals</h2>
${totals(r)}
<h2>Memory</h2>
${memory(r)}
<h2>Options weighed</h2>
${options(r)}
<h2>Segments</h2>
${segmentsTable(r)}
<h2>Precision</h2>
${precisionTable(r)}
<h2>Per layer</h2>
${layerTable(r)}
<p class="notes">${r.notes.map(esc).join('<br>')}</p>
</body></html>
`;
}

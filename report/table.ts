// The short placement table `hsq compile` prints: one line per layer with weights (and every
// CPU or forced layer), weightless NPU layers folded into a count, then the totals. ANSI colour
// only when asked (the caller passes process.stdout.isTTY).
import type { Report, ReportLayer } from './report';
import { fmtBytes, fmtUs } from './html';

const C = { npu: '\x1b[36m', cpu: '\x1b[33m', dim: '\x1b[2m', bold: '\x1b[1m', off: '\x1b[0m' };

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}
function padL(s: string, n: number): string {
  return s.length >= n ? s : ' '.repeat(n - s.length) + s;
}

/** Words of `s` in lines of at most `w` characters (a longer word is split); nothing is dropped. */
export function wrapText(s: string, w: number): string[] {
  const lines: string[] = [];
  let cur = '';
  for (let word of s.split(/\s+/).filter(Boolean)) {
    while (word.length > w) {
      if (cur) { lines.push(cur); cur = ''; }
      lines.push(word.slice(0, w));
      word = word.slice(w);
    }
    if (!cur) cur = word;
    else if (cur.length + 1 + word.length <= w) cur += ` ${word}`;
    else { lines.push(cur); cur = word; }
  }
  if (cur || lines.length === 0) lines.push(cur);
  return lines;
}

/** `name` in pieces of at most `w` characters, each ending after a '/' or '.' where one falls
 *  in its second half; nothing is dropped. */
export function splitName(name: string, w: number): string[] {
  const out: string[] = [];
  let rest = name;
  while (rest.length > w) {
    const cut = Math.max(rest.lastIndexOf('/', w - 1), rest.lastIndexOf('.', w - 1)) + 1;
    const at = cut > w / 2 ? cut : w;
    out.push(rest.slice(0, at));
    rest = rest.slice(at);
  }
  out.push(rest);
  return out;
}

/** Layers worth a line: those with weights, those on the CPU, those forced or optimised. */
function shown(l: ReportLayer): boolean {
  return l.macs > 0 || l.device === 'cpu' || l.source === 'force' || l.source === 'optimiser';
}

export function formatPlacementTable(r: Report, color: boolean, width = 120): string {
  const paint = (code: string, s: string): string => (color ? `${code}${s}${C.off}` : s);
  const rows = r.layers.filter(shown);
  const nameW = Math.min(28, Math.max(5, ...rows.map((l) => l.name.length)));
  const opW = Math.min(16, Math.max(2, ...rows.map((l) => l.op.length)));
  const precW = Math.max(5, ...rows.map((l) => l.precision.length));
  const head = `${pad('layer', nameW)}  ${pad('op', opW)}  ${pad('prec', precW)}  dev  ${padL('est', 10)}  reason`;
  const lines = [paint(C.bold, head)];
  const reasonW = Math.max(20, width - head.length + 'reason'.length);
  const indent = ' '.repeat(head.length - 'reason'.length);
  for (const l of rows) {
    // Neither the name nor the reason is cut: both wrap under their columns (a long ONNX name
    // breaks after a '/' or '.' where it can).
    const names = splitName(l.name, nameW);
    const reasons = wrapText(l.reason, reasonW);
    const dev = paint(l.device === 'npu' ? C.npu : C.cpu, l.device.toUpperCase());
    const row = `${pad(names[0], nameW)}  ${pad(l.op.slice(0, opW), opW)}  ${pad(l.precision, precW)}  ${dev}  ${padL(l.estTimeUs === null ? '–' : fmtUs(l.estTimeUs), 10)}  `;
    lines.push(`${row}${reasons[0]}`);
    for (let i = 1; i < Math.max(names.length, reasons.length); i++) {
      lines.push(`${pad(names[i] ?? '', nameW)}${indent.slice(nameW)}${reasons[i] ?? ''}`.trimEnd());
    }
  }
  const hidden = r.layers.length - rows.length;
  if (hidden > 0) lines.push(paint(C.dim, `(+${hidden} weightless layers on the NPU with their neighbours; see report.html)`));
  const t = r.totals;
  lines.push(`${paint(C.bold, 'total')}: ${t.layers.npu} layers on the NPU, ${t.layers.cpu} on the CPU, ${r.segments.length} segments, `
    + `${t.transitions} transitions; ${t.latencyUs === null ? 'no time estimate' : `est. ${fmtUs(t.latencyUs)} (${(t.fps ?? 0).toFixed(2)} FPS)`}; flash ${fmtBytes(t.flash.total)} `
    + `(NPU ${fmtBytes(t.flash.byDevice.npu)}, CPU ${fmtBytes(t.flash.byDevice.cpu)})`);
  return lines.join('\n') + '\n';
}

// report.json, report.html and the terminal table on Tiny YOLOv2 (conv7/conv8 at w4a8); the
// HTML is rendered in headless Chromium (Debian's chromium through playwright-core).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildTinyYoloV2Qdq, calibrationTensors } from '../examples/tiny-yolov2/build';
import { decodeModel } from '../frontend/onnx/import';
import { lower } from '../driver/frontend';
import { Graph } from '../core/ir/graph';
import { placeAndPartition } from '../placement/stage';
import { PlacementOptions } from '../placement/placement';
import { buildReport, formatPlacementTable, renderReportHtml, Report } from '../report';
import { splitName } from '../report/table';
import { stm32n6TargetFor } from '../targets/stm32n6';
/** ST Edge AI 2.2's rules (NPU int8 only): conv7/conv8 (w4a8) on the CPU, the report's mixed case. */
const stm32n6Target = stm32n6TargetFor('2.2');
import { emitStm32n6 } from '../targets/stm32n6/emit';
import { cpuPools } from '../targets/stm32n6/mpool';

function tinyYolo(): Graph {
  const ranges: Record<string, [number, number]> = {};
  for (const t of [...calibrationTensors('voc'), 'input', 'output']) ranges[t] = [-4, 6];
  return lower(decodeModel(buildTinyYoloV2Qdq({ size: 416, layout: 'voc' }, ranges)));
}

let g: Graph;
let report: Report;
let html: string;
let files: Record<string, string | Uint8Array>;
/** What `hsq compile --target stm32n6` does after the quantized passes: place, partition, emit, report. */
function make(opts: PlacementOptions = {}): { report: Report; files: Record<string, string | Uint8Array> } {
  const placed = placeAndPartition(g, stm32n6Target, opts);
  const e = emitStm32n6(placed, { name: 'ty', stedgeaiVersion: '2.2' });
  return { report: buildReport({ target: stm32n6Target, model: 'tiny-yolov2-voc-416.onnx', name: 'ty', placed, fields: e.report, precision: { layers: [] } }), files: e.files };
}
beforeAll(() => {
  g = tinyYolo();
  ({ report, files } = make());
  html = renderReportHtml(report);
});

/** Bytes of the constant arrays of a generated kernel (symbols fn_*) in the emitted weights files. */
function kernelArrayBytes(fn: string): number {
  const size: Record<string, number> = { int8_t: 1, int32_t: 4, float: 4 };
  let bytes = 0;
  for (const [f, body] of Object.entries(files)) {
    if (!f.endsWith('_m55_weights.c')) continue;
    const text = typeof body === 'string' ? body : Buffer.from(body).toString('latin1');
    for (const m of text.matchAll(new RegExp(`const (int8_t|int32_t|float) ${fn}_\\w+\\[(\\d+)\\]`, 'g'))) bytes += size[m[1]] * Number(m[2]);
  }
  return bytes;
}

describe('report.json', () => {
  test('one entry per layer with device, precision, reason, MACs, weights, shapes, time', () => {
    const names = report.layers.map((l) => l.name);
    expect(new Set(names).size).toBe(names.length);
    for (let i = 1; i <= 9; i++) expect(names).toContain(`conv${i}`);
    const c7 = report.layers.find((l) => l.name === 'conv7')!;
    expect(c7).toMatchObject({ op: 'Conv', device: 'cpu', precision: 'w4a8', widened: false, source: 'policy' });
    expect(c7.macs).toBe(13 * 13 * 1024 * 512 * 9);
    expect(c7.weightCount).toBe(1024 * 512 * 9);
    // The cost model's estimate: packed int4 + int32 bias + float scale per channel; what is
    // emitted: the generated kernel's arrays (the same here: packed weights, bias, multiplier).
    expect(c7.estimatedFlashBytes).toBe(1024 * 512 * 9 / 2 + 1024 * 8);
    const fn = c7.cpuKernels![0].fn!;
    expect(c7.cpuKernels).toEqual([expect.objectContaining({ op: 'QConv', kernel: 'generated', kind: 'conv', precision: 'w4a8' })]);
    expect(c7.weightBytes).toBe(kernelArrayBytes(fn));
    expect(c7.weightBytes).toBe(1024 * 512 * 9 / 2 + 1024 * 8);
    // An NPU conv: its int8 weights and int32 biases, as handed to stedgeai.
    expect(report.layers.find((l) => l.name === 'conv5')!.weightBytes).toBe(256 * 128 * 9 + 256 * 4);
    expect(c7.shapes).toEqual({ inputs: [[1, 512, 13, 13]], outputs: [[1, 1024, 13, 13]] });
    expect(c7.npuConstraints).toBeUndefined(); // widened it would run: no failed constraint to show
    const c1 = report.layers.find((l) => l.name === 'conv1')!;
    expect(c1).toMatchObject({ device: 'npu', precision: 'w8a8' });
    expect(c1.estTimeUs).toBeGreaterThan(0);
    const q = report.layers.find((l) => l.name === 'input_QuantizeLinear')!;
    expect(q.npuConstraints).toEqual(['float quantize/dequantize at a float boundary runs on the CPU']);
    for (const l of report.layers) expect(l.segment).toBeGreaterThanOrEqual(0);
  });

  test('totals add up: latency = layer times + hand-overs, FPS, flash per memory, transitions', () => {
    const t = report.totals;
    const sum = report.layers.reduce((a, l) => a + l.estTimeUs!, 0);
    expect(t.latencyUs!).toBeCloseTo(sum + t.transitionUs!, 1);
    expect(t.fps!).toBeCloseTo(1e6 / t.latencyUs!, 2);
    expect(t.flash.total).toBe(report.layers.reduce((a, l) => a + l.weightBytes, 0) + t.flash.unattributed);
    expect(t.flash.unattributed).toBeLessThan(16 * report.segments.length);
    expect(t.flash.total).toBe(t.flash.byDevice.npu + t.flash.byDevice.cpu);
    expect(t.flash.byDevice.npu).toBe(report.layers.filter((l) => l.device === 'npu').reduce((a, l) => a + l.weightBytes, 0));
    expect(t.flash.estimated!.total).toBe(report.layers.reduce((a, l) => a + l.estimatedFlashBytes!, 0));
    expect(t.flash.byMemory).toEqual({ octoFlash: t.flash.total });
    expect(t.transitions).toBe(report.segments.length - 1);
    expect(report.segments.map((s) => s.device)).toEqual(['cpu', 'npu', 'cpu', 'npu', 'cpu']);
    expect(t.layers.npu + t.layers.cpu).toBe(report.layers.length);
    expect(report.optimisation.candidates).toEqual(['conv7', 'conv8']);
    expect(report.optimisation.candidateWeightShare).toBeCloseTo(0.893, 3);
  });

  test('deterministic, and arena offsets come from the memory plan: tensors crossing segments live in hsq\'s CPU pools', () => {
    expect(JSON.stringify(make().report)).toBe(JSON.stringify(report));
    const cpu = new Set(cpuPools().map((p) => p.name));
    // Exactly the layers whose output another segment reads have a place (pool6 hands conv7 its input).
    const crossing = new Set(report.segments.flatMap((s) => s.inputs));
    const producers = report.layers.filter((l) => l.nodes.some((n) => g.nodes.find((x) => x.name === n)?.outputs.some((o) => crossing.has(o)))).map((l) => l.name);
    const placedOuts = report.layers.filter((l) => l.arenaOffset);
    expect(placedOuts.map((l) => l.name)).toEqual(producers);
    expect(producers).toEqual(['input_QuantizeLinear', 'pool6', 'conv8', 'conv9']);
    for (const l of placedOuts) {
      expect(cpu.has(l.arenaOffset!.pool)).toBe(true);
      expect(l.arenaOffset!.offset % 32).toBe(0);
    }
    const used = report.memory.pools.filter((p) => cpu.has(p.name)).reduce((a, p) => a + p.used!, 0);
    expect(report.totals.ram.bytes).toBe(used);
    expect(report.totals.ram.lowerBound).toBeLessThanOrEqual(used);
  });
});

describe('terminal table', () => {
  test('colour only when asked; layers with weights and CPU layers listed; totals line', () => {
    const plain = formatPlacementTable(report, false);
    expect(plain).not.toMatch(/\x1b\[/);
    expect(plain).toMatch(/^conv7\s+Conv\s+w4a8\s+CPU\s/m);
    expect(plain).toMatch(/^conv9\s+Conv\s+w8a8\s+NPU\s/m);
    expect(plain).toMatch(/^leaky7\s+LeakyRelu\s+a8\s+CPU\s/m);
    expect(plain).not.toMatch(/^pool1\s/m);
    expect(plain).toContain('weightless layers on the NPU');
    expect(plain).toMatch(/total: 20 layers on the NPU, 5 on the CPU, 5 segments, 4 transitions; est\. .* FPS/);
    const col = formatPlacementTable(report, true);
    expect(col).toContain('\x1b[33mCPU\x1b[0m');
    expect(col.replace(/\x1b\[[0-9;]*m/g, '')).toBe(plain);
  });

  test('reasons wrap under their column at the width, never cut: every word of every reason is printed', () => {
    const width = 80;
    const plain = formatPlacementTable(report, false, width);
    expect(plain).not.toContain('…');
    const lines = plain.split('\n');
    const col = lines[0].indexOf('reason');
    const rows = lines.slice(1).filter((l) => !l.startsWith('total') && !l.startsWith('(+'));
    for (const l of rows) expect(l.length).toBeLessThanOrEqual(Math.max(width, col + 20));
    const printed = rows.map((l) => l.slice(col)).join(' ').split(/\s+/).filter(Boolean);
    const reasons = report.layers.filter((l) => plain.includes(`${l.name} `)).flatMap((l) => l.reason.split(/\s+/));
    expect(reasons.length).toBeGreaterThan(0);
    // Continuation lines hold nothing but reason text, aligned to the column.
    for (const l of rows.filter((r) => r.startsWith(' '))) expect(l.slice(0, col).trim()).toBe('');
    expect(printed.join(' ')).toContain(reasons.join(' ').slice(0, 200));
    expect(rows.length).toBeGreaterThan(report.layers.filter((l) => plain.includes(`${l.name} `)).length);
  });
});

describe('long layer names', () => {
  test('a long ONNX name wraps in its column (after a / where it can), never cut', () => {
    const long = '/backbone/blocks.11/attention/proj/Conv_output_quantized';
    const r: Report = { ...report, layers: report.layers.map((l) => (l.name === 'conv7' ? { ...l, name: long } : l)) };
    const plain = formatPlacementTable(r, false, 100);
    expect(plain).not.toContain('…');
    const lines = plain.split('\n');
    const i = lines.findIndex((l) => l.startsWith('/backbone/'));
    expect(i).toBeGreaterThan(0);
    const col = lines[0].indexOf('  op');
    const pieces: string[] = [];
    for (let k = i; k < lines.length && (k === i || !/^\S/.test(lines[k]) || pieces.join('').length < long.length); k++) pieces.push(lines[k].slice(0, col).trim());
    expect(pieces.join('').startsWith(long)).toBe(true);
    expect(splitName(long, 28)).toEqual(['/backbone/blocks.11/', 'attention/proj/', 'Conv_output_quantized']);
    expect(splitName('a'.repeat(60), 28).map((p) => p.length)).toEqual([28, 28, 4]);
  });
});

describe('report.html', () => {
  test('self-contained: no script, no external resource, one chart group per layer, every layer in the table', () => {
    expect(html).not.toMatch(/<script|<link|<img|src=|href=|@import|url\(/i);
    expect(html.match(/https?:\/\/[^"]*/g)).toEqual(['http://www.w3.org/2000/svg']); // the SVG namespace only
    expect(html.match(/<g class="layer /g)).toHaveLength(report.layers.length);
    for (const l of report.layers) expect(html).toContain(`data-layer="${l.name}"`);
    expect(html).toContain('89.3 % of the weights');
    expect(html).toContain('<h2>Memory</h2>');
    expect(renderReportHtml(report)).toBe(html);
  });

  test('renders in headless Chromium without console errors; screenshot saved', async () => {
    let pw: typeof import('playwright-core');
    try {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      pw = require('playwright-core');
    } catch {
      throw new Error('playwright-core is not installed: add it as a devDependency (npm i -D playwright-core); Debian chromium is at /usr/bin/chromium');
    }
    const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsq-chromium-'));
    const ctx = await pw.chromium.launchPersistentContext(userDataDir, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
      viewport: { width: 1400, height: 900 },
    });
    try {
      const requests: string[] = [];
      await ctx.route('**/*', (route) => { requests.push(route.request().url()); return route.abort(); });
      const page = await ctx.newPage();
      const errors: string[] = [];
      page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`); });
      page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
      await page.setContent(html, { waitUntil: 'load' });
      const groups = await page.locator('svg#chart g.layer').count();
      expect(groups).toBe(report.layers.length);
      // Bars are drawn: each group has a time bar with a positive rendered height.
      const heights = await page.$$eval('svg#chart g.layer rect.t', (rs) => rs.map((r) => (r as SVGGraphicsElement).getBBox().height));
      expect(heights).toHaveLength(report.layers.length);
      expect(heights.every((h) => h > 0)).toBe(true);
      // NPU and CPU bars get different colours.
      const fills = await page.$$eval('svg#chart g.layer rect.t', (rs) => rs.map((r) => getComputedStyle(r).fill));
      expect(new Set(fills).size).toBeGreaterThanOrEqual(3);
      const rows = await page.locator('table.layers tbody tr').count();
      expect(rows).toBe(report.layers.length);
      // Tables wrap instead of overflowing: at a 1400 px viewport nothing is wider than the page.
      const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(scrollWidth).toBeLessThanOrEqual(1400);
      const out = path.join(__dirname, '.tmp', 'report-tiny-yolov2.png');
      fs.mkdirSync(path.dirname(out), { recursive: true });
      await page.screenshot({ path: out, fullPage: true });
      expect(fs.statSync(out).size).toBeGreaterThan(10000);
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await ctx.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    }
  }, 120000);
});

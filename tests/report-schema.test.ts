// One report.json schema for every target (report/report.schema.json, hsq-report/2), checked
// with ajv on what `hsq compile` writes for host, cortex-m55 and stm32n6: the seeded Tiny YOLOv2
// (QDQ, conv7/conv8 at w4a8) and the shared QONNX MNIST CNN. The flash total is checked against
// the weight arrays declared in the emitted files and the NPU weights in the segment ONNX.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildTinyYoloV2Qdq, calibrationTensors } from '../examples/tiny-yolov2/build';
import { decodeModel } from '../frontend/onnx/import';
import { numel } from '../core/ir/tensor';
import { compile, CompileResult } from '../driver/compile';
import { REPORT_JSON_SCHEMA, Report, validateReport } from '../report';
import { SHARED } from './support/conformance';
import { describeShared, haveShared, testShared } from './support/shared';

const MNIST = path.join(SHARED, 'models/qonnx/mnist-conv/model.onnx');
const TARGETS = ['host', 'cortex-m55', 'stm32n6'] as const;
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'hsq-report-'));

const C_SIZES: Record<string, number> = { int8_t: 1, uint8_t: 1, int16_t: 2, uint16_t: 2, int32_t: 4, uint32_t: 4, float: 4 };

/** Bytes of every constant array declared in the CPU weights files of OUT (not the NPU segments' emulation). */
function cpuArrayBytes(out: string, npuSegments: readonly string[]): number {
  let bytes = 0;
  for (const f of fs.readdirSync(out).filter((x) => x.endsWith('_weights.c') && !npuSegments.some((s) => x.startsWith(`${s}_`)))) {
    const text = fs.readFileSync(path.join(out, f), 'latin1');
    for (const m of text.matchAll(/const\s+(u?int(?:8|16|32)_t|float)\s+\w+\[(\d+)\]/g)) bytes += C_SIZES[m[1]] * Number(m[2]);
  }
  return bytes;
}

/** int8 weights and int32 biases of the NPU segments' ONNX: the DequantizeLinear inputs feeding a Conv/Gemm's weight or bias. */
function npuWeightBytes(out: string): number {
  const dir = path.join(out, 'npu');
  if (!fs.existsSync(dir)) return 0;
  let bytes = 0;
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.onnx'))) {
    const m = decodeModel(fs.readFileSync(path.join(dir, f)));
    const feeds = new Set(m.nodes.filter((n) => ['Conv', 'Gemm', 'MatMul'].includes(n.op)).flatMap((n) => [n.inputs[1], n.inputs[2]]));
    for (const dq of m.nodes.filter((n) => n.op === 'DequantizeLinear' && feeds.has(n.outputs[0]))) {
      const t = m.initializers[dq.inputs[0]];
      // int4 weights (ST Edge AI 3.0+, native on the NPU) are two a byte in the blob.
      bytes += t.dtype === 'int32' ? numel(t.shape) * 4 : t.dtype === 'int4' ? Math.ceil(numel(t.shape) / 2) : numel(t.shape);
    }
  }
  return bytes;
}

function onnxNodeNames(file: string): Set<string> {
  return new Set(decodeModel(fs.readFileSync(file)).nodes.map((n) => n.name));
}

interface Compiled { result: CompileResult; report: Report; json: unknown; out: string }

describe('report.json: one schema for every target', () => {
  const dir = tmp();
  const models: Record<string, { file: string; quantize?: Record<string, unknown> }> = {};
  const compiled: Record<string, Record<string, Compiled>> = {};

  beforeAll(async () => {
    const ranges: Record<string, [number, number]> = {};
    for (const t of [...calibrationTensors('voc'), 'input', 'output']) ranges[t] = [-4, 6];
    const ty = path.join(dir, 'tiny-yolov2.onnx');
    fs.writeFileSync(ty, buildTinyYoloV2Qdq({ size: 160, layout: 'voc' }, ranges));
    models.tyqdq = { file: ty };
    if (haveShared()) models.mnist = { file: MNIST, quantize: { calib: 'random', calibSeed: 0 } };
    for (const [k, m] of Object.entries(models)) {
      compiled[k] = {};
      for (const target of TARGETS) {
        const out = path.join(dir, `${k}-${target}`);
        const result = await compile({ model: m.file, out, target, quantize: m.quantize });
        const json = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8'));
        compiled[k][target] = { result, report: json as Report, json, out };
      }
    }
  }, 300000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('the schema is strict JSON Schema that rejects a report missing a required field or with a stray one', () => {
    const r = compiled.tyqdq.host.json as Record<string, unknown>;
    expect(validateReport(r)).toEqual([]);
    const { totals: _t, ...noTotals } = r;
    expect(validateReport(noTotals)).toEqual(["(root): must have required property 'totals'"]);
    expect(validateReport({ ...r, extra: 1 })).toEqual(['(root): must NOT have additional properties (extra)']);
    const badLayer = { ...r, layers: [{ ...(r.layers as object[])[0], device: 'gpu' }] };
    expect(validateReport(badLayer).join('\n')).toMatch(/^\/layers\/0\/device: /m);
    expect((REPORT_JSON_SCHEMA.properties.schema as { const: string }).const).toBe('hsq-report/2');
  });

  for (const k of ['tyqdq', 'mnist']) {
    (k === 'mnist' ? describeShared : describe)(k, () => {
      test.each(TARGETS)('%s: report.json valid against the schema; report.html written', (target) => {
        const c = compiled[k][target];
        expect(validateReport(c.json)).toEqual([]);
        expect(c.report.schema).toBe('hsq-report/2');
        expect(c.report.target).toBe(target);
        expect(c.report.model).toBe(path.basename(models[k].file));
        expect(c.result.files).toEqual(expect.arrayContaining(['report.json', 'report.html']));
        const html = fs.readFileSync(path.join(c.out, 'report.html'), 'utf8');
        expect(html.match(/<g class="layer /g)).toHaveLength(c.report.layers.length);
        // The returned report is what was written.
        expect(JSON.parse(JSON.stringify(c.result.report))).toEqual(c.json);
      });

      test.each(TARGETS)('%s: totals.flash.total is the weight bytes emitted; the layers own all of it but the blobs\' end padding', (target) => {
        const { report: r, out, result } = compiled[k][target];
        const npuSegs = r.segments.filter((s) => s.device === 'npu').map((s) => `${r.name}_seg${s.id}`);
        const cpu = cpuArrayBytes(out, npuSegs);
        const npu = npuWeightBytes(out);
        expect(cpu).toBeGreaterThan(0);
        expect(r.totals.flash.byDevice).toEqual({ npu, cpu });
        expect(r.totals.flash.total).toBe(cpu + npu);
        expect(result.weightsSize).toBe(r.totals.flash.total);
        const owned = r.layers.reduce((a, l) => a + l.weightBytes, 0);
        expect(owned + r.totals.flash.unattributed).toBe(r.totals.flash.total);
        const blobs = fs.readdirSync(out).filter((f) => /_weights\.c$/.test(f) && !/_m55_weights\.c$/.test(f) && !npuSegs.some((s) => f.startsWith(`${s}_`))).length;
        expect(r.totals.flash.unattributed).toBeLessThanOrEqual(16 * blobs);
        // Every layer with weights holds at least its weights, packed to their bits.
        for (const l of r.layers.filter((x) => x.weightCount > 0)) {
          const bits = Number(/^w(\d+)/.exec(l.precision)?.[1] ?? 8);
          expect({ name: l.name, atLeast: l.weightBytes >= Math.floor((l.weightCount * Math.min(bits, 8)) / 8) }).toEqual({ name: l.name, atLeast: true });
        }
      });

      test('the same layers under the same names on every target; estimates only with a cost model', () => {
        const names = TARGETS.map((t) => compiled[k][t].report.layers.map((l) => l.name));
        expect(names[1]).toEqual(names[0]);
        expect(names[2]).toEqual(names[0]);
        for (const t of ['host', 'cortex-m55'] as const) {
          const r = compiled[k][t].report;
          expect(r.layers.every((l) => l.device === 'cpu' && l.estTimeUs === null && l.reason === `${t} has no NPU: every layer runs on the CPU`)).toBe(true);
          expect(r.totals.latencyUs).toBeNull();
          expect(r.totals.flash.estimated).toBeNull();
          expect(r.optimisation).toBeUndefined();
          expect(r.costParams).toBeUndefined();
          expect(r.segments).toHaveLength(1);
          expect(r.memory.pools.map((p) => [p.name, p.base, p.kind])).toEqual([['arena', null, 'ram'], ['.hsq_weights', null, 'flash']]);
          expect(r.memory.pools[0].used).toBe(r.totals.ram.bytes);
        }
        const n6 = compiled[k].stm32n6.report;
        expect(n6.layers.every((l) => l.estTimeUs !== null && l.estimatedFlashBytes !== null)).toBe(true);
        expect(n6.totals.flash.estimated!.total).toBe(n6.layers.reduce((a, l) => a + l.estimatedFlashBytes!, 0));
        expect(n6.optimisation).toBeDefined();
        // stedgeai owns the NPU pools: hsq reports no use of them; hsq's CPU pools add up to its RAM.
        for (const p of n6.memory.pools) expect(p.used === null).toBe(p.device === 'npu');
        const cpuRam = n6.memory.pools.filter((p) => p.kind === 'ram' && p.used !== null).reduce((a, p) => a + p.used!, 0);
        expect(cpuRam).toBe(n6.totals.ram.bytes);
        for (const p of n6.memory.pools) expect(Number.isInteger(p.base)).toBe(true);
        // The precision stage's report is in every target's report.
        for (const t of TARGETS) expect(compiled[k][t].report.precision).toEqual(compiled[k].host.report.precision);
      });
    });
  }

  test('Tiny YOLOv2 (QDQ): every layer is named after a node of the ONNX file', () => {
    const names = onnxNodeNames(models.tyqdq.file);
    for (const t of TARGETS) for (const l of compiled.tyqdq[t].report.layers) expect({ t, name: l.name, known: names.has(l.name) }).toEqual({ t, name: l.name, known: true });
    // cortex-m55 says what computes each quantized conv.
    const c7 = compiled.tyqdq['cortex-m55'].report.layers.find((l) => l.name === 'conv7')!;
    expect(c7.cpuKernels).toEqual([expect.objectContaining({ op: 'QConv', kernel: 'generated', kind: 'conv' })]);
  });

  test.each(TARGETS)('%s: one arena figure (the header\'s NAME_ARENA_SIZE = report.json totals.ram.arena = the CLI\'s) and one weights figure (totals.flash.total)', (target) => {
    const out = path.join(dir, `cli-${target}`);
    const r = spawnSync(process.execPath, [path.resolve(__dirname, '../bin/hsq.js'), 'compile', models.tyqdq.file, '--target', target, '-o', out, '--name', 'ty'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const rep = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) as Report;
    const header = fs.readFileSync(path.join(out, 'ty.h'), 'utf8').match(/^#define TY_ARENA_SIZE (\d+)$/m);
    expect(header).not.toBeNull();
    const arena = Number(header![1]);
    expect(rep.totals.ram.arena).toBe(arena);
    expect(rep.totals.ram.arena).toBeGreaterThanOrEqual(rep.totals.ram.bytes);
    expect(rep.totals.flash.total).toBe(compiled.tyqdq[target].report.totals.flash.total);
    const line = r.stdout.trim().split('\n').pop()!;
    expect(line).toMatch(new RegExp(`\\(arena ${arena} bytes, `));
    expect(line).toContain(`; weights ${rep.totals.flash.total} bytes)`);
    // Several pools of hsq's own (stm32n6): each listed with the bytes its plan uses; they add up to totals.ram.bytes.
    const mine = rep.memory.pools.filter((p) => p.kind === 'ram' && p.used !== null);
    if (mine.length > 1) {
      expect(line).toContain(`hsq's pools: ${mine.map((p) => `${p.name} ${p.used}`).join(', ')}`);
      expect(mine.reduce((a, p) => a + p.used!, 0)).toBe(rep.totals.ram.bytes);
    } else expect(line).not.toContain('pools');
  });

  testShared('MNIST (quantized by hsq): the precision report names the calibration', () => {
    expect(compiled.mnist.stm32n6.report.precision.calibration).toMatchObject({ data: 'random', method: 'minmax' });
    expect(compiled.mnist.stm32n6.report.precision.layers.length).toBeGreaterThan(0);
  });
});

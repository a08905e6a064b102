// On-target trace (-DHSQ_TRACE): the emitted C reports every tensor a CPU layer writes through
// hsq_trace_layer; verify's C engines read it (host, and cortex-m55 in one QEMU boot) and check
// each layer against the interpreter, and `hsq verify --trace FILE` replays a board's trace.
// A fault injected into one layer's bias (HSQ_FAULT_INJECT, test-only) is found at that layer.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { replayTrace, verifyModel } from '../driver/commands/verify';
import { runModel } from '../driver/commands/run';
import { setWarningSink } from '../core/diagnostics';
import { FAULT_ENV } from '../targets/c/fault-inject';
import { fnv1a32, parseTrace } from '../targets/c/trace';
import { qdqSmallCnn } from './verify-fixtures';
import { m55Suite } from './support/m55-tools';
import { SHARED } from './support/conformance';
import { testShared } from './support/shared';

let restore: ReturnType<typeof setWarningSink>;
beforeAll(() => { restore = setWarningSink(() => undefined); });
afterAll(() => setWarningSink(restore));

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsq-trace-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const QDQ = path.join(dir, 'small_qdq.onnx');
fs.writeFileSync(QDQ, qdqSmallCnn().qdq);

/** Runs `f` with HSQ_FAULT_INJECT set to `spec`. */
async function withFault<T>(spec: string, f: () => Promise<T>): Promise<T> {
  process.env[FAULT_ENV] = spec;
  try { return await f(); } finally { delete process.env[FAULT_ENV]; }
}

const base = { model: QDQ, random: 2, seed: 4, sanitize: false, scalar: false, 'per-layer': true } as const;

describe('verify --per-layer: the traced host C, layer by layer', () => {
  test('every layer observed and bit-exact with the interpreter', async () => {
    const r = await verifyModel({ ...base, target: 'host' });
    expect(r.json.ok).toBe(true);
    expect(r.json.layers.length).toBeGreaterThanOrEqual(5);
    for (const l of r.json.layers) expect([l.name, l.exactVsInterpreter]).toEqual([l.name, 1]);
  });

  test('a bias off by one in conv2 is found at conv2, not before, not after', async () => {
    const r = await withFault('bias:conv2', () => verifyModel({ ...base, target: 'host' }));
    expect(r.json.ok).toBe(false);
    expect(r.json.firstDivergence).toEqual({ layer: 'conv2', engine: 'host' });
    const by = Object.fromEntries(r.json.layers.map((l) => [l.name, l]));
    expect(by.conv1.exactVsInterpreter).toBe(1);
    expect(by.conv2.exactVsInterpreter).toBeLessThan(1);
  });
});

/** A traced run (hsq run --trace) on seeded random inputs, written as a board would leave it: a log with trace lines. */
async function traceRun(target: string, fault?: string): Promise<{ traceFile: string; inputs: string }> {
  const tag = `${target}-${fault ?? 'ok'}`.replace(/[^a-z0-9-]/gi, '_');
  const run = () => runModel({ model: QDQ, target, random: 1, seed: 7, trace: 'x', sanitize: false, scalar: false, 'dump-dir': 'hsq-dump' });
  const r = fault ? await withFault(fault, run) : await run();
  const traceFile = path.join(dir, `${tag}.log`);
  fs.writeFileSync(traceFile, `boot banner\n${r.trace}done\n`);
  const inputs = path.join(dir, `${tag}-inputs`);
  fs.mkdirSync(inputs, { recursive: true });
  const { encodeTensorProto } = await import('../frontend/onnx/tensor-proto');
  r.inputNames.forEach((n, k) => fs.writeFileSync(path.join(inputs, `input_${k}.pb`), encodeTensorProto(r.inputs![n], n)));
  return { traceFile, inputs };
}

describe('verify --trace FILE: a trace replayed through the interpreter', () => {
  test('host: the clean trace is equal line for line; a faulted build\'s trace diverges first at conv2', async () => {
    const ok = await traceRun('host');
    const good = await replayTrace({ model: QDQ, trace: ok.traceFile, inputs: ok.inputs, seed: 0, sanitize: false, scalar: false });
    expect(good.json.ok).toBe(true);
    expect(good.json.lines).toBeGreaterThanOrEqual(5);
    expect(good.json.matched).toBe(good.json.lines);
    const bad = await traceRun('host', 'bias:conv2');
    const r = await replayTrace({ model: QDQ, trace: bad.traceFile, inputs: bad.inputs, seed: 0, sanitize: false, scalar: false });
    expect(r.json.ok).toBe(false);
    expect(r.json.firstDivergence?.layer).toBe('conv2');
    expect(r.text).toMatch(/first divergence: layer conv2/);
  });
});

describe('stm32n6: the glue traces what the board sees of the NPU', () => {
  test('after every NPU segment, one HSQ_TRACE_LAYER per segment output (index: the segment id); the CPU segments trace their own layers', async () => {
    const { compile } = await import('../driver/compile');
    const out = path.join(dir, 'n6');
    const r = await compile({ model: QDQ, out, target: 'stm32n6', name: 'small' });
    const glue = fs.readFileSync(path.join(out, 'small.c'), 'utf8');
    const npu = r.report.segments.filter((g) => g.device === 'npu');
    expect(npu.length).toBeGreaterThan(0);
    const calls = [...glue.matchAll(/HSQ_TRACE_LAYER\((\d+), "([^"]+)", out\[(\d+)\], (\d+)\);/g)].map((m) => [Number(m[1]), m[2]]);
    expect(calls).toEqual(npu.flatMap((g) => g.outputs.map((t) => [g.id, t])));
    const cpu = r.report.segments.filter((g) => g.device === 'cpu');
    for (const g of cpu) expect(fs.readFileSync(path.join(out, `small_seg${g.id}.c`), 'utf8')).toMatch(/HSQ_TRACE_LAYER\(0, /);
  });
});

describe('trace text', () => {
  test('parse: index, name, bytes, hash and base64 data; other lines skipped; a bad line is an error naming it', () => {
    const data = Uint8Array.from([1, 2, 3, 250]);
    const h = fnv1a32(data).toString(16).padStart(8, '0');
    const text = `boot\nHSQTRACE 0 conv1_out 4 ${h} ${Buffer.from(data).toString('base64')}\r\nHSQTRACE 1 y 4 ${h}\n`;
    const e = parseTrace(text, 't.txt');
    expect(e.map((x) => [x.index, x.name, x.bytes, x.hash, x.line])).toEqual([[0, 'conv1_out', 4, fnv1a32(data), 2], [1, 'y', 4, fnv1a32(data), 3]]);
    expect([...e[0].data!]).toEqual([1, 2, 3, 250]);
    expect(e[1].data).toBeUndefined();
    expect(() => parseTrace('HSQTRACE 0 x 4', 't.txt')).toThrow(/t\.txt:1: 3 fields/);
    expect(() => parseTrace('HSQTRACE 0 x 3 0000000g', 't.txt')).toThrow(/t\.txt:1: hash/);
  });
  test('fnv1a32: the published test vectors', () => {
    expect(fnv1a32(new Uint8Array())).toBe(0x811c9dc5);
    expect(fnv1a32(Buffer.from('a'))).toBe(0xe40c292c);
    expect(fnv1a32(Buffer.from('foobar'))).toBe(0xbf9cf968);
  });
});

const arm = m55Suite('trace.test (cortex-m55)', false);
arm.maybe('verify --per-layer --target cortex-m55: intermediate tensors from QEMU through the trace', () => {
  beforeAll(() => arm.require());
  test('every layer bit-exact; the injected fault found at its layer (one QEMU boot each)', async () => {
    const ok = await verifyModel({ ...base, target: 'cortex-m55' });
    expect(ok.json.ok).toBe(true);
    for (const l of ok.json.layers) expect([l.name, l.exactVsInterpreter]).toEqual([l.name, 1]);
    const bad = await withFault('bias:conv1', () => verifyModel({ ...base, target: 'cortex-m55' }));
    expect(bad.json.firstDivergence).toEqual({ layer: 'conv1', engine: 'cortex-m55' });
  }, 600_000);
  test('verify --trace on a cortex-m55 trace from QEMU (semihosting): clean equal, faulted diverges at conv1', async () => {
    const ok = await traceRun('cortex-m55');
    expect((await replayTrace({ model: QDQ, target: 'cortex-m55', trace: ok.traceFile, inputs: ok.inputs, seed: 0, sanitize: false, scalar: false })).json.ok).toBe(true);
    const bad = await traceRun('cortex-m55', 'bias:conv1');
    const r = await replayTrace({ model: QDQ, target: 'cortex-m55', trace: bad.traceFile, inputs: bad.inputs, seed: 0, sanitize: false, scalar: false });
    expect(r.json.firstDivergence?.layer).toBe('conv1');
  }, 600_000);
});

arm.maybe('verify --per-layer --target stm32n6: the emulated program in QEMU, traced by tensor name', () => {
  beforeAll(() => arm.require());
  test('every layer (NPU segments emulated, CPU layers) bit-exact with the interpreter; an injected fault found at its layer', async () => {
    const ok = await verifyModel({ ...base, random: 1, target: 'stm32n6' });
    expect(ok.json.ok).toBe(true);
    expect(ok.json.layers.some((l) => l.device === 'npu')).toBe(true);
    for (const l of ok.json.layers) expect([l.name, l.exactVsInterpreter]).toEqual([l.name, 1]);
    const bad = await withFault('bias:conv2', () => verifyModel({ ...base, random: 1, target: 'stm32n6' }));
    expect(bad.json.firstDivergence).toEqual({ layer: 'conv2', engine: 'stm32n6' });
  }, 600_000);
});

// The acceptance models, through the trace of the cortex-m55 C in QEMU.
const ESPCN = path.join(SHARED, 'models', 'qonnx', 'bsd300x3-espcn');
const BLAZEFACE = path.join(SHARED, 'models', 'real', 'mediapipe-blazeface', 'face_detection_front_128x128.onnx');
arm.maybe('verify --per-layer --target cortex-m55 on the shared models', () => {
  beforeAll(() => arm.require());
  testShared('Brevitas ESPCN and BlazeFace (--calib random): every layer observed in QEMU and bit-exact, every layer with an ORT figure', async () => {
    const espcn = await verifyModel({ model: path.join(ESPCN, 'subpixel', 'quant_model.onnx'), target: 'cortex-m55', inputs: path.join(ESPCN, 'test_data'), seed: 0, sanitize: false, scalar: false, 'per-layer': true });
    expect(espcn.json.layerSummary).toEqual({ layers: 7, withOrtFigure: 7, failing: 0 });
    for (const l of espcn.json.layers) expect([l.name, l.exactVsInterpreter]).toEqual([l.name, 1]);
    const bf = await verifyModel({ model: BLAZEFACE, target: 'cortex-m55', calib: 'random', random: 1, seed: 3, sanitize: false, scalar: false, 'per-layer': true });
    expect(bf.json.failures).toEqual([]);
    expect(bf.json.layerSummary.layers).toBeGreaterThan(90);
    expect(bf.json.layerSummary.withOrtFigure).toBeGreaterThanOrEqual(bf.json.layerSummary.layers / 2);
    for (const l of bf.json.layers) expect([l.name, l.exactVsInterpreter]).toEqual([l.name, 1]);
  }, 1_200_000);
});

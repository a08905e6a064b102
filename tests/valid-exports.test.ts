// Issue 11 item 6: every model hsq writes loads in ONNX Runtime and follows its opset's rules.
// An opset-9 model (attributes that later became inputs: Clip, Pad, Slice, Squeeze/Unsqueeze,
// ReduceMean, Split; Upsample; an opset-9 Softmax over a non-last axis) upgraded to opset 21 by
// frontend/onnx/opset-upgrade.ts computes what the original computes in ORT; the exporter
// upgrades a graph whose nodes ask for different opsets; `--emit-onnx` and `--dump-after`
// files load in ORT; and a compile that fails writes no `--emit-onnx` file.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ModelBuilder, DT, attr, floatTensor } from '../examples/lib/onnx-builder';
import { decodeModel } from '../frontend/onnx/import';
import { encodeModel } from '../frontend/onnx/export';
import { upgradeDefaultOpset } from '../frontend/onnx/opset-upgrade';
import { inferShapes } from '../passes/shape-inference';
import { runGraph } from '../ops/engine/interpreter';
import { makeTensor } from '../core/ir/tensor';
import { setWarningSink } from '../core/diagnostics';
import { Rng } from '../examples/lib/prng';
import { openOrt, runOrt } from '../verify/ort';
import { compile } from '../driver/compile';
import { SHARED } from './support/conformance';
import { testShared } from './support/shared';
import { compareTol } from './support/op-cases/harness';

function opset9Model(): Uint8Array {
  const b = new ModelBuilder('old', 4, 9);
  b.input('x', DT.FLOAT, [1, 2, 6, 8]);
  b.node({ op: 'Clip', name: 'clip', inputs: ['x'], outputs: ['c'], attrs: { min: attr.float(-1), max: attr.float(1.5) } });
  b.node({ op: 'Pad', name: 'pad', inputs: ['c'], outputs: ['p'], attrs: { pads: attr.ints([0, 0, 1, 2, 0, 0, 1, 0]), mode: attr.string('constant'), value: attr.float(0.25) } });
  b.node({ op: 'Slice', name: 'slice', inputs: ['p'], outputs: ['s'], attrs: { starts: attr.ints([1, 0]), ends: attr.ints([7, 9]), axes: attr.ints([2, 3]) } });
  b.node({ op: 'Split', name: 'split', inputs: ['s'], outputs: ['s1', 's2'], attrs: { axis: attr.int(3), split: attr.ints([4, 5]) } });
  b.node({ op: 'ReduceMean', name: 'mean', inputs: ['s2'], outputs: ['m'], attrs: { axes: attr.ints([3]), keepdims: attr.int(1) } });
  b.node({ op: 'Squeeze', name: 'sq', inputs: ['m'], outputs: ['q'], attrs: { axes: attr.ints([3]) } });
  b.node({ op: 'Unsqueeze', name: 'unsq', inputs: ['q'], outputs: ['u'], attrs: { axes: attr.ints([3]) } });
  b.node({ op: 'Add', name: 'add', inputs: ['s1', 'u'], outputs: ['a'] });
  b.initializer(floatTensor('scales', [4], [1, 1, 2, 2]));
  b.node({ op: 'Upsample', name: 'up', inputs: ['a', 'scales'], outputs: ['up'], attrs: { mode: attr.string('nearest') } });
  b.node({ op: 'Softmax', name: 'softmax', inputs: ['up'], outputs: ['y'], attrs: { axis: attr.int(2) } });
  b.output('y', DT.FLOAT, [1, 2, 12, 8]);
  return b.encode();
}

const x = makeTensor('float32', [1, 2, 6, 8], new Rng(3).fillNormal(new Float32Array(96), 0, 1.5));

describe('valid exports', () => {
  test('an opset-9 model upgraded to opset 21: ORT loads it and computes the original numbers', async () => {
    const old = opset9Model();
    const want = (await runOrt(old, { x })).y;
    const g = inferShapes(decodeModel(old));
    const up = upgradeDefaultOpset(g, 21);
    expect(up.nodes.every((n) => n.opset === 21)).toBe(true);
    expect(up.nodes.find((n) => n.op === 'Clip')!.attrs).toEqual({});
    expect(up.nodes.some((n) => n.op === 'Upsample')).toBe(false);
    const bytes = encodeModel(up);
    const got = (await runOrt(bytes, { x })).y;
    expect(compareTol(got, want)).toBeNull();
    // and the interpreter reads both forms alike
    expect(compareTol(runGraph(up, { x }).y, want)).toBeNull();
    expect(compareTol(runGraph(g, { x }).y, want)).toBeNull();
  });

  test('the exporter moves every node to the highest opset a node asks for', async () => {
    const g = inferShapes(decodeModel(opset9Model()));
    // a pass-created node at opset 13 (as per-axis DequantizeLinear would be)
    const mixed = { ...g, nodes: g.nodes.map((n) => (n.op === 'Add' ? { ...n, opset: 13 } : n)) };
    const bytes = encodeModel(mixed);
    const back = decodeModel(bytes);
    expect(back.opsets['']).toBe(13);
    expect(back.nodes.find((n) => n.op === 'Clip')!.inputs.length).toBe(3);
    const want = (await runOrt(opset9Model(), { x })).y;
    expect(compareTol((await runOrt(bytes, { x })).y, want)).toBeNull();
  });

  test('--emit-onnx and --dump-after files load in ORT; a failed compile writes no --emit-onnx file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsq-exports-'));
    const restore = setWarningSink(() => undefined);
    try {
      const model = path.join(dir, 'old.onnx');
      fs.writeFileSync(model, opset9Model());
      const q = path.join(dir, 'q.onnx');
      await compile({ model, out: path.join(dir, 'out'), target: 'host', quantize: { calib: 'random', emitOnnx: q }, dumpAfter: ['all'], dumpDir: path.join(dir, 'dump') });
      const written = [q, ...walk(path.join(dir, 'dump')).filter((f) => f.endsWith('.onnx'))];
      expect(written.length).toBeGreaterThan(3);
      for (const f of written) await expect(runOrt(f, { x }).then(() => 'ok', (e) => `${f}: ${(e as Error).message.split('\n')[0]}`)).resolves.toBe('ok');

      // Resize linear over three axes: the interpreter runs it (calibration works), the C
      // backend does not; the compile fails after the precision stage.
      const bad = new ModelBuilder('bad', 8, 19);
      bad.input('x', DT.FLOAT, [2, 3, 4]);
      bad.initializer(floatTensor('sc', [3], [2, 2, 2]));
      bad.node({ op: 'Resize', name: 'rs', inputs: ['x', '', 'sc'], outputs: ['y'], attrs: { mode: attr.string('linear') } });
      bad.output('y', DT.FLOAT, [4, 6, 8]);
      const badModel = path.join(dir, 'bad.onnx');
      fs.writeFileSync(badModel, bad.encode());
      const q2 = path.join(dir, 'bad-q.onnx');
      await expect(compile({ model: badModel, out: path.join(dir, 'bad-out'), target: 'host', quantize: { calib: 'random', emitOnnx: q2 } })).rejects.toThrow(/node 'rs' \(Resize\)/);
      expect(fs.existsSync(q2)).toBe(false);
      expect(fs.existsSync(path.join(dir, 'bad-out'))).toBe(false);
    } finally {
      setWarningSink(restore);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120000);

  const paddle = path.join(SHARED, 'models/real/paddleocr/ch_PP-OCRv4_det_infer.onnx');
  testShared('PaddleOCR det: --emit-onnx (stm32n6) and its NPU segments load in ORT', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsq-paddle-'));
    const restore = setWarningSink(() => undefined);
    try {
      const q = path.join(dir, 'q.onnx');
      await compile({ model: paddle, out: path.join(dir, 'out'), target: 'stm32n6', inputShapes: { x: [1, 3, 160, 160] }, quantize: { calib: 'random', emitOnnx: q } });
      const files = [q, ...walk(path.join(dir, 'out')).filter((f) => f.endsWith('.onnx'))];
      expect(files.length).toBeGreaterThan(1);
      // Through verify/ort alone (a direct require would bind ORT's addon to this file's realm).
      for (const f of files) await expect(openOrt(f).then((s) => s.release()).then(() => 'ok', (e) => `${path.basename(f)}: ${(e as Error).message.split('\n')[0]}`)).resolves.toBe('ok');
    } finally {
      setWarningSink(restore);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 300000);
});

function walk(d: string): string[] {
  if (!fs.existsSync(d)) return [];
  return fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
}

// Seeded YOLOv8n builder: structure as Ultralytics exports it, parameter count counted from
// the protobuf's initializers, determinism, and ONNX Runtime runs with the Detect decode
// checked against an independent reimplementation in this file.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { onnx } from 'onnx-proto';
import {
  ULTRALYTICS_YOLOV8N_PARAMS, buildYoloV8n, inputShape, main, makeAnchors, numAnchors, outputShape,
} from '../examples/yolov8n/build';
import { randomInput } from '../examples/lib/random-input';
import { runOrt } from '../verify/ort';

/** The decoded graph with its repeated fields typed as present (protobufjs fills them). */
interface G {
  node: onnx.NodeProto[];
  initializer: onnx.TensorProto[];
  input: onnx.ValueInfoProto[];
  output: onnx.ValueInfoProto[];
}
const graph = (bytes: Uint8Array) => onnx.ModelProto.decode(bytes).graph as unknown as G;
const elems = (t: onnx.TensorProto) => t.dims.reduce((a: number, d) => a * Number(d), 1);
// rawData decodes as a view into a shared buffer; copy before reinterpreting.
const f32 = (raw: Uint8Array) => new Float32Array(new Uint8Array(raw).buffer);
const i64 = (raw: Uint8Array) => Array.from(new BigInt64Array(new Uint8Array(raw).buffer), Number);
const attrOf = (n: onnx.NodeProto, k: string) => n.attribute.find((a) => a.name === k);
const ints = (n: onnx.NodeProto, k: string) => (attrOf(n, k)?.ints ?? []).map(Number);
const str = (n: onnx.NodeProto, k: string) => new TextDecoder().decode(attrOf(n, k)!.s!);

/** Learnable parameters: every Conv's weight and bias initializers (the DFL's fixed 16 included, as Ultralytics counts them). */
function convParams(g: G): number {
  const init = new Map(g.initializer.map((t) => [t.name, t]));
  let n = 0;
  for (const node of g.node.filter((x) => x.opType === 'Conv')) {
    for (const name of node.input.slice(1)) {
      const t = init.get(name);
      if (!t) throw new Error(`Conv '${node.name}' input '${name}' is not an initializer`);
      n += elems(t);
    }
  }
  return n;
}

describe('YOLOv8n at 192, seed 1', () => {
  let bytes: Uint8Array;
  let g: G;
  beforeAll(() => {
    bytes = buildYoloV8n({ size: 192, seed: 1 });
    g = graph(bytes);
  });

  test('opset 17; input images [1,3,192,192], output output0 [1,84,756]', () => {
    const m = onnx.ModelProto.decode(bytes);
    expect(Number(m.opsetImport.find((o) => !o.domain)!.version)).toBe(17);
    expect(g.input.map((i) => i.name)).toEqual(['images']);
    expect(g.input[0].type!.tensorType!.shape!.dim!.map((d) => Number(d.dimValue))).toEqual([1, 3, 192, 192]);
    expect(g.output.map((o) => o.name)).toEqual(['output0']);
    expect(g.output[0].type!.tensorType!.shape!.dim!.map((d) => Number(d.dimValue))).toEqual([1, 84, 756]);
    expect(numAnchors(192)).toBe(576 + 144 + 36);
    expect(numAnchors(640)).toBe(8400);
    expect(outputShape({ size: 384 })).toEqual([1, 84, 3024]);
    expect(inputShape()).toEqual([1, 3, 192, 192]);
  });

  test(`${ULTRALYTICS_YOLOV8N_PARAMS} conv parameters, counted from the initializers`, () => {
    const n = convParams(g);
    expect(Math.abs(n - ULTRALYTICS_YOLOV8N_PARAMS) / ULTRALYTICS_YOLOV8N_PARAMS).toBeLessThan(0.03);
    expect(n).toBe(3_151_904); // the fused Ultralytics yolov8n, exactly
    // The rest: anchors [1,2,N], strides [1,N], Resize scales, the Div constant, int64 shapes.
    const all = g.initializer.reduce((a, t) => a + elems(t), 0);
    expect(all - n).toBe(3 * 756 + 4 + 1 + 22);
    // BN is folded: no BatchNormalization node, every learnable conv has a bias.
    expect(g.node.some((x) => x.opType === 'BatchNormalization')).toBe(false);
    const convs = g.node.filter((x) => x.opType === 'Conv');
    expect(convs.filter((c) => c.input.length === 3)).toHaveLength(63);
  });

  test('ops: Conv, SiLU as Sigmoid+Mul, C2f Split/Concat, SPPF MaxPool, Resize, DFL Softmax', () => {
    const count: Record<string, number> = {};
    for (const n of g.node) count[n.opType!] = (count[n.opType!] ?? 0) + 1;
    expect(count).toEqual({
      Conv: 64, Sigmoid: 58, Mul: 58, Split: 10, Add: 8, Concat: 19, MaxPool: 3, Resize: 2,
      Reshape: 5, Transpose: 1, Softmax: 1, Sub: 2, Div: 1,
    });
    expect(g.node).toHaveLength(232);
    const byOut = new Map(g.node.flatMap((n) => n.output.map((o) => [o, n] as const)));
    // SiLU: all Sigmoids but the class scores' are x * Sigmoid(x) on a Conv output.
    const silu = g.node.filter((n) => n.opType === 'Mul' && byOut.get(n.input[1])?.opType === 'Sigmoid');
    expect(silu).toHaveLength(57);
    for (const m of silu) {
      const sig = byOut.get(m.input[1])!;
      expect(sig.input[0]).toBe(m.input[0]);
      expect(byOut.get(m.input[0])!.opType).toBe('Conv');
    }
    // C2f Split: opset-13 form, sizes as an int64 input, two halves along channels.
    const init = new Map(g.initializer.map((t) => [t.name, t]));
    const splits = g.node.filter((n) => n.opType === 'Split').map((n) => n.name);
    const c2fNames = [2, 4, 6, 8, 12, 15, 18, 21].map((i) => `/model.${i}/Split`);
    expect(splits).toEqual([...c2fNames, '/model.22/Split', '/model.22/Split_1']); // + box/cls, + lt/rb
    const c2fSplits = g.node.filter((n) => c2fNames.includes(n.name!));
    for (const s of c2fSplits) {
      const sizes = i64(init.get(s.input[1])!.rawData!);
      expect(sizes).toHaveLength(2);
      expect(sizes[0]).toBe(sizes[1]);
      expect(Number(attrOf(s, 'axis')!.i)).toBe(1);
    }
    // SPPF: three chained MaxPool k5 s1 p2, concatenated with their input.
    const pools = g.node.filter((n) => n.opType === 'MaxPool');
    for (const p of pools) {
      expect(ints(p, 'kernel_shape')).toEqual([5, 5]);
      expect(ints(p, 'strides')).toEqual([1, 1]);
      expect(ints(p, 'pads')).toEqual([2, 2, 2, 2]);
    }
    expect(pools[1].input[0]).toBe(pools[0].output[0]);
    expect(pools[2].input[0]).toBe(pools[1].output[0]);
    const sppfCat = g.node.find((n) => n.name === '/model.9/Concat')!;
    expect(sppfCat.input).toEqual([pools[0].input[0], ...pools.map((p) => p.output[0])]);
    // Resize: nearest ×2 by scales, asymmetric, floor.
    for (const r of g.node.filter((n) => n.opType === 'Resize')) {
      expect(r.input[1]).toBe('');
      expect(Array.from(f32(init.get(r.input[2])!.rawData!))).toEqual([1, 1, 2, 2]);
      expect(str(r, 'mode')).toBe('nearest');
      expect(str(r, 'coordinate_transformation_mode')).toBe('asymmetric');
      expect(str(r, 'nearest_mode')).toBe('floor');
    }
    // DFL: Softmax over the 16 bins (axis 1 after the transpose), conv with fixed weights 0..15.
    expect(Number(attrOf(g.node.find((n) => n.opType === 'Softmax')!, 'axis')!.i)).toBe(1);
    expect(Array.from(f32(init.get('model.22.dfl.conv.weight')!.rawData!))).toEqual(Array.from({ length: 16 }, (_, i) => i));
    // Channels: backbone 16, 32, 64, 128, 256 (the stride-2 convs' outputs).
    const w = (name: string) => init.get(name)!.dims.map(Number);
    expect(['model.0', 'model.1', 'model.3', 'model.5', 'model.7'].map((m) => w(`${m}.conv.weight`)[0])).toEqual([16, 32, 64, 128, 256]);
    expect(w('model.9.cv1.conv.weight')).toEqual([128, 256, 1, 1]);
    expect(w('model.22.cv2.0.2.weight')).toEqual([64, 64, 1, 1]);
    expect(w('model.22.cv3.2.2.weight')).toEqual([80, 80, 1, 1]);
    expect(w('model.21.cv2.conv.weight')).toEqual([256, 384, 1, 1]);
  });

  test('is deterministic in its seed; conv weights do not depend on the size', () => {
    const again = buildYoloV8n({ size: 192, seed: 1 });
    expect(Buffer.compare(Buffer.from(again), Buffer.from(bytes))).toBe(0);
    const other = buildYoloV8n({ size: 192, seed: 2 });
    expect(other.length).toBe(bytes.length);
    expect(Buffer.compare(Buffer.from(other), Buffer.from(bytes))).not.toBe(0);
    const big = new Map(graph(buildYoloV8n({ size: 256, seed: 1 })).initializer.map((t) => [t.name, t]));
    for (const t of g.initializer.filter((x) => x.name!.startsWith('model.'))) {
      expect(Buffer.compare(Buffer.from(big.get(t.name)!.rawData!), Buffer.from(t.rawData!))).toBe(0);
    }
  });

  test('rejects a size that is not a multiple of 32', () => {
    expect(() => buildYoloV8n({ size: 200 })).toThrow(/multiple of 32/);
    expect(() => buildYoloV8n({ numClasses: 0 })).toThrow(/--classes/);
  });

  test('ONNX Runtime: [1,84,756], finite, decode matches DFL + dist2bbox recomputed here', async () => {
    // Also fetch the head's raw box distributions and class logits.
    const m = onnx.ModelProto.decode(bytes);
    const raw = ['/model.22/Split_output_0', '/model.22/Split_output_1'];
    for (const name of raw) m.graph!.output!.push(onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: 1 } } }));
    const out = await runOrt(onnx.ModelProto.encode(m).finish(), { images: randomInput([1, 3, 192, 192], 3) });
    const y = out.output0;
    expect(y.shape).toEqual([1, 84, 756]);
    const d = y.data as Float32Array;
    expect(d.every(Number.isFinite)).toBe(true);
    const N = 756;
    const box = out[raw[0]].data as Float32Array;
    const logit = out[raw[1]].data as Float32Array;
    expect(out[raw[0]].shape).toEqual([1, 64, N]);
    // Anchor a: level by index, cell (x, y) row-major, centre at +0.5, in stride units.
    let maxErr = 0;
    for (let a = 0; a < N; a++) {
      const [s, i] = a < 576 ? [8, a] : a < 720 ? [16, a - 576] : [32, a - 720];
      const gw = 192 / s;
      const ax = (i % gw) + 0.5, ay = Math.floor(i / gw) + 0.5;
      const dist = [0, 1, 2, 3].map((k) => {
        const v = Array.from({ length: 16 }, (_, j) => box[(k * 16 + j) * N + a]);
        const mx = Math.max(...v);
        const e = v.map((x) => Math.exp(x - mx));
        const z = e.reduce((p, q) => p + q, 0);
        return e.reduce((p, q, j) => p + j * q, 0) / z;
      });
      const want = [ax + (dist[2] - dist[0]) / 2, ay + (dist[3] - dist[1]) / 2, dist[0] + dist[2], dist[1] + dist[3]].map((v) => v * s);
      for (let r = 0; r < 4; r++) maxErr = Math.max(maxErr, Math.abs(d[r * N + a] - want[r]) / (1 + Math.abs(want[r])));
      for (let c = 0; c < 80; c++) {
        const p = 1 / (1 + Math.exp(-logit[c * N + a]));
        maxErr = Math.max(maxErr, Math.abs(d[(4 + c) * N + a] - p));
      }
    }
    expect(maxErr).toBeLessThan(1e-4);
    // makeAnchors agrees with the layout assumed above.
    const { points, strides } = makeAnchors(192);
    expect([points[0], points[N], strides[0]]).toEqual([0.5, 0.5, 8]);
    expect([points[577], points[N + 577], strides[577]]).toEqual([1.5, 0.5, 16]);
    expect([points[N - 1], points[2 * N - 1], strides[N - 1]]).toEqual([5.5, 5.5, 32]);
    // Non-degenerate: widths and heights within the DFL range (0..30 strides), class scores
    // spread over (0, 1) rather than stuck at 0 or 1 (measured, seed 1: mean ≈ 0.2, ~6 % > 0.9).
    for (let a = 0; a < N; a++) {
      const s = strides[a];
      for (const r of [2, 3]) {
        expect(d[r * N + a]).toBeGreaterThanOrEqual(0);
        expect(d[r * N + a]).toBeLessThanOrEqual(30 * s);
      }
    }
    const cls = d.subarray(4 * N);
    const mean = cls.reduce((p, q) => p + q, 0) / cls.length;
    const sd = Math.sqrt(cls.reduce((p, q) => p + (q - mean) ** 2, 0) / cls.length);
    expect(mean).toBeGreaterThan(0.02);
    expect(mean).toBeLessThan(0.5);
    expect(sd).toBeGreaterThan(0.05);
    const high = cls.filter((v) => v > 0.5).length / cls.length;
    expect(high).toBeGreaterThan(0.001);
    expect(high).toBeLessThan(0.5);
  });
});

describe('CLI', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsq-yolov8n-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('writes the model; ORT runs it from its path at 64 with 3 classes', async () => {
    const file = path.join(dir, 'y.onnx');
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      main(['--size', '64', '--seed', '3', '--classes', '3', '-o', file]);
    } finally {
      write.mockRestore();
    }
    expect(Buffer.compare(fs.readFileSync(file), Buffer.from(buildYoloV8n({ size: 64, seed: 3, numClasses: 3 })))).toBe(0);
    const out = await runOrt(file, { images: randomInput([1, 3, 64, 64], 1) });
    expect(out.output0.shape).toEqual([1, 7, 64 + 16 + 4]);
    expect((out.output0.data as Float32Array).every(Number.isFinite)).toBe(true);
  });

  test('bad option: exit code 2, one error line, existing output untouched', () => {
    const file = path.join(dir, 'keep.onnx');
    fs.writeFileSync(file, 'old');
    const exit = jest.spyOn(process, 'exit').mockImplementation(((code: number) => { throw new Error(`exit ${code}`); }) as never);
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(() => main(['--size', '100', '-o', file])).toThrow('exit 2');
      expect(String(err.mock.calls[0][0])).toMatch(/--size must be a positive multiple of 32, got 100/);
      expect(() => main(['--width', '2', '-o', file])).toThrow('exit 2');
      expect(String(err.mock.calls[1][0])).toMatch(/unknown option '--width'/);
      expect(() => main(['--size', '192'])).toThrow('exit 2');
      expect(String(err.mock.calls[2][0])).toMatch(/-o FILE is required/);
    } finally {
      exit.mockRestore();
      err.mockRestore();
    }
    expect(fs.readFileSync(file, 'utf8')).toBe('old');
  });
});

// Where precisions come from (CLI > config > annotations > model > default), conflicts warned
// with both sources, impossible precisions as errors naming the layer, and pre-quantized models
// (the 4-bit QONNX ESPCN) keeping their own integers.
import { decodeModel, loadModel } from '../frontend/onnx/import';
import { HsqError, setWarningSink } from '../core/diagnostics';
import { Graph, Node } from '../core/ir/graph';
import { roundHalfEven } from '../core/numerics';
import {
  dequantizeWeights, quantizeModel, resolvePrecisions, runFloatPasses, runQuantizedPasses, loadCalibration, encodeQdqOnnx,
} from '../precision';
import { runOrt } from '../verify/ort';
import { smallCnnBytes } from './quantize-helpers';
import { describeShared, sharedPath, testShared } from './support/shared';

const ESPCN = sharedPath('models/qonnx/bsd300x3-espcn/subpixel/quant_model.onnx');

let warnings: string[] = [];
let restore: ReturnType<typeof setWarningSink>;
beforeAll(() => { restore = setWarningSink((m) => warnings.push(m)); });
beforeEach(() => { warnings = []; });
afterAll(() => setWarningSink(restore));

function thrown(f: () => unknown): HsqError {
  try { f(); } catch (e) { if (e instanceof HsqError) return e; throw e; }
  throw new Error('expected an HsqError');
}

/** The integer weight a (Q)Conv reads, and the node it belongs to (by origin). */
function convWeight(g: Graph, origin: string): { ints: ArrayLike<number>; node: Node } {
  const n = g.nodes.find((m) => (m.origin ?? [m.name]).includes(origin) && (m.op === 'QConv' || m.op === 'Conv'))!;
  expect(n).toBeDefined();
  if (n.op === 'QConv') return { ints: g.initializers[n.inputs[1]].data as Int8Array, node: n };
  const dq = g.nodes.find((m) => m.outputs.includes(n.inputs[1]));
  if (!dq) throw new Error(`${origin}: no DequantizeLinear produces ${n.op} weight '${n.inputs[1]}' (${g.initializers[n.inputs[1]]?.dtype})`);
  return { ints: g.initializers[dq.inputs[0]].data as Int8Array, node: n };
}

describeShared('QONNX ESPCN (Brevitas, 4-bit) keeps its own precision', () => {
  const raw = loadModel(ESPCN);
  const fg = runFloatPasses(raw);

  test('resolved from the model: conv1 w8 (float input), middle convs w4a4, last w8a4', () => {
    const p = resolvePrecisions(fg);
    expect(p.get('Conv_5')).toMatchObject({ source: 'model', text: 'w8a32' });
    expect(p.get('Conv_17')).toMatchObject({ source: 'model', text: 'w4a4' });
    expect(p.get('Conv_29')).toMatchObject({ source: 'model', text: 'w4a4' });
    expect(p.get('Conv_41')).toMatchObject({ source: 'model', text: 'w8a4' });
    expect(warnings).toEqual([]);
  });

  test('stored integer weights equal round(w / scale) of the model (no requantization)', () => {
    const q = quantizeModel(fg);  // nothing to calibrate: every layer is the model's
    const ig = runQuantizedPasses(q);
    const quants = raw.nodes.filter((n) => n.op === 'Quant' && n.inputs[0] in raw.initializers);
    expect(quants).toHaveLength(4);
    for (const qn of quants) {
      const conv = raw.nodes.find((n) => n.op === 'Conv' && n.inputs[1] === qn.outputs[0])!;
      const w = raw.initializers[qn.inputs[0]];
      const s = raw.initializers[qn.inputs[1]];
      const bits = Number(raw.initializers[qn.inputs[3]].data[0]);
      const hi = 2 ** (bits - 1) - 1;
      const per = w.data.length / w.shape[0];
      // BatchNormalization folding may negate a channel (scale factor < 0): compare up to sign per channel.
      const bn = raw.nodes.find((n) => n.op === 'BatchNormalization' && n.inputs[0] === conv.outputs[0]);
      const sign = (c: number) => (bn && Number(raw.initializers[bn.inputs[1]].data[c]) < 0 ? -1 : 1);
      // What the quantizer hands on (every conv), and what the compiled graph stores for the
      // convs that became QConv (Conv_5 has a float input and Conv_41 a DepthToSpace before its
      // Q, so they run as float convs on the model's dequantized weights).
      const graphs: [string, Graph][] = [['quantizer output', q]];
      if (['Conv_17', 'Conv_29'].includes(conv.name)) graphs.push(['compiled QConv', ig]);
      for (const [where, gr] of graphs) {
        const { ints, node } = convWeight(gr, conv.name);
        if (where === 'compiled QConv') expect(node.op).toBe('QConv');
        let mismatches = 0;
        for (let i = 0; i < w.data.length; i++) {
          const c = Math.floor(i / per);
          const sc = Number(s.data[s.data.length === 1 ? 0 : c]);
          const want = Math.max(-hi, Math.min(hi, roundHalfEven(Math.fround(Number(w.data[i]) / sc))));
          if (ints[i] !== sign(c) * want && !(want === 0 && ints[i] === 0)) mismatches++;
        }
        expect({ conv: conv.name, where, mismatches }).toEqual({ conv: conv.name, where, mismatches: 0 });
      }
    }
  });

  test('a different width than the model: warning names the layer and both sources; weights requantized', () => {
    const q = quantizeModel(fg, { cli: ['Conv_17=w8a4'] });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/layer 'Conv_17'/);
    expect(warnings[0]).toMatch(/--precision 'Conv_17=w8a4'/);
    expect(warnings[0]).toMatch(/w4a4 from the model's own quantization/);
    expect(warnings[0]).toMatch(/requantized from their dequantized values to 8 bits/);
    const conv = q.nodes.find((n) => n.name === 'Conv_17')!;
    const dq = q.nodes.find((n) => n.outputs.includes(conv.inputs[1]))!;
    const wq = q.tensors[dq.inputs[0]].quant!;
    expect(wq.bits).toBe(8);
    expect(wq.source).toBe('hsq-requantized');
    // The new integers represent the model's dequantized 4-bit weights within half an 8-bit step.
    const old = fg.nodes.find((n) => n.name === 'Conv_17')!;
    const odq = fg.nodes.find((n) => n.outputs.includes(old.inputs[1]))!;
    const before = dequantizeWeights(fg.initializers[odq.inputs[0]], fg.tensors[odq.inputs[0]].quant!).data as Float32Array;
    const after = dequantizeWeights(q.initializers[dq.inputs[0]], wq).data as Float32Array;
    const per = before.length / wq.scale.length;
    for (let i = 0; i < before.length; i++) expect(Math.abs(before[i] - after[i])).toBeLessThanOrEqual(wq.scale[Math.floor(i / per)] * 0.5 * (1 + 1e-5));
    // Still a QConv after recognition.
    expect(runQuantizedPasses(q).nodes.find((n) => (n.origin ?? []).includes('Conv_17'))!.op).toBe('QConv');
  });

  test('a different activation width: the input quantizer is re-parameterized over the same range', () => {
    const q = quantizeModel(fg, { cli: ['Conv_17=w4a8'] });
    expect(warnings[0]).toMatch(/input activation quantizer changed to 8 bits/);
    const conv = q.nodes.find((n) => n.name === 'Conv_17')!;
    const dq = q.nodes.find((n) => n.outputs.includes(conv.inputs[0]))!;
    const aq = q.tensors[dq.inputs[0]].quant!;
    expect(aq.bits).toBe(8);
    expect(aq.signed).toBe(false);
    // The model's u4 range [0, 15 · 0.046119742] is kept: 255 steps now.
    expect(aq.scale[0] * 255).toBeCloseTo(15 * 0.046119742, 5);
  });

  test('CLI over config: warning names both', () => {
    resolvePrecisions(fg, { cli: ['Conv_17=w8a4'], config: { 'Conv_*': 'w2a4' } });
    const w = warnings.find((m) => m.includes("config precision['Conv_*']") && m.includes("layer 'Conv_17'"))!;
    expect(w).toMatch(/layer 'Conv_17'.*--precision 'Conv_17=w8a4'.*w2a4 from config precision\['Conv_\*'\]/);
  });
});

describe('precision sources and errors on a float model', () => {
  const fg0 = runFloatPasses(decodeModel(smallCnnBytes()));
  // An op with no quantized form at the end (Erf: hsq's quantizer leaves it float).
  const fg: Graph = {
    ...fg0, outputs: ['ye'], tensors: { ...fg0.tensors, ye: { ...fg0.tensors.y, name: 'ye' } },
    nodes: [...fg0.nodes, { name: 'erf', op: 'Erf', domain: '', inputs: ['y'], outputs: ['ye'], attrs: {} }],
  };

  test('order: CLI > config > annotation > default; globs and comma lists', () => {
    const g: Graph = { ...fg, annotations: { conv1: { precision: 'w2a8' }, 'conv*': { precision: 'w4a4' } } };
    const p = resolvePrecisions(g, { cli: ['conv2,fc=w4a8'], config: { conv1: 'w3a8', fc: 'w8a8' } });
    expect(p.get('conv2')).toMatchObject({ source: 'cli', text: 'w4a8' });
    expect(p.get('fc')).toMatchObject({ source: 'cli', text: 'w4a8' });
    expect(p.get('conv1')).toMatchObject({ source: 'config', text: 'w3a8' });
    expect(p.get('conv1')!.conflicts.map((c) => c.source)).toEqual(['annotation']);
    expect(p.get('leaky2')).toMatchObject({ source: 'default', text: 'w8a8' });
    expect(p.get('sm')).toMatchObject({ source: 'default', text: 'w8a8' });  // Softmax: DQ, float32, Q
    expect(p.has('erf')).toBe(false);  // Erf has no quantized form: stays float
    const q = resolvePrecisions({ ...fg, annotations: { 'conv*': { precision: 'w4a8' } } });
    expect(q.get('conv1')).toMatchObject({ source: 'annotation', text: 'w4a8' });
    expect(q.get('conv2')).toMatchObject({ source: 'annotation', text: 'w4a8' });
  });

  test('impossible precisions are errors naming the layer', () => {
    let e = thrown(() => resolvePrecisions(fg, { cli: ['erf=w4a8'] }));
    expect(e.kind).toBe('bad-input');
    expect(e.subject).toBe('erf');
    expect(e.message).toMatch(/node 'erf' \(Erf\) has no quantized form; precision w4a8 is impossible/);
    e = thrown(() => resolvePrecisions(fg, { cli: ['sm=w4a8'] }));
    expect(e.message).toMatch(/node 'sm' \(Softmax\) has no weights; w4a8 is impossible/);
    e = thrown(() => resolvePrecisions(fg, { config: { leaky2: 'w4a8' } }));
    expect(e.message).toMatch(/config precision\['leaky2'\]: node 'leaky2' \(LeakyRelu\) has no weights; w4a8 is impossible/);
    e = thrown(() => resolvePrecisions(fg, { cli: ['conv9=w4a8'] }));
    expect(e.message).toMatch(/'conv9' matches no node/);
    e = thrown(() => resolvePrecisions(fg, { cli: ['e??=w4a8'] }));
    expect(e.message).toMatch(/matches only nodes with no quantized form/);
    e = thrown(() => resolvePrecisions({ ...fg, annotations: { erf: { precision: 'w4a8' } } }));
    expect(e.message).toMatch(/model annotation 'erf'.*'erf' \(Erf\)/);
    e = thrown(() => resolvePrecisions(fg, { cli: ['conv1=w5a8'] }));
    expect(e.message).toMatch(/weight bits 5/);
  });

  test('mixed widths: 4-bit weights as INT4, 2-bit and 1-bit in int8 with the range, a4 as INT4 in ONNX Runtime', async () => {
    const calib = loadCalibration(fg0, 'random', { randomSamples: 2 });
    const q = quantizeModel(fg0, { calib, cli: ['conv1=w2a8', 'conv2=w4a4', 'fc=w1a8'] });
    const w = (name: string) => {
      const n = q.nodes.find((m) => m.name === name)!;
      const dq = q.nodes.find((m) => m.outputs.includes(n.inputs[1]))!;
      return { t: q.initializers[dq.inputs[0]], quant: q.tensors[dq.inputs[0]].quant! };
    };
    expect(w('conv1').t.dtype).toBe('int8');
    expect(w('conv1').quant).toMatchObject({ bits: 2, narrow: true });
    expect(Array.from(w('conv1').t.data as Int8Array).every((v) => v >= -1 && v <= 1)).toBe(true);
    expect(w('conv2').t.dtype).toBe('int4');
    expect(Array.from(w('conv2').t.data as Int8Array).every((v) => v >= -7 && v <= 7)).toBe(true);
    expect(w('fc').quant).toMatchObject({ bits: 1, bipolar: true });
    expect(Array.from(w('fc').t.data as Int8Array).every((v) => v === 1 || v === -1)).toBe(true);
    // conv2's input (the pool output, shared with the relu output) is 4-bit.
    const c2 = q.nodes.find((m) => m.name === 'conv2')!;
    const xdq = q.nodes.find((m) => m.outputs.includes(c2.inputs[0]))!;
    expect(q.tensors[xdq.inputs[0]].quant).toMatchObject({ bits: 4, signed: true });
    const bytes = encodeQdqOnnx(q);
    const m = decodeModel(bytes);
    // conv2 reads it through an INT4 container; the Relu output before the MaxPool keeps int8 + Clip.
    expect(m.tensors[xdq.inputs[0]].dtype).toBe('int4');
    expect(m.nodes.some((n) => n.op === 'Clip')).toBe(true);
    const x = loadCalibration(fg0, 'random', { seed: 5 })[0];
    const ort = await runOrt(bytes, x);
    const ours = (await import('../ops/engine/interpreter')).runGraph(runQuantizedPasses(q), x);
    const d = Math.max(...Array.from(ort.y.data as Float32Array, (v, i) => Math.abs(v - (ours.y.data as Float32Array)[i])));
    expect(d).toBeLessThan(0.02);
  });
});

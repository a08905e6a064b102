// The QONNX reference (verify/qonnx-reference): Quant / BipolarQuant / Trunc lowered to standard
// ONNX and run in ONNX Runtime equal a direct evaluation of qonnx's formulas (custom_op/general:
// int_quant, binary_quant, trunc_v1/v2 with numpy's float32 arithmetic), element for element and
// bit for bit (signed zeros and NaN included), for every rounding mode and signed / narrow / bit
// width combination, at the opsets where Round and GreaterOrEqual exist and where they are built
// from older ops. Then on the shared QONNX models.
import * as fs from 'fs';
import * as path from 'path';
import { Graph, Node } from '../core/ir/graph';
import { Tensor, makeTensor } from '../core/ir/tensor';
import { HsqError } from '../core/diagnostics';
import { encodeModel } from '../frontend/onnx/export';
import { loadModel } from '../frontend/onnx/import';
import { readTensorFile } from '../frontend/onnx/tensor-proto';
import { decodeNpy } from '../frontend/npy';
import { runGraph } from '../ops/engine/interpreter';
import { qonnxReference, ORT_REFERENCE_OPTIONS, QONNX_DOMAINS } from '../verify/qonnx-reference';
import { runOrt, runOrtMany } from '../verify/ort';
import { graph, node, rng } from './passes-helpers';
import { describeShared, sharedPath, testShared } from './support/shared';

const f = Math.fround;

// ---- qonnx's formulas, evaluated as numpy does on float32 arrays (every result rounded) ----
const npSign = (x: number) => (x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : NaN);
function npRound(x: number): number {
  if (!Number.isFinite(x)) return x;
  const fl = Math.floor(x), d = x - fl;
  const r = d > 0.5 ? fl + 1 : d < 0.5 ? fl : fl % 2 === 0 ? fl : fl + 1;
  return r === 0 && (x < 0 || Object.is(x, -0)) ? -0 : r;
}
const MODES: Record<string, (x: number) => number> = {
  ROUND: npRound,
  HALF_EVEN: npRound,
  CEIL: Math.ceil,
  FLOOR: Math.floor,
  UP: (x) => f(npSign(x) * Math.ceil(Math.abs(x))),
  DOWN: (x) => (x >= 0 ? Math.floor(x) : Math.ceil(x)),
  HALF_UP: (x) => f(npSign(x) * Math.floor(f(Math.abs(x) + 0.5))),
  HALF_DOWN: (x) => f(npSign(x) * Math.ceil(f(Math.abs(x) - 0.5))),
};
const minInt = (signed: boolean, narrow: boolean, b: number) => (signed ? -(2 ** (b - 1)) + (narrow ? 1 : 0) : 0);
const maxInt = (signed: boolean, narrow: boolean, b: number) => (!signed ? 2 ** b - 1 - (narrow ? 1 : 0) : 2 ** (b - 1) - 1);
const npWhereClamp = (y: number, lo: number, hi: number) => { let v = y > hi ? f(hi) : y; v = v < lo ? f(lo) : v; return v; };

function intQuant(x: number, s: number, z: number, b: number, signed: boolean, narrow: boolean, mode: string): number {
  let y = f(f(x / s) + z);
  if (b === 1 && signed) y = y >= 0 ? 1 : -1;
  else y = MODES[mode](npWhereClamp(y, minInt(signed, narrow, b), maxInt(signed, narrow, b)));
  return f(f(y - z) * s);
}
function truncV1(x: number, s: number, z: number, inB: number, outB: number, mode: string): number {
  let y = npRound(f(f(x / s) + z));
  y = MODES[mode](f(y / f(2 ** (inB - outB))));
  return f(f(y - z) * s);
}
function truncV2(x: number, s: number, z: number, os: number, outB: number, signed: boolean, narrow: boolean, mode: string): number {
  let y = npRound(f(f(x / s) + z));
  const t = f(2 ** npRound(f(Math.log2(f(os / s)))));
  y = f(y / t);
  y = MODES[mode](npWhereClamp(y, minInt(signed, narrow, outB), maxInt(signed, narrow, outB)));
  return f(f(y - f(z / t)) * os);
}

// ---- inputs that probe every rounding decision ----
const r = rng(7);
const EDGES = [0, -0, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 0.49999997, -0.49999997, 0.50000006, -0.50000006, 1e6, -3e9, 8388609, -8388609,
  Infinity, -Infinity, NaN, 127.5, -128.5, 7.5, -8.5, 15.5, 1e-40];
const X = Float32Array.from([...EDGES, ...Array.from({ length: 161 }, (_, k) => (k - 80) * 0.25), ...Array.from({ length: 200 }, () => r(-40, 40))], f);

const same = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

function mismatches(got: Tensor, want: (i: number) => number): string[] {
  const bad: string[] = [];
  for (let i = 0; i < got.data.length; i++) if (!same(Number(got.data[i]), want(i))) bad.push(`x=${X[i % X.length]}: got ${Object.is(got.data[i], -0) ? '-0' : got.data[i]}, qonnx ${Object.is(want(i), -0) ? '-0' : want(i)}`);
  return bad.slice(0, 5);
}

const c32 = (v: number | number[], shape: number[] = []) => makeTensor('float32', shape, Array.isArray(v) ? v : [v]);

interface Case { out: string; node: Node; want: (i: number) => number }

async function runCases(cases: Case[], inits: Record<string, Tensor>, opset: number, qonnxOpset = 1, domain = QONNX_DOMAINS[0]) {
  const g: Graph = {
    ...graph({ inputs: [['x', 'float32', [X.length]]], outputs: cases.map((c) => c.out), nodes: cases.map((c) => c.node), inits, opset }),
    opsets: { '': opset, [domain]: qonnxOpset },
  };
  const ref = qonnxReference(g);
  expect(ref.lowered).toBe(cases.length);
  expect(ref.graph.nodes.every((n) => n.domain === '')).toBe(true);
  const out = await runOrt(encodeModel(ref.graph), { x: makeTensor('float32', [X.length], X) }, ORT_REFERENCE_OPTIONS);
  const bad = cases.flatMap((c) => mismatches(out[c.out], c.want).map((m) => `${c.out}: ${m}`));
  expect(bad).toEqual([]);
}

describe.each([9, 11, 13])('QONNX reference at default-domain opset %i', (opset) => {
  test('Quant: every rounding mode × signed × narrow × bit width, scale inexact and exact, zero point 0 and 2', async () => {
    const inits: Record<string, Tensor> = {};
    const cases: Case[] = [];
    const scales = [0.5, 0.3, 1];
    scales.forEach((s, k) => { inits[`s${k}`] = c32(s); });
    inits.z0 = c32(0); inits.z2 = c32(2);
    for (const b of [1, 2, 3, 4, 8, 16, 32]) inits[`b${b}`] = c32(b);
    for (const mode of Object.keys(MODES)) for (const signed of [0, 1]) for (const narrow of [0, 1]) for (const b of [1, 2, 3, 4, 8, 16, 32]) {
      const k = cases.length % scales.length, zp = cases.length % 5 === 0 ? 2 : 0;
      const out = `q_${mode}_${signed}${narrow}_${b}_${k}_${zp}`;
      cases.push({
        out, node: node('Quant', ['x', `s${k}`, `z${zp}`, `b${b}`], [out], { signed, narrow, rounding_mode: mode }, QONNX_DOMAINS[0], `n_${out}`),
        want: (i) => intQuant(X[i], f(scales[k]), zp, b, signed !== 0, narrow !== 0, mode),
      });
    }
    await runCases(cases, inits, opset);
  });

  test('BipolarQuant, and Quant with a per-channel scale', async () => {
    const inits = { s: c32(0.75), sc: c32(Array.from({ length: X.length }, (_, i) => (i % 3) + 0.1), [X.length]), z: c32(0), b4: c32(4) };
    await runCases([
      { out: 'bp', node: node('BipolarQuant', ['x', 's'], ['bp'], {}, QONNX_DOMAINS[0], 'bp'), want: (i) => f((X[i] >= 0 ? 1 : -1) * f(0.75)) },
      { out: 'pc', node: node('Quant', ['x', 'sc', 'z', 'b4'], ['pc'], { signed: 1, narrow: 1, rounding_mode: 'HALF_UP' }, QONNX_DOMAINS[0], 'pc'), want: (i) => intQuant(X[i], f((i % 3) + 0.1), 0, 4, true, true, 'HALF_UP') },
    ], inits, opset);
  });

  test('Trunc v1 (domain opset 1): every rounding mode, 8 → 4 and 10 → 3 bits', async () => {
    const inits = { s: c32(0.25), z: c32(0), z1: c32(1), i8: c32(8), o4: c32(4), i10: c32(10), o3: c32(3) };
    const cases: Case[] = [];
    for (const mode of Object.keys(MODES)) {
      cases.push({ out: `t1_${mode}`, node: node('Trunc', ['x', 's', 'z', 'i8', 'o4'], [`t1_${mode}`], { rounding_mode: mode }, QONNX_DOMAINS[0], `t1_${mode}`), want: (i) => truncV1(X[i], 0.25, 0, 8, 4, mode) });
      cases.push({ out: `t1b_${mode}`, node: node('Trunc', ['x', 's', 'z1', 'i10', 'o3'], [`t1b_${mode}`], { rounding_mode: mode }, QONNX_DOMAINS[0], `t1b_${mode}`), want: (i) => truncV1(X[i], 0.25, 1, 10, 3, mode) });
    }
    await runCases(cases, inits, opset, 1);
  });

  test('Trunc v2 (domain opset 2): every rounding mode × signed × narrow, power-of-two and rounded trunc scales', async () => {
    const inits = { s: c32(0.125), z: c32(0), i8: c32(8), o4: c32(4), os: c32(2), os3: c32(3.1) };
    const cases: Case[] = [];
    for (const mode of Object.keys(MODES)) for (const signed of [0, 1]) for (const narrow of [0, 1]) for (const os of ['os', 'os3']) {
      const out = `t2_${mode}_${signed}${narrow}_${os}`;
      const osv = os === 'os' ? 2 : f(3.1);
      cases.push({ out, node: node('Trunc', ['x', 's', 'z', 'i8', os, 'o4'], [out], { rounding_mode: mode, signed, narrow }, QONNX_DOMAINS[0], out), want: (i) => truncV2(X[i], 0.125, 0, osv, 4, signed !== 0, narrow !== 0, mode) });
    }
    await runCases(cases, inits, opset, 2);
  });
});

describe('QONNX reference: domains and errors', () => {
  test.each(QONNX_DOMAINS)('domain %s is lowered', async (domain) => {
    const inits = { s: c32(0.5), z: c32(0), b: c32(3) };
    await runCases([{ out: 'y', node: node('Quant', ['x', 's', 'z', 'b'], ['y'], { signed: 1, narrow: 0 }, domain, 'q'), want: (i) => intQuant(X[i], 0.5, 0, 3, true, false, 'ROUND') }], inits, 13, 1, domain);
  });

  test('a model without QONNX ops is returned as it is', () => {
    const g = graph({ inputs: [['x', 'float32', [2]]], outputs: ['y'], nodes: [node('Relu', ['x'], ['y'])] });
    expect(qonnxReference(g)).toEqual({ graph: g, lowered: 0, notes: [] });
  });

  test('missing signed / narrow are read as the documented defaults and noted', () => {
    const g = graph({ inputs: [['x', 'float32', [2]]], outputs: ['y'], inits: { s: c32(1), z: c32(0), b: c32(4) }, nodes: [node('Quant', ['x', 's', 'z', 'b'], ['y'], {}, QONNX_DOMAINS[0], 'q7')] });
    const r = qonnxReference(g);
    expect(r.notes).toEqual([expect.stringMatching(/'q7'.*'signed' missing, read as 1/), expect.stringMatching(/'q7'.*'narrow' missing, read as 0/)]);
  });

  test('clear errors naming the node: a QONNX op without a reference, a bit width that is not a constant, Trunc with the wrong input count', () => {
    const mk = (n: Node, inits: Record<string, Tensor> = {}, q = 1) => ({ ...graph({ inputs: [['x', 'float32', [2]], ['b', 'float32', []]], outputs: [n.outputs[0]], nodes: [n], inits }), opsets: { '': 13, [QONNX_DOMAINS[0]]: q } });
    const err = (g: Graph) => { try { qonnxReference(g); } catch (e) { expect(e).toBeInstanceOf(HsqError); return (e as Error).message; } return 'no error'; };
    expect(err(mk(node('MultiThreshold', ['x', 'x'], ['y'], {}, QONNX_DOMAINS[0], 'mt')))).toMatch(/'mt'.*MultiThreshold has no standard-ONNX reference/);
    expect(err(mk(node('Quant', ['x', 's', 'z', 'b'], ['y'], { signed: 1, narrow: 0 }, QONNX_DOMAINS[0], 'qd'), { s: c32(1), z: c32(0) }))).toMatch(/'qd'.*bitwidth.*constant/);
    expect(err(mk(node('Trunc', ['x', 's', 'z', 'i', 'o'], ['y'], {}, QONNX_DOMAINS[0], 'tr'), { s: c32(1), z: c32(0), i: c32(8), o: c32(4) }, 2))).toMatch(/'tr'.*version 2.*6 inputs/);
    expect(err({ ...mk(node('Quant', ['x', 's', 'z', 'b'], ['y'], { signed: 1, narrow: 0 }, QONNX_DOMAINS[0], 'q8'), { s: c32(1), z: c32(0), b: c32(4) }), opsets: { '': 8, [QONNX_DOMAINS[0]]: 1 } })).toMatch(/'q8'.*opset 9/);
  });
});

describe('the interpreter\'s own QONNX ops against the same formulas', () => {
  const interp = (mode: string) => {
    const g = graph({ inputs: [['x', 'float32', [X.length]]], outputs: ['y'], inits: { s: c32(1), z: c32(0), b: c32(32) },
      nodes: [node('Quant', ['x', 's', 'z', 'b'], ['y'], { signed: 1, narrow: 0, rounding_mode: mode }, QONNX_DOMAINS[0], 'q')] });
    const y = runGraph(g, { x: makeTensor('float32', [X.length], X) }).y;
    // hsq's round half to even gives +0 where numpy keeps -0 (equal values; the C follows hsq).
    return mismatches({ ...y, data: Float32Array.from(y.data as Float32Array, (v) => (v === 0 ? 0 : v)) }, (i) => { const w = intQuant(X[i], 1, 0, 32, true, false, mode); return w === 0 ? 0 : w; });
  };
  test.each(['ROUND', 'CEIL', 'FLOOR', 'UP', 'DOWN'])('Quant %s: equal values', (mode) => {
    expect(interp(mode)).toEqual([]);
  });
  // qonnx computes |x| + 0.5 and |x| - 0.5 in float32 (numpy), so HALF_UP(0.49999997) = 1 and
  // HALF_DOWN(8388609) = 8388608; so does the interpreter (ops/lib/rounding-modes.ts).
  test.each(['HALF_UP', 'HALF_DOWN'])('Quant %s: equal values, ties and float32 edge cases included', (mode) => {
    expect(interp(mode)).toEqual([]);
  });
});

// ---- the shared QONNX models ----
const SHARED = sharedPath('models');
const ESPCN = path.join(SHARED, 'qonnx', 'bsd300x3-espcn');
const ZOO = path.join(SHARED, 'real', 'qonnx-zoo');
const DIGITS = path.join(SHARED, 'real', 'mnist-digits');
const sharedTest = test;

describeShared('QONNX reference on the shared models: ORT runs it and agrees with the interpreter running the QONNX ops', () => {
  sharedTest('Brevitas ESPCN: output within one 8-bit step of the interpreter on the model\'s test input', async () => {
    const g = loadModel(path.join(ESPCN, 'subpixel', 'quant_model.onnx'));
    const ref = qonnxReference(g);
    expect(ref.lowered).toBe(8);
    const x = readTensorFile(path.join(ESPCN, 'test_data', 'input_0.pb'));
    const inp = { [g.inputs[0]]: x };
    const want = runGraph(g, inp)[g.outputs[0]];
    const got = (await runOrt(encodeModel(ref.graph), inp, ORT_REFERENCE_OPTIONS))[g.outputs[0]];
    let max = 0, differ = 0;
    for (let i = 0; i < want.data.length; i++) { const d = Math.abs(Number(want.data[i]) - Number(got.data[i])); max = Math.max(max, d); if (d) differ++; }
    // The output quantizer is 8-bit unsigned with scale 1/255: float32 conv noise may move a few elements one step.
    expect(max).toBeLessThanOrEqual(f(1 / 255) * 1.0001);
    expect(differ / want.data.length).toBeLessThan(1e-3);
  });

  sharedTest.each(['TFC_2W2A', 'TFC_1W1A'])('%s (opset 9: Round and >= built from older ops): the same top-1 as the interpreter on 50 digits', async (name) => {
    const g = loadModel(path.join(ZOO, `${name}.onnx`));
    const ref = qonnxReference(g);
    expect(ref.graph.opsets['']).toBe(9);
    const xs = decodeNpy(fs.readFileSync(path.join(DIGITS, 'x.npy')), 'x.npy');
    const n = 50, per = 784;
    const sets = Array.from({ length: n }, (_, k) => ({ [g.inputs[0]]: makeTensor('float32', [1, 1, 28, 28], (xs.data as Float32Array).slice(k * per, (k + 1) * per)) }));
    const ort = await runOrtMany(encodeModel(ref.graph), sets, ORT_REFERENCE_OPTIONS);
    const top = (v: Float32Array) => v.indexOf(Math.max(...v));
    let agree = 0, maxDiff = 0;
    sets.forEach((s, k) => {
      const a = runGraph(g, s)[g.outputs[0]].data as Float32Array, b = ort[k][g.outputs[0]].data as Float32Array;
      if (top(a) === top(b)) agree++;
      for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
    });
    expect(agree).toBe(n);
    // The logits come out of a float affine tail: equal up to float32 rounding of the MatMuls.
    expect(maxDiff).toBeLessThan(1e-3);
  });
});

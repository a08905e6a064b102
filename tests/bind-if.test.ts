// --bind and If folding (issue 11 item 4): an If driven by an int64 sample-rate input (as in
// Silero VAD) folds once the input is bound; the bound input leaves NAME_run and the header; the
// folded model computes what ONNX Runtime computes with that input; an unbound If is an error
// naming the node; a bad --bind value is an error naming the flag.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { onnx } from 'onnx-proto';
import { compile } from '../driver/compile';
import { decodeModel } from '../frontend/onnx/import';
import { bindInputs } from '../frontend/bind';
import { foldConstantIfs } from '../frontend/onnx/fold-if';
import { lower } from '../driver/frontend';
import { runGraph } from '../ops/engine/interpreter';
import { makeTensor } from '../core/ir/tensor';
import { runOrt } from '../verify/ort';
import { runCBatch } from '../targets/host/run';
import { compareExact } from './support/host-c-conformance';
import { compareTol } from './support/op-cases/harness';

const F = onnx.TensorProto.DataType.FLOAT, I64 = onnx.TensorProto.DataType.INT64;
const vi = (name: string, t: number, dims: number[]) => ({ name, type: { tensorType: { elemType: t, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
const ft = (name: string, v: number[]) => ({ name, dataType: F, dims: [v.length], floatData: v });

function model(): Uint8Array {
  const thenG: onnx.IGraphProto = {
    name: 'then', initializer: [ft('k', [2, 2, 2, 2])],
    node: [{ name: 'mul', opType: 'Mul', input: ['x', 'k'], output: ['t'] }],
    output: [vi('t', F, [1, 4])],
  };
  const elseG: onnx.IGraphProto = {
    name: 'else', node: [{ name: 'add', opType: 'Add', input: ['x', 'bias'], output: ['e'] }, { name: 'tanh', opType: 'Tanh', input: ['e'], output: ['e2'] }],
    output: [vi('e2', F, [1, 4])],
  };
  const g: onnx.IGraphProto = {
    name: 'vad',
    input: [vi('x', F, [1, 4]), vi('sr', I64, [])],
    output: [vi('y', F, [1, 4])],
    initializer: [ft('bias', [0.5, -0.5, 1, -1]), { name: 'r16k', dataType: I64, dims: [], int64Data: [16000] }],
    node: [
      { name: 'is16k', opType: 'Equal', input: ['sr', 'r16k'], output: ['c'] },
      { name: 'branch', opType: 'If', input: ['c'], output: ['b'], attribute: [
        { name: 'then_branch', type: onnx.AttributeProto.AttributeType.GRAPH, g: thenG },
        { name: 'else_branch', type: onnx.AttributeProto.AttributeType.GRAPH, g: elseG }] },
      { name: 'relu', opType: 'Relu', input: ['b'], output: ['y'] },
    ],
  };
  return onnx.ModelProto.encode({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph: g }).finish();
}

const x = makeTensor('float32', [1, 4], [0.25, -1.5, 2, -0.1]);

describe('--bind and If folding', () => {
  test.each([16000, 8000])('sr=%d: the If folds, the input leaves the graph, the numbers are ORT\'s and the C\'s', async (sr) => {
    const g = foldConstantIfs(bindInputs(decodeModel(model()), { sr: String(sr) }));
    expect(g.nodes.some((n) => n.op === 'If')).toBe(false);
    expect(g.inputs).toEqual(['x']);
    const low = lower(g);
    const want = (await runOrt(model(), { x, sr: makeTensor('int64', [], [sr]) })).y;
    const ours = runGraph(low, { x }).y;
    expect(compareTol(ours, want)).toBeNull();
    const [[c]] = await runCBatch([{ graph: low, inputs: [{ x }] }], { target: 'host' });
    expect(compareExact(c.y, ours)).toBeNull();
  });

  test('compile --bind: the bound input is gone from NAME_run and the header; config bind works too', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsq-bind-'));
    try {
      const m = path.join(dir, 'vad.onnx');
      fs.writeFileSync(m, model());
      await compile({ model: m, out: path.join(dir, 'out'), target: 'host', bind: { sr: '16000' } });
      const h = fs.readFileSync(path.join(dir, 'out', 'vad.h'), 'utf8');
      expect(h).toMatch(/\bx\b/);
      expect(h).not.toMatch(/\bsr\b/);
      const cfg = path.join(dir, 'hsq.config.json');
      fs.writeFileSync(cfg, JSON.stringify({ bind: { sr: 8000 } }));
      await compile({ model: m, out: path.join(dir, 'out2'), target: 'host', config: cfg });
      expect(fs.readFileSync(path.join(dir, 'out2', 'vad.h'), 'utf8')).not.toMatch(/\bsr\b/);
      // without a binding: one clear error naming the If, nothing written
      await expect(compile({ model: m, out: path.join(dir, 'out3'), target: 'host' })).rejects.toThrow(/node 'branch' \(If\): its condition 'c' is not known at compile time; .*--bind/);
      expect(fs.existsSync(path.join(dir, 'out3'))).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a bad --bind is an error naming the flag', () => {
    const g = decodeModel(model());
    expect(() => bindInputs(g, { sr: '1,2' }, { key: '--bind' })).toThrow(/--bind sr: 2 values given, the input \[\] \(int64\) takes 1/);
    expect(() => bindInputs(g, { rate: '1' }, { key: '--bind' })).toThrow(/--bind names 'rate', which is not a graph input/);
    expect(() => bindInputs(g, { sr: '1.5' }, { key: '--bind' })).toThrow(/non-integer/);
  });
});

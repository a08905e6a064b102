// Invalid models are refused, not compiled: one rule of ops/engine/model-rules.ts per test, each a
// small ONNX model that breaks it; the refusal is one HsqError naming the node, the attribute (or
// input) and the value. Through the CLI: exit 2, one line, OUT not written; inspect names the real
// cause of a broken graph as compile does.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { onnx } from 'onnx-proto';
import { decodeModel } from '../frontend/onnx/import';
import { lower } from '../driver/frontend';
import { HsqError } from '../core/diagnostics';
import { NODE_RULES, GRAPH_RULES } from '../ops/engine/model-rules';

const F = onnx.TensorProto.DataType.FLOAT;
const I32 = onnx.TensorProto.DataType.INT32;
const QONNX = 'qonnx.custom_op.general';
const vi = (name: string, dims: number[]): onnx.IValueInfoProto => ({ name, type: { tensorType: { elemType: F, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
const floats = (name: string, dims: number[], v: number[]): onnx.ITensorProto => ({ name, dims, dataType: F, floatData: v });
const ints = (k: string, v: number[]): onnx.IAttributeProto => ({ name: k, type: onnx.AttributeProto.AttributeType.INTS, ints: v });
const int = (k: string, v: number): onnx.IAttributeProto => ({ name: k, type: onnx.AttributeProto.AttributeType.INT, i: v });

function encode(nodes: onnx.INodeProto[], inits: onnx.ITensorProto[], inShape: number[], outShape: number[], opset = 13): Uint8Array {
  return onnx.ModelProto.encode({
    irVersion: 8, opsetImport: [{ domain: '', version: opset }, { domain: QONNX, version: 1 }],
    graph: { name: 'g', node: nodes, initializer: inits, input: [vi('x', inShape)], output: [vi('y', outShape)] },
  }).finish();
}

const conv = (attrs: onnx.IAttributeProto[]) => encode(
  [{ name: 'conv0', opType: 'Conv', input: ['x', 'w'], output: ['y'], attribute: attrs }],
  [floats('w', [1, 1, 1, 1], [1])], [1, 1, 4, 4], [1, 1, 2, 2]);

function quant(o: { scale?: number; bitwidth?: number; signed?: number; narrow?: number }) {
  return encode(
    [{ name: 'q0', opType: 'Quant', domain: QONNX, input: ['x', 's', 'z', 'b'], output: ['y'],
      attribute: [int('signed', o.signed ?? 1), int('narrow', o.narrow ?? 0), { name: 'rounding_mode', type: onnx.AttributeProto.AttributeType.STRING, s: Buffer.from('ROUND') }] }],
    [floats('s', [], [o.scale ?? 0.5]), floats('z', [], [0]), floats('b', [], [o.bitwidth ?? 4])], [1, 4], [1, 4]);
}

const bnInt32 = () => encode(
  [{ name: 'bn0', opType: 'BatchNormalization', input: ['x', 'gamma', 'beta', 'mean', 'var'], output: ['y'] }],
  [{ name: 'gamma', dims: [2], dataType: I32, int32Data: [1, 1] }, floats('beta', [2], [0, 0]), floats('mean', [2], [0, 0]), floats('var', [2], [1, 1])],
  [1, 2, 2, 2], [1, 2, 2, 2]);

const relu = (opset: number) => encode([{ name: 'relu0', opType: 'Relu', input: ['x'], output: ['y'] }], [], [1, 4], [1, 4], opset);

function refusal(bytes: Uint8Array): HsqError {
  try {
    lower(decodeModel(bytes));
  } catch (e) {
    if (e instanceof HsqError) return e;
    throw e;
  }
  throw new Error('the model was accepted');
}

// rule id → models that break it and the message parts (node, attribute, value).
const CASES: Record<string, [string, Uint8Array, RegExp][]> = {
  'int-attr-int32': [
    ['Conv stride 2^32', conv([ints('strides', [2 ** 32, 1])]), /^node 'conv0' \(Conv\): attribute 'strides' is 4294967296: integer attributes must fit in int32/],
    ['Conv stride 2^31 (would become INT32_MIN)', conv([ints('strides', [2 ** 31, 2 ** 31])]), /^node 'conv0' \(Conv\): attribute 'strides' is 2147483648: /],
    ['Conv dilation 2^32', conv([ints('dilations', [1, 2 ** 32])]), /^node 'conv0' \(Conv\): attribute 'dilations' is 4294967296: /],
  ],
  'quant-scale': [
    ['negative scale', quant({ scale: -0.5 }), /^node 'q0' \(Quant\): input 'scale' \('s'\) is -0\.5: QONNX Quant scales must be positive, finite and normal/],
    ['denormal scale', quant({ scale: 1e-40 }), /^node 'q0' \(Quant\): input 'scale' \('s'\) is 9\.99994610111476e-41: /],
  ],
  'quant-bitwidth': [
    ['bit width 0', quant({ bitwidth: 0 }), /^node 'q0' \(Quant\): input 'bitwidth' \('b'\) is 0: QONNX Quant bit widths must be integers in \[1, 32\]/],
    ['bit width 33', quant({ bitwidth: 33 }), /^node 'q0' \(Quant\): input 'bitwidth' \('b'\) is 33: /],
  ],
  'quant-flags': [
    ['signed 2', quant({ signed: 2 }), /^node 'q0' \(Quant\): attribute 'signed' is 2: QONNX Quant signed and narrow must be 0 or 1/],
    ['narrow -1', quant({ narrow: -1 }), /^node 'q0' \(Quant\): attribute 'narrow' is -1: /],
  ],
  'batchnorm-float-params': [
    ['int32 scale', bnInt32(), /^node 'bn0' \(BatchNormalization\): input 'scale' \('gamma'\) is int32: BatchNormalization scale, B, mean and var must be float/],
  ],
  'ai-onnx-opset': [
    ['opset 1', relu(1), /^model: opset_import ai\.onnx is 1: the ai\.onnx opset must be in \[7, 25\]/],
    ['opset 99', relu(99), /^model: opset_import ai\.onnx is 99: /],
  ],
};

describe('model rules: each refuses the models that break it, naming node, attribute and value', () => {
  test('every rule of the table has a case here', () => {
    expect(Object.keys(CASES).sort()).toEqual([...NODE_RULES, ...GRAPH_RULES].map((r) => r.id).sort());
  });

  for (const [id, cases] of Object.entries(CASES)) {
    test.each(cases)(`${id}: %s`, (_what, bytes, want) => {
      const e = refusal(bytes);
      expect(e.kind).toBe('bad-input');
      expect(e.message).toMatch(want);
      expect(e.message).not.toContain('\n');
    });
  }

  test('the valid forms of the same models compile', () => {
    for (const ok of [conv([ints('strides', [2, 2])]), quant({}), quant({ bitwidth: 32, signed: 0, narrow: 1 }), relu(7), relu(25)]) expect(() => lower(decodeModel(ok))).not.toThrow();
  });
});

describe('through the CLI', () => {
  const BIN = path.resolve(__dirname, '../bin/hsq.js');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsq-rules-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const hsq = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

  test('compile and inspect: exit 2, one line naming the node, attribute and value; OUT not created', () => {
    const m = path.join(dir, 'stride.onnx');
    fs.writeFileSync(m, conv([ints('strides', [2 ** 32, 1])]));
    for (const args of [['compile', m, '-o', path.join(dir, 'out')], ['compile', m, '--target', 'cortex-m55', '-o', path.join(dir, 'out')], ['inspect', m]]) {
      const r = hsq(...args);
      expect({ args, status: r.status }).toEqual({ args, status: 2 });
      expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/node 'conv0' \(Conv\): attribute 'strides' is 4294967296/)]);
    }
    expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);
  });

  test('inspect names a missing tensor, a duplicate output and a cycle as compile does', () => {
    const graphs: [string, onnx.INodeProto[], RegExp][] = [
      ['missing', [{ name: 'a', opType: 'Relu', input: ['nowhere'], output: ['y'] }], /node 'a' reads 'nowhere', which is no graph input, initializer or node output/],
      ['duplicate', [{ name: 'a', opType: 'Relu', input: ['x'], output: ['y'] }, { name: 'b', opType: 'Relu', input: ['x'], output: ['y'] }], /node 'b' produces 'y', which is already produced by another node/],
      ['cycle', [{ name: 'a', opType: 'Relu', input: ['t'], output: ['y'] }, { name: 'b', opType: 'Relu', input: ['y'], output: ['t'] }], /node 'a' reads 't' before node 'b' produces it/],
    ];
    for (const [what, nodes, want] of graphs) {
      const m = path.join(dir, `${what}.onnx`);
      fs.writeFileSync(m, encode(nodes, [], [1, 4], [1, 4]));
      const ins = hsq('inspect', m);
      const cmp = hsq('compile', m, '-o', path.join(dir, `out-${what}`));
      for (const r of [ins, cmp]) {
        expect({ what, status: r.status }).toEqual({ what, status: 2 });
        expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(want)]);
      }
    }
  });
});

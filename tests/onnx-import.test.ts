import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as protobuf from 'protobufjs';
import { onnx } from 'onnx-proto';
import { decodeModel, loadModel } from '../frontend/onnx/import';
import { encodeModel } from '../frontend/onnx/export';
import { decodeTensorProto, encodeTensorProto, packNibbles } from '../frontend/onnx/tensor-proto';
import { HsqError } from '../core/diagnostics';
import { makeTensor } from '../core/ir/tensor';
import { describeShared, sharedPath, testShared } from './support/shared';

const SHARED = sharedPath();
const ESPCN = path.join(SHARED, 'models/qonnx/bsd300x3-espcn/subpixel/quant_model.onnx');
const MNIST = path.join(SHARED, 'models/qonnx/mnist-conv/model.onnx');

function model(graph: onnx.IGraphProto, extra: Partial<onnx.IModelProto> = {}): Uint8Array {
  return onnx.ModelProto.encode({ irVersion: 10, opsetImport: [{ domain: '', version: 21 }], graph, ...extra }).finish();
}
const vi = (name: string, elemType: number, dims: (number | string)[]): onnx.IValueInfoProto => ({
  name,
  type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
});

describe('ONNX import', () => {
  testShared('real models import and round-trip through export', () => {
    for (const f of [MNIST, ESPCN]) {
      const g = loadModel(f);
      expect(g.nodes.length).toBeGreaterThan(3);
      const g2 = decodeModel(encodeModel(g));
      expect(g2.nodes).toEqual(g.nodes);
      expect(Object.keys(g2.initializers).sort()).toEqual(Object.keys(g.initializers).sort());
      for (const k of Object.keys(g.initializers)) expect(g2.initializers[k]).toEqual(g.initializers[k]);
      expect(g2.inputs).toEqual(g.inputs);
      expect(g2.outputs).toEqual(g.outputs);
    }
  });

  testShared('QONNX custom domains are kept on nodes', () => {
    const g = loadModel(ESPCN);
    const quant = g.nodes.filter((n) => n.op === 'Quant');
    expect(quant.length).toBeGreaterThan(4);
    for (const q of quant) expect(['qonnx.custom_op.general', 'onnx.brevitas', 'finn.custom_op.general', 'qonnx']).toContain(q.domain);
  });

  test('int4/uint4 initializers unpack two per byte, low nibble first; odd counts pad', () => {
    const vals = [-8, 7, -1, 3, 0];
    const tp = { name: 'w', dims: [5], dataType: 22, rawData: packNibbles(vals) };
    expect(packNibbles(vals)).toEqual(new Uint8Array([0x78, 0x3f, 0x00]));
    const t = decodeTensorProto(onnx.TensorProto.encode(tp).finish());
    expect(Array.from(t.data)).toEqual(vals);
    const u = decodeTensorProto(onnx.TensorProto.encode({ name: 'u', dims: [3], dataType: 21, rawData: new Uint8Array([0xf1, 0x0e]) }).finish());
    expect(Array.from(u.data)).toEqual([1, 15, 14]);
    // round trip
    const back = decodeTensorProto(encodeTensorProto(t, 'w'));
    expect(Array.from(back.data)).toEqual(vals);
  });

  test('typed fields, float16, int64 Long dims and values', () => {
    const f = decodeTensorProto(onnx.TensorProto.encode({ dims: [2], dataType: 1, floatData: [1.5, -2] }).finish());
    expect(Array.from(f.data)).toEqual([1.5, -2]);
    const h = decodeTensorProto(onnx.TensorProto.encode({ dims: [2], dataType: 10, int32Data: [0x3c00, 0xc000] }).finish());
    expect(Array.from(h.data)).toEqual([1, -2]);
    const i64 = decodeTensorProto(onnx.TensorProto.encode({ dims: [2], dataType: 7, int64Data: ['9223372036854775807' as unknown as number, -3] }).finish());
    expect(i64.data[0]).toBe(9223372036854775807n);
    expect(i64.data[1]).toBe(-3n);
    const b = decodeTensorProto(onnx.TensorProto.encode({ dims: [3], dataType: 9, int32Data: [1, 0, 1] }).finish());
    expect(Array.from(b.data)).toEqual([1, 0, 1]);
    const i16 = decodeTensorProto(onnx.TensorProto.encode({ dims: [2], dataType: 5, rawData: new Uint8Array([0xff, 0xff, 2, 0]) }).finish());
    expect(Array.from(i16.data)).toEqual([-1, 2]);
  });

  test('raw_data of the wrong size is a corrupt-model error', () => {
    expect(() => decodeTensorProto(onnx.TensorProto.encode({ name: 'x', dims: [4], dataType: 1, rawData: new Uint8Array(8) }).finish()))
      .toThrow(/raw_data has 8 bytes/);
  });

  test('Constant nodes in every value form become initializers (Paddle-style all-Constant weights)', () => {
    const c = (name: string, attr: onnx.IAttributeProto): onnx.INodeProto => ({ name, opType: 'Constant', output: [name], attribute: [attr] });
    const bytes = model({
      node: [
        c('t', { name: 'value', type: 4, t: { dims: [2], dataType: 1, floatData: [1, 2] } }),
        c('f', { name: 'value_float', type: 1, f: 0.5 }),
        c('fs', { name: 'value_floats', type: 6, floats: [1, 2, 3] }),
        c('i', { name: 'value_int', type: 2, i: 7 }),
        c('is', { name: 'value_ints', type: 7, ints: [1, -1] }),
        { name: 'add', opType: 'Add', input: ['x', 't'], output: ['y'] },
      ],
      input: [vi('x', 1, [2])],
      output: [vi('y', 1, [2])],
    });
    const g = decodeModel(bytes);
    expect(g.nodes.map((n) => n.op)).toEqual(['Add']);
    expect(Array.from(g.initializers.t.data)).toEqual([1, 2]);
    expect(g.initializers.f.shape).toEqual([]);
    expect(Array.from(g.initializers.fs.data)).toEqual([1, 2, 3]);
    expect(g.initializers.i.dtype).toBe('int64');
    expect(Array.from(g.initializers.is.data)).toEqual([1n, -1n]);
  });

  test('external data is read relative to the model file; escapes are refused', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsq-ext-'));
    const payload = new Float32Array([0, 0, 3.25, -1]);
    fs.writeFileSync(path.join(dir, 'w.bin'), Buffer.from(payload.buffer));
    const ext = (loc: string) => model({
      node: [{ name: 'add', opType: 'Add', input: ['x', 'w'], output: ['y'] }],
      initializer: [{ name: 'w', dims: [2], dataType: 1, dataLocation: 1, externalData: [{ key: 'location', value: loc }, { key: 'offset', value: '8' }, { key: 'length', value: '8' }] }],
      input: [vi('x', 1, [2])],
      output: [vi('y', 1, [2])],
    });
    fs.writeFileSync(path.join(dir, 'm.onnx'), ext('w.bin'));
    expect(Array.from(loadModel(path.join(dir, 'm.onnx')).initializers.w.data)).toEqual([3.25, -1]);
    fs.writeFileSync(path.join(dir, 'bad.onnx'), ext('../w.bin'));
    expect(() => loadModel(path.join(dir, 'bad.onnx'))).toThrow(/inside the model's folder/);
  });

  test('dynamic dims: fixed by inputShapes; bad names are errors', () => {
    const bytes = model({
      node: [{ name: 'r', opType: 'Relu', input: ['x'], output: ['y'] }],
      input: [vi('x', 1, ['N', 3, 8, 8])],
      output: [vi('y', 1, ['N', 3, 8, 8])],
    });
    const g = decodeModel(bytes);
    expect(g.tensors.x.shape).toEqual([-1, 3, 8, 8]);
    expect(g.tensors.x.dimParams?.[0]).toBe('N');
    expect(decodeModel(bytes, { inputShapes: { x: [1, 3, 8, 8] } }).tensors.x.shape).toEqual([1, 3, 8, 8]);
    expect(() => decodeModel(bytes, { inputShapes: { z: [1] } })).toThrow(/'z', which is not a graph input/);
    expect(() => decodeModel(bytes, { inputShapes: { x: [1, 4, 8, 8] } })).toThrow(/dim 1 is fixed at 3/);
  });

  test('annotations: model-level hsq.annotations and node-level metadata_props (via reflection)', () => {
    // Write node metadata_props (field 9) with a reflection type, as ONNX 1.16+ tools do.
    const root = protobuf.Root.fromJSON({ nested: {
      E: { fields: { key: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
      N: { fields: { input: { rule: 'repeated', type: 'string', id: 1 }, output: { rule: 'repeated', type: 'string', id: 2 }, name: { type: 'string', id: 3 }, op_type: { type: 'string', id: 4 }, metadata_props: { rule: 'repeated', type: 'E', id: 9 } } },
    } });
    const base = onnx.ModelProto.decode(model({
      node: [{ name: 'r1', opType: 'Relu', input: ['x'], output: ['h'] }, { name: 'r2', opType: 'Relu', input: ['h'], output: ['y'] }],
      input: [vi('x', 1, [4])],
      output: [vi('y', 1, [4])],
    }, { metadataProps: [{ key: 'hsq.annotations', value: JSON.stringify({ 'r1': { placement: 'cpu' } }) }] }));
    const nodeBytes = root.lookupType('N').encode({ input: ['h'], output: ['y'], name: 'r2', op_type: 'Relu', metadata_props: [{ key: 'hsq.placement', value: 'npu' }, { key: 'hsq.precision', value: 'w4a8' }] }).finish();
    // Replace node 2 in the graph with the reflection-encoded one: graph field 7, node field 1.
    const g0 = onnx.GraphProto.encode({ ...base.graph!, node: [base.graph!.node![0]] }).finish();
    const nodeField = Buffer.concat([Buffer.from([0x0a]), varint(nodeBytes.length), Buffer.from(nodeBytes)]);
    const graphBytes = Buffer.concat([Buffer.from(g0), nodeField]);
    const m = onnx.ModelProto.encode({ ...base, graph: undefined }).finish();
    const bytes = Buffer.concat([Buffer.from(m), Buffer.from([0x3a]), varint(graphBytes.length), graphBytes]);
    const g = decodeModel(bytes);
    expect(g.annotations.r1).toEqual({ placement: 'cpu' });
    expect(g.annotations.r2).toEqual({ placement: 'npu', precision: 'w4a8' });
    expect(g.nodes[1].metadata).toEqual({ 'hsq.placement': 'npu', 'hsq.precision': 'w4a8' });
  });

  test('bad annotations name the key', () => {
    const bytes = model({ node: [], input: [vi('x', 1, [1])], output: [vi('x', 1, [1])] },
      { metadataProps: [{ key: 'hsq.annotations', value: JSON.stringify({ conv7: { placement: 'gpu' } }) }] });
    expect(() => decodeModel(bytes)).toThrow(/hsq.annotations\["conv7"\].placement/);
  });

  test('garbage bytes are a corrupt-model HsqError', () => {
    try {
      decodeModel(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0x0f, 1, 2]));
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(HsqError);
      expect((e as HsqError).kind).toBe('corrupt-model');
    }
  });

  test('export keeps quantization metadata hsq cannot express in ONNX', () => {
    const g = decodeModel(model({ node: [{ name: 'r', opType: 'Relu', input: ['x'], output: ['y'] }], input: [vi('x', 3, [4])], output: [vi('y', 3, [4])] }));
    const q = { ...g, tensors: { ...g.tensors, y: { ...g.tensors.y, quant: { scale: [0.5], zeroPoint: [0], bits: 4, signed: true, narrow: true } } }, initializers: { k: makeTensor('int8', [2], [1, 2]) } };
    const back = decodeModel(encodeModel(q));
    expect(back.tensors.y.quant).toEqual(q.tensors.y.quant);
  });
});

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 127) { out.push((n & 127) | 128); n >>>= 7; }
  out.push(n);
  return Buffer.from(out);
}

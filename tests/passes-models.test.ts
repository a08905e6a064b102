// The core pipeline on real QONNX models from ../shared/models/qonnx.
import * as path from 'path';
import { readTensorFile } from '../frontend/onnx/tensor-proto';
import { loadModel } from '../frontend/onnx/import';
import { runGraph } from '../ops/engine/interpreter';
import { runPipeline } from '../passes/pass-manager';
import { corePipeline } from '../passes/pipeline';
import { maxAbsDiff, ops } from './passes-helpers';
import { describeShared, sharedPath, testShared } from './support/shared';

const MODELS = sharedPath('models', 'qonnx');

describeShared('core pipeline on real models', () => {
  it('ESPCN (Brevitas 4-bit): Quant lowered, BN folded, 4-bit convs become QConv within one step', () => {
    const g0 = loadModel(path.join(MODELS, 'bsd300x3-espcn', 'subpixel', 'quant_model.onnx'));
    const ref = runPipeline(g0, corePipeline.slice(0, corePipeline.findIndex((p) => p.name === 'qdq-recognition')), { strict: true });
    const g = runPipeline(g0, corePipeline, { strict: true });
    expect(ops(g).filter((o) => o.endsWith(':Quant') || o === 'BatchNormalization')).toEqual([]);
    const qconvs = g.nodes.filter((n) => n.op === 'QConv');
    // Conv_41 (4-bit input, 8-bit weights, DepthToSpace before its Relu/Quant) keeps its integer
    // weights as a float-output QConv (docs/qat-layers.md).
    expect(qconvs.map((n) => n.name)).toEqual(['Conv_17', 'Conv_29', 'Conv_41']);
    expect(qconvs[2].attrs.float_out).toBe(1);
    for (const n of qconvs.slice(0, 2)) {
      expect(g.tensors[n.inputs[0]].quant).toMatchObject({ bits: 4, signed: false });
      expect(g.tensors[n.inputs[1]].quant).toMatchObject({ bits: 4, signed: true, narrow: true, axis: 0 });
      expect(n.attrs).toMatchObject({ qmin: 0, qmax: 15 });
    }
    const x = readTensorFile(path.join(MODELS, 'bsd300x3-espcn', 'test_data', 'input_0.pb'));
    const inp = { [g0.inputs[0]]: { dtype: x.dtype, shape: x.shape, data: x.data } };
    const a = runGraph(ref, inp, { keep: 'all' });
    const b = runGraph(g, inp, { keep: 'all' });
    // Same layer input → the integer conv is within one 4-bit step of the float QDQ conv.
    const first = qconvs[0];
    expect(Array.from(b[first.inputs[0]].data)).toEqual(Array.from(a[first.inputs[0]].data));
    expect(maxAbsDiff(a[first.outputs[0]], b[first.outputs[0]])).toBeLessThanOrEqual(1);
    // And the lowering + BN folding before it changed nothing on the model output.
    const orig = runGraph(g0, inp)[g0.outputs[0]];
    expect(maxAbsDiff(orig, a[g0.outputs[0]])).toBe(0);
  });

  it('mnist-conv (float): shape chain folded, numbers unchanged and matching the test data', () => {
    const dir = path.join(MODELS, 'mnist-conv');
    const g0 = loadModel(path.join(dir, 'model.onnx'));
    const g = runPipeline(g0, corePipeline, { strict: true });
    expect(ops(g)).toEqual(['Conv', 'Add', 'Relu', 'MaxPool', 'Conv', 'Add', 'Relu', 'MaxPool', 'Reshape', 'MatMul', 'Add']);
    const x = readTensorFile(path.join(dir, 'test_data_set_0', 'input_0.pb'));
    const want = readTensorFile(path.join(dir, 'test_data_set_0', 'output_0.pb'));
    const inp = { [g0.inputs[0]]: { dtype: x.dtype, shape: x.shape, data: x.data } };
    const before = runGraph(g0, inp)[g0.outputs[0]];
    const after = runGraph(g, inp)[g.outputs[0]];
    expect(Array.from(after.data)).toEqual(Array.from(before.data));
    expect(maxAbsDiff({ ...want, shape: after.shape }, after)).toBeLessThan(1e-3);
  });
});

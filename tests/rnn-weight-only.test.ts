// LSTM and GRU with weight-only quantized weights (W, R and B as DequantizeLinear of int8
// constants; ONNX has no quantized LSTM/GRU): the C stores W and R as int8 with their scales and
// dequantizes each weight where it is used, so flash holds about a quarter of the float
// model's bytes while the outputs are those of the float model whose weights are the
// dequantized values fround((q - zp) * s), bit for bit (interpreter and host C), and within
// ONNX's tolerance of ONNX Runtime.
import { Tensor } from '../core/ir/tensor';
import { runGraph } from '../ops/engine/interpreter';
import { emitModel } from '../targets/c/emit-model';
import { runCBatch } from '../targets/host/run';
import { compareExact } from './support/host-c-conformance';
import { CaseInput, OpCase } from './support/op-cases/case';
import { buildCase, checkInterpreter } from './support/op-cases/harness';
import { rnnCase } from './support/op-cases/rnn';

/** The case with every DequantizeLinear'd constant replaced by its float32 values. */
function preDequantized(c: OpCase): OpCase {
  const inputs = c.inputs.map((inp): CaseInput => {
    if (!inp.dequantize || !inp.value) return inp;
    const { scale, zeroPoint, axis } = inp.dequantize;
    const inner = axis === undefined ? 1 : inp.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    const per = (i: number) => (axis === undefined ? 0 : Math.floor(i / inner) % inp.shape[axis]);
    return { dtype: 'float32', shape: inp.shape, value: inp.value.map((q, i) => Math.fround((q - zeroPoint[per(i)]) * Math.fround(scale[per(i)]))) };
  });
  return { ...c, name: `${c.name}_float`, inputs };
}

const CASES: OpCase[] = [
  rnnCase('LSTM', { name: 'wq_per_tensor', weights: 'int8', T: 4, N: 2, I: 16, H: 32 }),
  rnnCase('LSTM', { name: 'wq_per_row', weights: 'int8-per-row', direction: 'bidirectional', T: 3, N: 1, I: 12, H: 24 }),
  rnnCase('GRU', { name: 'wq_per_tensor', weights: 'int8', T: 4, N: 2, I: 16, H: 32 }),
  rnnCase('GRU', { name: 'wq_per_row_lbr', weights: 'int8-per-row', T: 3, N: 2, I: 12, H: 24, attrs: { linear_before_reset: 1 } }),
];

describe('weight-only int8 LSTM / GRU', () => {
  const pairs = CASES.map((c) => ({ q: buildCase(c), f: buildCase(preDequantized(c)) }));

  test.each(CASES.map((c, k) => [c.name, k] as const))('%s: flash about a quarter of the float model', (_, k) => {
    const { q, f } = pairs[k];
    const wq = emitModel(q.graph, { name: 'm' }).weightsSize, wf = emitModel(f.graph, { name: 'm' }).weightsSize;
    console.log(`${CASES[k].name}: weights ${wq} bytes (int8) vs ${wf} (float32): ${(wq / wf).toFixed(3)}`);
    // int8 weights and bias (1/4 of float32), plus per-row scales when per channel.
    expect(wq / wf).toBeGreaterThanOrEqual(0.24);
    expect(wq / wf).toBeLessThan(CASES[k].inputs[1].dequantize!.scale.length > 1 ? 0.32 : 0.26);
  });

  test('the interpreter gives the float model\'s outputs bit for bit, within ONNX tolerance of ORT', async () => {
    for (const { q, f } of pairs) {
      const fi = q.inputs; // same graph inputs (the seeded ones are named after the case)
      const a = runGraph(q.graph, q.inputs), b = runGraph(f.graph, fi);
      for (const o of q.graph.outputs) expect([q.c.name, o, compareExact(a[o], b[o])]).toEqual([q.c.name, o, null]);
      expect([q.c.name, await checkInterpreter(q)]).toEqual([q.c.name, null]);
    }
  });

  test('host C of the int8 model equals the float model and the interpreter bit for bit', async () => {
    const items = pairs.flatMap(({ q, f }) => [{ graph: q.graph, inputs: [q.inputs] }, { graph: f.graph, inputs: [q.inputs] }]);
    const res = await runCBatch(items, { target: 'host' });
    pairs.forEach(({ q }, k) => {
      const interp: Record<string, Tensor> = runGraph(q.graph, q.inputs);
      for (const o of q.graph.outputs) {
        expect([q.c.name, o, compareExact(res[2 * k][0][o], interp[o])]).toEqual([q.c.name, o, null]);
        expect([q.c.name, o, compareExact(res[2 * k][0][o], res[2 * k + 1][0][o])]).toEqual([q.c.name, o, null]);
      }
    });
  }, 600000);
});


// LSTM/GRU inputs hsq does not run get one clear error naming the node (the numbers themselves
// are checked against ONNX Runtime and across C targets by tests/op-cases.test.ts).
import { runGraph } from '../ops/engine/interpreter';
import { emitModel } from '../targets/c/emit-model';
import { buildCase } from './support/op-cases/harness';
import { rnnCases } from './support/op-cases/rnn';
import { OpCase } from './support/op-cases/case';

const base = (name: string): OpCase => rnnCases().find((c) => c.name === name)!;

describe('LSTM/GRU errors', () => {
  test('the cases these start from exist', () => {
    for (const op of ['LSTM', 'GRU']) expect(rnnCases().some((c) => c.op === op)).toBe(true);
  });

  test('peephole weights are rejected, naming the node', () => {
    const c = base('LSTM_reverse');
    const inputs = [...c.inputs, { dtype: 'float32' as const, shape: [1, 12], value: new Array(12).fill(0.1) }];
    expect(() => buildCase({ ...c, name: 'peep', inputs })).toThrow(/node 'lstm' \(LSTM\): peephole weights P are not supported/);
  });

  test('an unsupported activation is rejected, naming the node', () => {
    const c = base('GRU_relu');
    const b = buildCase({ ...c, name: 'elu', attrs: { ...c.attrs, activations: [(c.attrs!.activations as string[])[0], 'Elu'] } });
    expect(() => runGraph(b.graph, b.inputs)).toThrow(/node 'gru' \(GRU\): activation 'Elu' is not supported/);
  });

  test('a wrong W shape is rejected, naming the node', () => {
    const c = base('GRU_forward_lbr0');
    expect(() => buildCase({ ...c, name: 'hs', attrs: { ...c.attrs, hidden_size: 5 } })).toThrow(/node 'gru' \(GRU\): W has shape \[1, 12, 3\], expected \[1, 15, 3\]/);
  });

  test('sequence_lens given at run time is rejected by the C backend, naming the node', () => {
    const c = base('LSTM_seqlens');
    const inputs = c.inputs.map((inp, i) => (i === 4 ? { dtype: 'int32' as const, shape: [3], range: [0, 4] as [number, number] } : inp));
    const b = buildCase({ ...c, name: 'lens', inputs });
    expect(() => emitModel(b.graph, { name: 'net' })).toThrow(/node 'lstm' \(LSTM\).*must be a compile-time constant/);
  });
});

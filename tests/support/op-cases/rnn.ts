// LSTM and GRU at small sizes: each direction, constant and graph-input initial states,
// constant sequence_lens shorter than the sequence (zeros in Y, states held), clip, no bias,
// GRU's linear_before_reset 0 and 1, and non-default activations. W, R, B are constants
// (seeded), as exporters write them.
import { Rng, subSeed } from '../../../examples/lib/prng';
import { CaseInput, OpCase } from './case';

const f32 = (shape: number[], range?: [number, number]): CaseInput => ({ dtype: 'float32', shape, ...(range ? { range } : {}) });

function constant(name: string, shape: number[], scale = 0.6): CaseInput {
  const rng = new Rng(subSeed(11, name));
  const n = shape.reduce((a, b) => a * b, 1);
  return { dtype: 'float32', shape, value: Array.from({ length: n }, () => rng.uniform(-scale, scale)) };
}

interface RnnCase { name: string; dirs?: 1 | 2; direction?: string; T?: number; N?: number; I?: number; H?: number; bias?: boolean; lens?: number[]; h0?: 'input' | 'const'; attrs?: Record<string, number | string | string[]>; outputs?: number }

function rnnCase(op: 'LSTM' | 'GRU', c: RnnCase): OpCase {
  const gates = op === 'LSTM' ? 4 : 3;
  const T = c.T ?? 3, N = c.N ?? 2, I = c.I ?? 3, H = c.H ?? 4;
  const direction = c.direction ?? 'forward', D = direction === 'bidirectional' ? 2 : 1;
  const name = `${op}_${c.name}`;
  const state = (k: string): CaseInput => (c.h0 === 'const' ? constant(`${name}/${k}`, [D, N, H], 1) : f32([D, N, H], [-1, 1]));
  const inputs: CaseInput[] = [
    f32([T, N, I], [-2, 2]),
    constant(`${name}/W`, [D, gates * H, I]),
    constant(`${name}/R`, [D, gates * H, H]),
    c.bias === false ? { dtype: 'float32', shape: [], omitted: true } : constant(`${name}/B`, [D, 2 * gates * H], 0.3),
    c.lens ? { dtype: 'int32', shape: [N], value: c.lens } : { dtype: 'int32', shape: [], omitted: true },
  ];
  if (c.h0) {
    inputs.push(state('h0'));
    if (op === 'LSTM') inputs.push(state('c0'));
  }
  return { name, op, opset: 14, attrs: { hidden_size: H, direction, ...(c.attrs ?? {}) }, inputs, outputs: c.outputs ?? (op === 'LSTM' ? 3 : 2) };
}

export function rnnCases(): OpCase[] {
  const out: OpCase[] = [];
  for (const op of ['LSTM', 'GRU'] as const) {
    const lbr = op === 'GRU' ? [0, 1] : [undefined];
    for (const l of lbr) {
      const extra = l === undefined ? {} : { linear_before_reset: l };
      const sfx = l === undefined ? '' : `_lbr${l}`;
      out.push(rnnCase(op, { name: `forward${sfx}`, attrs: extra }));
      out.push(rnnCase(op, { name: `reverse${sfx}`, direction: 'reverse', h0: 'input', attrs: extra }));
      out.push(rnnCase(op, { name: `bidirectional${sfx}`, direction: 'bidirectional', h0: 'const', T: 4, attrs: extra }));
      out.push(rnnCase(op, { name: `seqlens${sfx}`, direction: 'bidirectional', T: 4, N: 3, lens: [4, 2, 0], h0: 'input', attrs: extra }));
      out.push(rnnCase(op, { name: `clip_nobias${sfx}`, bias: false, attrs: { ...extra, clip: 0.5 } }));
    }
    out.push(rnnCase(op, { name: 'Y_only_I1_H1', T: 5, N: 1, I: 1, H: 1, outputs: 1 }));
    out.push(rnnCase(op, { name: 'relu', attrs: { activations: op === 'LSTM' ? ['Sigmoid', 'Relu', 'Tanh'] : ['Sigmoid', 'Relu'] } }));
  }
  return out;
}

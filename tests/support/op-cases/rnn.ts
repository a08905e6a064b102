// LSTM and GRU at small sizes: each direction, constant and graph-input initial states,
// constant sequence_lens shorter than the sequence (zeros in Y, states held), clip, no bias,
// GRU's linear_before_reset 0 and 1, and non-default activations. W, R, B are constants
// (seeded), as exporters write them. Weight-only quantized forms (ONNX has no quantized
// LSTM/GRU): W and R (and B) as DequantizeLinear of seeded int8 constants, per tensor or per
// gate row (axis 1), with zero points.
import { Rng, subSeed } from '../../../examples/lib/prng';
import { CaseInput, OpCase } from './case';

const f32 = (shape: number[], range?: [number, number]): CaseInput => ({ dtype: 'float32', shape, ...(range ? { range } : {}) });

function constant(name: string, shape: number[], scale = 0.6): CaseInput {
  const rng = new Rng(subSeed(11, name));
  const n = shape.reduce((a, b) => a * b, 1);
  return { dtype: 'float32', shape, value: Array.from({ length: n }, () => rng.uniform(-scale, scale)) };
}

/** A seeded int8 constant [D, rows, cols] read through DequantizeLinear: per tensor, or per
 *  gate row (axis 1) or per direction (axis 0), scales and zero points seeded too. */
export function int8Weight(name: string, shape: number[], axis: 0 | 1 | undefined, scale = 0.6): CaseInput {
  const rng = new Rng(subSeed(13, name));
  const n = shape.reduce((a, b) => a * b, 1);
  const k = axis === undefined ? 1 : shape[axis];
  const scales = axis !== undefined ? Array.from({ length: k }, () => Math.fround((scale / 127) * rng.uniform(0.5, 1.5))) : [Math.fround(scale / 127)];
  const zps = axis !== undefined ? Array.from({ length: k }, () => Math.round(rng.uniform(-3, 3))) : [2];
  return { dtype: 'int8', shape, value: Array.from({ length: n }, () => Math.round(rng.uniform(-124, 124))), dequantize: { scale: scales, zeroPoint: zps, ...(axis !== undefined ? { axis } : {}) } };
}

export interface RnnCase { name: string; weights?: 'int8' | 'int8-per-row' | 'int8-per-direction'; dirs?: 1 | 2; direction?: string; T?: number; N?: number; I?: number; H?: number; bias?: boolean; lens?: number[]; h0?: 'input' | 'const'; attrs?: Record<string, number | string | string[]>; outputs?: number }

export function rnnCase(op: 'LSTM' | 'GRU', c: RnnCase): OpCase {
  const gates = op === 'LSTM' ? 4 : 3;
  const T = c.T ?? 3, N = c.N ?? 2, I = c.I ?? 3, H = c.H ?? 4;
  const direction = c.direction ?? 'forward', D = direction === 'bidirectional' ? 2 : 1;
  const name = `${op}_${c.name}`;
  const state = (k: string): CaseInput => (c.h0 === 'const' ? constant(`${name}/${k}`, [D, N, H], 1) : f32([D, N, H], [-1, 1]));
  const axis = c.weights === 'int8-per-row' ? 1 : c.weights === 'int8-per-direction' ? 0 : undefined;
  const weight = (k: string, shape: number[], scale?: number) => (c.weights ? int8Weight(`${name}/${k}`, shape, axis, scale) : constant(`${name}/${k}`, shape, scale));
  const inputs: CaseInput[] = [
    f32([T, N, I], [-2, 2]),
    weight('W', [D, gates * H, I]),
    weight('R', [D, gates * H, H]),
    c.bias === false ? { dtype: 'float32', shape: [], omitted: true } : c.weights ? int8Weight(`${name}/B`, [D, 2 * gates * H], undefined, 0.3) : constant(`${name}/B`, [D, 2 * gates * H], 0.3),
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
    out.push(rnnCase(op, { name: 'dq_int8', weights: 'int8', I: 5, H: 6 }));
    out.push(rnnCase(op, { name: 'dq_int8_per_direction', weights: 'int8-per-direction', direction: 'bidirectional' }));
    out.push(rnnCase(op, { name: 'dq_int8_per_row_bidirectional', weights: 'int8-per-row', direction: 'bidirectional', h0: 'input', bias: false, attrs: op === 'GRU' ? { linear_before_reset: 1 } : {} }));
  }
  return out;
}

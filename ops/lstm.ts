// LSTM (ONNX, layout 0, no peepholes, input_forget 0), float32 with every operation rounded.
// Gate rows in W/R/B are i, o, f, c. Per step, with f/g/h the three activations (default
// Sigmoid, Tanh, Tanh) and a_k the pre-activations of ops/lib/rnn.ts:
//   i = f(a_i); o = f(a_o); ft = f(a_f); cc = g(a_c)
//   C = ft * C + i * cc;  H = o * h(C)
// Directions run forward then reverse; Y [seq, dirs, batch, H], Y_h and Y_c [dirs, batch, H].
import { Tensor } from '../core/ir/tensor';
import { attr, defineOp } from './lib/descriptor';
import { RNN_ACT_FN, clipTo, gateSum, rnnActivations, rnnAttrs, rnnGeometry, rnnInfer, rnnLengths, stepTime, zeroEmpty } from './lib/rnn';
import { req, requireFloat } from './lib/tensor-util';

const f = Math.fround;

export const LSTM = defineOp({
  op: 'LSTM',
  since: 7,
  attrs: { ...rnnAttrs(), input_forget: attr.int(0, { values: [0] }) },
  types: ['float32'],
  traits: { quant: 'none', quantizer: false, npu: 'none' },
  infer: (args) => rnnInfer(args, 4),
  run: ({ node, inputs, attrs }) => {
    const x = req(node, inputs, 0);
    requireFloat(node, x.dtype);
    const g = rnnGeometry(node, inputs, attrs.hidden_size, attrs.direction, 4);
    const { seq: T, batch: N, input: I, hidden: H, dirs: D } = g;
    const acts = rnnActivations(node, attrs.activations, ['Sigmoid', 'Tanh', 'Tanh'], D);
    const lens = rnnLengths(node, inputs[4], g);
    const X = x.data as Float32Array, W = req(node, inputs, 1).data as Float32Array, R = req(node, inputs, 2).data as Float32Array;
    const B = inputs[3]?.data as Float32Array | undefined, H0 = inputs[5]?.data as Float32Array | undefined, C0 = inputs[6]?.data as Float32Array | undefined;
    const Y = new Float32Array(T * D * N * H), YH = new Float32Array(D * N * H), YC = new Float32Array(D * N * H);
    const a = new Float32Array(4 * H);
    for (let d = 0; d < D; d++) {
      const [fa, ga, ha] = acts[d].map((n) => RNN_ACT_FN[n]);
      const reverse = attrs.direction === 'reverse' || d === 1;
      const h = H0 ? H0.slice(d * N * H, (d + 1) * N * H) : new Float32Array(N * H);
      const c = C0 ? C0.slice(d * N * H, (d + 1) * N * H) : new Float32Array(N * H);
      const wo = d * 4 * H * I, ro = d * 4 * H * H, bo = d * 8 * H;
      for (let s = 0; s < T; s++) {
        for (let n = 0; n < N; n++) {
          if (s >= lens[n]) continue; // Y stays zero there
          const t = stepTime(reverse, s, lens[n]);
          for (let k = 0; k < 4 * H; k++) {
            const bias = B ? f(B[bo + k] + B[bo + 4 * H + k]) : 0;
            const ax = gateSum(bias, X, (t * N + n) * I, W, wo + k * I, I);
            a[k] = clipTo(gateSum(ax, h, n * H, R, ro + k * H, H), attrs.clip);
          }
          for (let k = 0; k < H; k++) {
            const i = fa(a[k]), o = fa(a[H + k]), ft = fa(a[2 * H + k]), cc = ga(a[3 * H + k]);
            const cn = f(f(ft * c[n * H + k]) + f(i * cc));
            c[n * H + k] = cn;
            const hn = f(o * ha(cn));
            h[n * H + k] = hn;
            Y[((t * D + d) * N + n) * H + k] = hn;
          }
        }
      }
      zeroEmpty(h, lens, H);
      zeroEmpty(c, lens, H);
      YH.set(h, d * N * H);
      YC.set(c, d * N * H);
    }
    const outs: Tensor[] = [
      { dtype: 'float32', shape: [T, D, N, H], data: Y },
      { dtype: 'float32', shape: [D, N, H], data: YH },
      { dtype: 'float32', shape: [D, N, H], data: YC },
    ];
    return outs.slice(0, Math.max(1, node.outputs.length));
  },
});

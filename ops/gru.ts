// GRU (ONNX, layout 0), float32 with every operation rounded. Gate rows in W/R/B are z, r, h.
// Per step, with f/g the two activations (default Sigmoid, Tanh) and a_k the pre-activations of
// ops/lib/rnn.ts (for the h gate: input part only, Wb_h + x.W_h):
//   z = f(a_z); r = f(a_r)
//   linear_before_reset 0: hh = g(a_h + ((r * H) . R_h + Rb_h))   (rows summed Rb_h first)
//   linear_before_reset 1: hh = g(a_h + r * (H . R_h + Rb_h))
//   H = (1 - z) * hh + z * H
// Directions run forward then reverse; Y [seq, dirs, batch, H], Y_h [dirs, batch, H].
import { Tensor } from '../core/ir/tensor';
import { attr, defineOp } from './lib/descriptor';
import { RNN_ACT_FN, clipTo, gateSum, rnnActivations, rnnAttrs, rnnGeometry, rnnInfer, rnnLengths, stepTime, zeroEmpty } from './lib/rnn';
import { req, requireFloat } from './lib/tensor-util';

const f = Math.fround;

export const GRU = defineOp({
  op: 'GRU',
  since: 7,
  attrs: { ...rnnAttrs(), linear_before_reset: attr.int(0, { values: [0, 1] }) },
  types: ['float32'],
  traits: { quant: 'none', quantizer: false, npu: 'none' },
  infer: (args) => rnnInfer(args, 3),
  run: ({ node, inputs, attrs }) => {
    const x = req(node, inputs, 0);
    requireFloat(node, x.dtype);
    const g = rnnGeometry(node, inputs, attrs.hidden_size, attrs.direction, 3);
    const { seq: T, batch: N, input: I, hidden: H, dirs: D } = g;
    const acts = rnnActivations(node, attrs.activations, ['Sigmoid', 'Tanh'], D);
    const lens = rnnLengths(node, inputs[4], g);
    const lbr = attrs.linear_before_reset === 1;
    const X = x.data as Float32Array, W = req(node, inputs, 1).data as Float32Array, R = req(node, inputs, 2).data as Float32Array;
    const B = inputs[3]?.data as Float32Array | undefined, H0 = inputs[5]?.data as Float32Array | undefined;
    const Y = new Float32Array(T * D * N * H), YH = new Float32Array(D * N * H);
    const a = new Float32Array(3 * H), rh = new Float32Array(H);
    for (let d = 0; d < D; d++) {
      const [fa, ga] = acts[d].map((n) => RNN_ACT_FN[n]);
      const reverse = attrs.direction === 'reverse' || d === 1;
      const h = H0 ? H0.slice(d * N * H, (d + 1) * N * H) : new Float32Array(N * H);
      const wo = d * 3 * H * I, ro = d * 3 * H * H, bo = d * 6 * H;
      for (let s = 0; s < T; s++) {
        for (let n = 0; n < N; n++) {
          if (s >= lens[n]) continue; // Y stays zero there
          const t = stepTime(reverse, s, lens[n]);
          const xo = (t * N + n) * I, ho = n * H;
          for (let k = 0; k < 2 * H; k++) {
            const bias = B ? f(B[bo + k] + B[bo + 3 * H + k]) : 0;
            a[k] = clipTo(gateSum(gateSum(bias, X, xo, W, wo + k * I, I), h, ho, R, ro + k * H, H), attrs.clip);
          }
          for (let k = 0; k < H; k++) a[k] = fa(a[k]), a[H + k] = fa(a[H + k]);
          for (let k = 0; k < H; k++) rh[k] = f(a[H + k] * h[ho + k]);
          for (let k = 0; k < H; k++) {
            const kk = 2 * H + k;
            const ax = gateSum(B ? B[bo + kk] : 0, X, xo, W, wo + kk * I, I);
            const rb = B ? B[bo + 3 * H + kk] : 0;
            const rec = lbr ? f(a[H + k] * gateSum(rb, h, ho, R, ro + kk * H, H)) : gateSum(rb, rh, 0, R, ro + kk * H, H);
            a[kk] = ga(clipTo(f(ax + rec), attrs.clip));
          }
          for (let k = 0; k < H; k++) {
            const z = a[k];
            const hn = f(f(f(1 - z) * a[2 * H + k]) + f(z * h[ho + k]));
            h[ho + k] = hn;
            Y[((t * D + d) * N + n) * H + k] = hn;
          }
        }
      }
      zeroEmpty(h, lens, H);
      YH.set(h, d * N * H);
    }
    const outs: Tensor[] = [
      { dtype: 'float32', shape: [T, D, N, H], data: Y },
      { dtype: 'float32', shape: [D, N, H], data: YH },
    ];
    return outs.slice(0, Math.max(1, node.outputs.length));
  },
});

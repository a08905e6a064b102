// LSTM and GRU as ops/lstm.ts and ops/gru.ts compute them (pre-activations as ops/lib/rnn.ts
// sums them: Wb + Rb, then x.W in order, then h.R in order; every operation float32). One loop
// nest per direction; state (h, c) and gate pre-activations live in node scratch. Y is written
// in logical order (a scratch copy when its rank-4 layout is channels-last). sequence_lens must
// be a compile-time constant (a static table); steps past an entry's length write zeros to Y,
// and an entry with length 0 ends with zero states.
import { readAttrs } from '../../../ops/lib/descriptor';
import { descriptorOf } from '../../../ops/engine/traits';
import { RnnActivation, rnnActivations, rnnGeometry, rnnLengths } from '../../../ops/lib/rnn';
import { NodeContext, OpEmitter } from '../context';
import { cFloat } from '../ctypes';
import { logicalOutput } from './util';

const ACT_C: Record<RnnActivation, (v: string) => string> = {
  Sigmoid: (v) => `(1.0f / (1.0f + hsq_expf(-${v})))`,
  Tanh: (v) => `hsq_tanhf(${v})`,
  Relu: (v) => `(${v} > 0.0f ? ${v} : 0.0f)`,
};

interface RnnSetup {
  attrs: Record<string, unknown>;
  T: number; N: number; I: number; H: number; D: number;
  acts: RnnActivation[][];
  lens: number[];
  clip?: number;
  reverse: (d: number) => boolean;
}

function setup(ctx: NodeContext, gates: number, defaults: RnnActivation[]): RnnSetup {
  if (ctx.in(0).dtype !== 'float32') ctx.fail(`input type ${ctx.in(0).dtype} is not supported (float32)`);
  const attrs = readAttrs(descriptorOf(ctx.node)!.attrs, ctx.node) as Record<string, unknown>;
  const infos = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => (ctx.has(i) ? ctx.in(i) : undefined));
  const g = rnnGeometry(ctx.node, infos, attrs.hidden_size as number | undefined, attrs.direction as string, gates);
  const lens = rnnLengths(ctx.node, ctx.has(4) ? ctx.constValue(4) : undefined, g);
  return {
    attrs, T: g.seq, N: g.batch, I: g.input, H: g.hidden, D: g.dirs,
    acts: rnnActivations(ctx.node, attrs.activations as string[] | undefined, defaults, g.dirs),
    lens, clip: attrs.clip as number | undefined,
    reverse: (d) => attrs.direction === 'reverse' || d === 1,
  };
}

const clipC = (v: string, clip: number | undefined): string[] => (clip === undefined ? [] :
  [`if (${v} < ${cFloat(-Math.fround(clip))}) ${v} = ${cFloat(-Math.fround(clip))}; else if (${v} > ${cFloat(Math.fround(clip))}) ${v} = ${cFloat(Math.fround(clip))};`]);

/** Gate pre-activation rows [k0, k1) into a[], with optional activation `act`. */
function gateLoop(p: RnnSetup, k0: string, k1: string, hasB: boolean, act?: (v: string) => string): string[] {
  return [
    `for (k = ${k0}; k < ${k1}; k++) {`,
    `  float acc = ${hasB ? 'bw[k] + br[k]' : '0.0f'};`,
    `  for (j = 0; j < ${p.I}; j++) acc = acc + xr[j] * w[k * ${p.I} + j];`,
    `  for (j = 0; j < ${p.H}; j++) acc = acc + hr[j] * r[k * ${p.H} + j];`,
    ...clipC('acc', p.clip).map((l) => `  ${l}`),
    `  a[k] = ${act ? act('acc') : 'acc'};`,
    '}',
  ];
}

function emitRnn(ctx: NodeContext, gates: number, p: RnnSetup, cell: (d: number) => string[]): void {
  const { T, N, I, H, D } = p;
  const hasB = ctx.has(3), hasH0 = ctx.has(5), hasC0 = gates === 4 && ctx.has(6);
  const y = ctx.node.outputs[0] ? logicalOutput(ctx, 0) : undefined;
  const outs = [1, 2].filter((k) => ctx.node.outputs[k]);
  const hs = ctx.scratch(N * H * 4, 'float'), cs = gates === 4 ? ctx.scratch(N * H * 4, 'float') : '';
  const as = ctx.scratch(gates * H * 4, 'float'), rs = gates === 3 ? ctx.scratch(H * 4, 'float') : '';
  const short = p.lens.some((l) => l < T);
  ctx.emit(
    '  {',
    `    const float* x = ${ctx.inPtr(0)};`,
    `    float* h = ${hs};`,
    ...(gates === 4 ? [`    float* c = ${cs};`] : [`    float* rh = ${rs};`]),
    `    float* a = ${as};`,
    ...(y ? [`    float* y = ${y.ptr};`] : []),
    ...(short ? [`    static const int32_t lens[${N}] = { ${p.lens.join(', ')} };`] : []),
    '    int32_t s, n, k, j;',
  );
  for (let d = 0; d < D; d++) {
    const rev = p.reverse(d);
    ctx.emit(
      `    /* direction ${d} (${rev ? 'reverse' : 'forward'}) */`,
      '    {',
      `      const float* w = ${ctx.inPtr(1)} + ${d * gates * H * I};`,
      `      const float* r = ${ctx.inPtr(2)} + ${d * gates * H * H};`,
      ...(hasB ? [`      const float* bw = ${ctx.inPtr(3)} + ${d * 2 * gates * H};`, `      const float* br = bw + ${gates * H};`] : []),
      `      for (k = 0; k < ${N * H}; k++) h[k] = ${hasH0 ? `${ctx.inPtr(5)}[${d * N * H} + k]` : '0.0f'};`,
      ...(gates === 4 ? [`      for (k = 0; k < ${N * H}; k++) c[k] = ${hasC0 ? `${ctx.inPtr(6)}[${d * N * H} + k]` : '0.0f'};`] : []),
      `      for (s = 0; s < ${T}; s++) {`,
      `        for (n = 0; n < ${N}; n++) {`,
      `          const int32_t len = ${short ? 'lens[n]' : T};`,
      '          int32_t t;',
      '          const float* xr;',
      '          float* hr;',
      ...(y ? [`          float* yr;`] : []),
      `          if (s >= len) {${y ? ` for (k = 0; k < ${H}; k++) y[((s * ${D} + ${d}) * ${N} + n) * ${H} + k] = 0.0f;` : ''} continue; }`,
      `          t = ${rev ? 'len - 1 - s' : 's'};`,
      `          xr = x + (t * ${N} + n) * ${I};`,
      `          hr = h + n * ${H};`,
      ...(y ? [`          yr = y + ((t * ${D} + ${d}) * ${N} + n) * ${H};`] : []),
      ...cell(d).map((l) => `          ${l}`),
      '        }',
      '      }',
      ...p.lens.flatMap((l, n) => (l === 0 ? [`      for (k = 0; k < ${H}; k++) { h[${n * H} + k] = 0.0f;${gates === 4 ? ` c[${n * H} + k] = 0.0f;` : ''} } /* entry ${n}: no steps */`] : [])),
      ...outs.map((k) => `      for (k = 0; k < ${N * H}; k++) ${ctx.outPtr(k)}[${d * N * H} + k] = ${k === 1 ? 'h' : 'c'}[k];`),
      '    }',
    );
  }
  ctx.emit('  }');
  y?.finish();
}

export const emitLstm: OpEmitter = (ctx) => {
  const p = setup(ctx, 4, ['Sigmoid', 'Tanh', 'Tanh']);
  const H = p.H, hasB = ctx.has(3), hasY = !!ctx.node.outputs[0];
  emitRnn(ctx, 4, p, (d) => {
    const [fa, ga, ha] = p.acts[d].map((n) => ACT_C[n]);
    return [
      ...gateLoop(p, '0', `${4 * H}`, hasB),
      `for (k = 0; k < ${H}; k++) {`,
      `  const float ig = ${fa(`a[k]`)}, og = ${fa(`a[${H} + k]`)}, fg = ${fa(`a[${2 * H} + k]`)}, cg = ${ga(`a[${3 * H} + k]`)};`,
      `  const float cn = fg * c[n * ${H} + k] + ig * cg;`,
      `  c[n * ${H} + k] = cn;`,
      `  hr[k] = og * ${ha('cn')};`,
      ...(hasY ? ['  yr[k] = hr[k];'] : []),
      '}',
    ];
  });
};

export const emitGru: OpEmitter = (ctx) => {
  const p = setup(ctx, 3, ['Sigmoid', 'Tanh']);
  const H = p.H, I = p.I, hasB = ctx.has(3), hasY = !!ctx.node.outputs[0];
  const lbr = p.attrs.linear_before_reset === 1;
  emitRnn(ctx, 3, p, (d) => {
    const [fa, ga] = p.acts[d].map((n) => ACT_C[n]);
    return [
      ...gateLoop(p, '0', `${2 * H}`, hasB, fa),
      `for (k = 0; k < ${H}; k++) rh[k] = a[${H} + k] * hr[k];`,
      `for (k = ${2 * H}; k < ${3 * H}; k++) {`,
      `  float ax = ${hasB ? 'bw[k]' : '0.0f'}, rc = ${hasB ? 'br[k]' : '0.0f'}, pa;`,
      `  for (j = 0; j < ${I}; j++) ax = ax + xr[j] * w[k * ${I} + j];`,
      ...(lbr
        ? [`  for (j = 0; j < ${H}; j++) rc = rc + hr[j] * r[k * ${H} + j];`, `  rc = a[k - ${H}] * rc;`]
        : [`  for (j = 0; j < ${H}; j++) rc = rc + rh[j] * r[k * ${H} + j];`]),
      '  pa = ax + rc;',
      ...clipC('pa', p.clip).map((l) => `  ${l}`),
      `  a[k] = ${ga('pa')};`,
      '}',
      `for (k = 0; k < ${H}; k++) {`,
      '  const float z = a[k];',
      `  const float hn = (1.0f - z) * a[${2 * H} + k] + z * hr[k];`,
      '  hr[k] = hn;',
      ...(hasY ? ['  yr[k] = hn;'] : []),
      '}',
    ];
  });
};

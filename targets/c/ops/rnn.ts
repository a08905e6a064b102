// LSTM and GRU as ops/lstm.ts and ops/gru.ts compute them (pre-activations as ops/lib/rnn.ts
// sums them: Wb + Rb, then x.W in order, then h.R in order; every operation float32). One loop
// nest per direction; state (h, c) and gate pre-activations live in node scratch. Y is written
// in logical order (a scratch copy when its rank-4 layout is channels-last). sequence_lens must
// be a compile-time constant (a static table); steps past an entry's length write zeros to Y,
// and an entry with length 0 ends with zero states.
//
// W, R and B given as DequantizeLinear of integer constants (weight-only quantized: ONNX has no
// quantized LSTM/GRU) arrive as float32 constants carrying their grid (TensorInfo.weightGrid,
// fold-float-weights); they are stored as int8 v = q - zw with their scale(s) (B per tensor
// only) and each weight is dequantized where it is used, (float)v * s -- the interpreter's
// fround((q - zw) * s) -- so the sums are the float ones, term for term.
import { readAttrs } from '../../../ops/lib/descriptor';
import { descriptorOf } from '../../../ops/engine/traits';
import { RnnActivation, rnnActivations, rnnGeometry, rnnLengths } from '../../../ops/lib/rnn';
import { NodeContext, OpEmitter } from '../context';
import { cFloat } from '../ctypes';
import { logicalOutput } from './util';
import { gridRows } from './wgrid';

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

/** W or R of every direction: `decl(d)` points `name` at direction d, `at(k, j)` is the float
 *  weight of gate row k, column j. */
interface Matrix {
  readonly decl: (d: number) => string[];
  readonly at: (k: string, j: string) => string;
}

/**
 * Input `input` ([D, rows, rowLen], constant) as a Matrix: float32, or weight-only int8 rows
 * (per tensor, or per channel along the gate-row axis 1 or the direction axis 0) when its grid
 * gives back every float exactly. B is one row of 2 * gates * H per direction, per tensor.
 */
function matrix(ctx: NodeContext, input: 1 | 2 | 3, name: string, D: number, rows: number, rowLen: number): Matrix {
  const info = ctx.in(input), grid = info.weightGrid;
  const floatM: Matrix = {
    decl: (d) => [`const float* ${name} = ${ctx.inPtr(input)} + ${d * rows * rowLen};`],
    at: (k, j) => `${name}[${rowLen === 1 ? k : `${k} * ${rowLen} + ${j}`}]`,
  };
  if (!grid || !ctx.isConst(input) || info.shape.length !== (input === 3 ? 2 : 3)) return floatM;
  const per = grid.scale.length > 1;
  if (per && !(input !== 3 && ((grid.axis === 1 && grid.scale.length === rows) || (grid.axis === 0 && grid.scale.length === D)))) return floatM;
  // gridRows checks every value against one scale / zero point per stored row (d, k).
  const rowParam = (a: readonly number[]) => Array.from({ length: D * rows }, (_, r) => a[grid.axis === 0 ? Math.floor(r / rows) : r % rows]);
  const rowGrid = per ? { ...grid, axis: 0, scale: rowParam(grid.scale), zeroPoint: rowParam(grid.zeroPoint) } : grid;
  const g = gridRows(ctx.constValue(input).data as Float32Array, D * rows, rowLen, rowGrid, () => true);
  if (!g || g.packed.bits !== 8) return floatM;
  const wp = ctx.weight(g.packed.bytes, 'int8_t');
  // Stored once: per gate row (shared by the directions) or per direction.
  const sp = per ? ctx.weightArray(Float32Array.from(grid.scale), 'float') : '';
  const scaleOf = (k: string) => (!per ? cFloat(g.scale[0]) : grid.axis === 1 ? `${name}s[${k}]` : `${name}s[0]`);
  return {
    decl: (d) => [
      `const int8_t* ${name} = ${wp} + ${d * rows * rowLen}; /* weight-only ${grid.signed ? 'int' : 'uint'}${grid.bits}${per ? ` per-axis(${grid.axis})` : ''}: q - zw */`,
      ...(per ? [`const float* ${name}s = ${sp}${grid.axis === 0 ? ` + ${d}` : ''};`] : []),
    ],
    at: (k, j) => `((float)${name}[${rowLen === 1 ? k : `${k} * ${rowLen} + ${j}`}] * ${scaleOf(k)})`,
  };
}

const clipC = (v: string, clip: number | undefined): string[] => (clip === undefined ? [] :
  [`if (${v} < ${cFloat(-Math.fround(clip))}) ${v} = ${cFloat(-Math.fround(clip))}; else if (${v} > ${cFloat(Math.fround(clip))}) ${v} = ${cFloat(Math.fround(clip))};`]);

/** Gate pre-activation rows [k0, k1) into a[], with optional activation `act`. */
function gateLoop(p: RnnSetup, m: Mats, k0: string, k1: string, act?: (v: string) => string): string[] {
  return [
    `for (k = ${k0}; k < ${k1}; k++) {`,
    `  float acc = ${m.b ? `${m.b.at('k', '')} + ${m.b.at(`${p.H * m.gates} + k`, '')}` : '0.0f'};`,
    `  for (j = 0; j < ${p.I}; j++) acc = acc + xr[j] * ${m.w.at('k', 'j')};`,
    `  for (j = 0; j < ${p.H}; j++) acc = acc + hr[j] * ${m.r.at('k', 'j')};`,
    ...clipC('acc', p.clip).map((l) => `  ${l}`),
    `  a[k] = ${act ? act('acc') : 'acc'};`,
    '}',
  ];
}

/** W, R and B (Wb then Rb, each gates * H, per direction) of every direction. */
interface Mats { readonly w: Matrix; readonly r: Matrix; readonly b?: Matrix; readonly gates: number }

function mats(ctx: NodeContext, gates: number, p: RnnSetup): Mats {
  return {
    w: matrix(ctx, 1, 'w', p.D, gates * p.H, p.I), r: matrix(ctx, 2, 'r', p.D, gates * p.H, p.H),
    b: ctx.has(3) ? matrix(ctx, 3, 'b', p.D, 2 * gates * p.H, 1) : undefined, gates,
  };
}

function emitRnn(ctx: NodeContext, gates: number, p: RnnSetup, m: Mats, cell: (d: number) => string[]): void {
  const { T, N, I, H, D } = p;
  const hasH0 = ctx.has(5), hasC0 = gates === 4 && ctx.has(6);
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
      ...m.w.decl(d).map((l) => `      ${l}`),
      ...m.r.decl(d).map((l) => `      ${l}`),
      ...(m.b ? m.b.decl(d).map((l) => `      ${l}`) : []),
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
  const H = p.H, hasY = !!ctx.node.outputs[0];
  const m = mats(ctx, 4, p);
  emitRnn(ctx, 4, p, m, (d) => {
    const [fa, ga, ha] = p.acts[d].map((n) => ACT_C[n]);
    return [
      ...gateLoop(p, m, '0', `${4 * H}`),
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
  const H = p.H, I = p.I, hasY = !!ctx.node.outputs[0];
  const lbr = p.attrs.linear_before_reset === 1;
  const m = mats(ctx, 3, p);
  emitRnn(ctx, 3, p, m, (d) => {
    const [fa, ga] = p.acts[d].map((n) => ACT_C[n]);
    return [
      ...gateLoop(p, m, '0', `${2 * H}`, fa),
      `for (k = 0; k < ${H}; k++) rh[k] = a[${H} + k] * hr[k];`,
      `for (k = ${2 * H}; k < ${3 * H}; k++) {`,
      `  float ax = ${m.b ? m.b.at('k', '') : '0.0f'}, rc = ${m.b ? m.b.at(`${3 * H} + k`, '') : '0.0f'}, pa;`,
      `  for (j = 0; j < ${I}; j++) ax = ax + xr[j] * ${m.w.at('k', 'j')};`,
      ...(lbr
        ? [`  for (j = 0; j < ${H}; j++) rc = rc + hr[j] * ${m.r.at('k', 'j')};`, `  rc = a[k - ${H}] * rc;`]
        : [`  for (j = 0; j < ${H}; j++) rc = rc + rh[j] * ${m.r.at('k', 'j')};`]),
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

// Emits the standard-ONNX nodes of a QONNX reference, one numpy step at a time. qonnx evaluates
// its quantizers with numpy on float32 arrays, so every numpy operation becomes one ONNX node
// computing the same float32 operation (ONNX Runtime's elementwise kernels round each result to
// float32 as numpy does), and numpy's choices for NaN and signed zeros are kept: np.where
// compares, it does not clip; np.round is half to even.
//
// The model's default-domain opset is not changed (changing it would change other ops'
// semantics), so ops newer than it are built from older ones:
// - Round (opset 11): floor, then +1 above the half and on an odd floor at the half, with the
//   sign of zero taken from the input as np.round keeps it;
// - GreaterOrEqual (opset 12): not(x < y) and not NaN.
// Where, IsNaN and Sign need opset 9, the reference's minimum.
// ONNX Runtime's Where (CPU; onnxruntime-node 1.30) turns a -0 chosen from its X input into +0
// (it merges the two selections by comparing with zero), so a value that may be -0 is never
// passed through Where's X input: signs are restored by multiplication instead.
import { fail } from '../../core/diagnostics';
import { Graph, Node } from '../../core/ir/graph';
import { Tensor, makeTensor, toNumbers } from '../../core/ir/tensor';

export const MIN_REFERENCE_OPSET = 9;

export class RefBuilder {
  readonly nodes: Node[] = [];
  readonly initializers: Record<string, Tensor> = {};
  private readonly consts = new Map<string, string>();

  constructor(
    private readonly g: Graph,
    private readonly names: Set<string>,
    private readonly nodeNames: Set<string>,
    readonly opset: number,
    /** The QONNX node being lowered: names of new nodes and tensors start with it. */
    private readonly base: string,
  ) {
    if (opset < MIN_REFERENCE_OPSET)
      fail('unsupported', `node '${base}': a standard-ONNX reference for QONNX ops needs default-domain opset ${MIN_REFERENCE_OPSET} or later (the model has ${opset})`, base);
  }

  private fresh(set: Set<string>, stem: string): string {
    let n = `${this.base}__${stem}`;
    for (let k = 1; set.has(n); k++) n = `${this.base}__${stem}_${k}`;
    set.add(n);
    return n;
  }

  /** One node; returns its output (`out` when given: the lowered node's own output name). */
  op(op: string, inputs: readonly string[], attrs: Node['attrs'] = {}, out?: string): string {
    const y = out ?? this.fresh(this.names, op.toLowerCase());
    this.nodes.push({ name: this.fresh(this.nodeNames, op), op, domain: '', opset: this.opset, inputs: [...inputs], outputs: [y], attrs });
    return y;
  }

  /** A float32 constant (scalar for a number), shared by every use in this node's lowering. */
  constant(v: number | Tensor, stem = 'c'): string {
    const t = typeof v === 'number' ? makeTensor('float32', [], [v]) : v;
    const key = typeof v === 'number' ? `n:${Object.is(v, -0) ? '-0' : v}` : undefined;
    if (key && this.consts.has(key)) return this.consts.get(key)!;
    const name = this.fresh(this.names, stem);
    this.initializers[name] = t;
    if (key) this.consts.set(key, name);
    return name;
  }

  /** A QONNX parameter input as float32: constants converted now, others through a Cast. */
  float(input: string, what: string): string {
    const c = this.g.initializers[input];
    if (c) {
      if (c.dtype === 'float32') return input;
      return this.constant(makeTensor('float32', c.shape, toNumbers(c).map(Math.fround)), what);
    }
    const info = this.g.tensors[input];
    if (info && info.dtype === 'float32') return input;
    return this.op('Cast', [input], { to: 1 });
  }

  /** x >= 0 as numpy computes it (false for NaN). */
  ge0(x: string): string {
    const zero = this.constant(0);
    if (this.opset >= 12) return this.op('GreaterOrEqual', [x, zero]);
    return this.op('And', [this.op('Not', [this.op('Less', [x, zero])]), this.op('Not', [this.op('IsNaN', [x])])]);
  }

  /** x == v for float tensors without float Equal (opset < 11): neither below nor above (true for NaN). */
  private eq(x: string, v: string): string {
    return this.op('Not', [this.op('Or', [this.op('Less', [x, v]), this.op('Greater', [x, v])])]);
  }

  /** -1 where x's sign bit is set (x < 0, or x = -0: 1 / x < 0), else +1 (NaN: +1). */
  private signOf(x: string): string {
    const zero = this.constant(0);
    const neg = this.op('Or', [this.op('Less', [x, zero]), this.op('Less', [this.op('Div', [this.constant(1), x]), zero])]);
    return this.op('Where', [neg, this.constant(-1), this.constant(1)]);
  }

  /** np.where(x > hi, hi, x) then np.where(x < lo, lo, x): NaN passes through. */
  clamp(x: string, lo: number, hi: number): string {
    const h = this.constant(Math.fround(hi)), l = this.constant(Math.fround(lo));
    const a = this.op('Where', [this.op('Greater', [x, h]), h, x]);
    return this.op('Where', [this.op('Less', [a, l]), l, a]);
  }

  /** np.round: half to even. */
  roundHalfEven(x: string): string {
    if (this.opset >= 11) return this.op('Round', [x]);
    const half = this.constant(0.5), one = this.constant(1), zero = this.constant(0), two = this.constant(2);
    const f = this.op('Floor', [x]);
    // Exact in float32 (x - floor(x) needs no more bits than x has, down to |x| = 0.5; below,
    // with f = -1, a rounded d stays >= 0.5 and both branches add 1).
    const d = this.op('Sub', [x, f]);
    const above = this.op('Greater', [d, half]);
    const odd = this.op('Sub', [f, this.op('Mul', [this.op('Floor', [this.op('Mul', [f, half])]), two])]);
    const inc = this.op('Where', [above, one, this.op('Where', [this.eq(d, half), odd, zero])]);
    const r = this.op('Add', [f, inc]);
    // Rounding keeps the sign: -0.3 rounds to -0 in numpy, where floor + 1 gives +0.
    const signed = this.op('Mul', [this.signOf(x), this.op('Abs', [r])]);
    // d is NaN only for x = ±inf or NaN, which round to themselves (never -0: safe in X).
    return this.op('Where', [this.op('IsNaN', [d]), x, signed]);
  }

  /** qonnx's resolve_rounding_mode, one numpy expression each. */
  round(x: string, mode: string): string {
    const sign = () => this.op('Sign', [x]);
    const abs = () => this.op('Abs', [x]);
    switch (mode.toUpperCase()) {
      case 'ROUND': case 'HALF_EVEN': return this.roundHalfEven(x);
      case 'CEIL': return this.op('Ceil', [x]);
      case 'FLOOR': return this.op('Floor', [x]);
      // np.sign(x) * np.ceil(np.abs(x))
      case 'UP': return this.op('Mul', [sign(), this.op('Ceil', [abs()])]);
      // np.fix (toward zero, sign kept: fix(-0.3) = -0): sign bit × floor(|x|)
      case 'DOWN': return this.op('Mul', [this.signOf(x), this.op('Floor', [abs()])]);
      // np.sign(x) * np.floor(np.abs(x) + 0.5), the sum rounded to float32
      case 'HALF_UP': return this.op('Mul', [sign(), this.op('Floor', [this.op('Add', [abs(), this.constant(0.5)])])]);
      // np.sign(x) * np.ceil(np.abs(x) - 0.5)
      case 'HALF_DOWN': return this.op('Mul', [sign(), this.op('Ceil', [this.op('Sub', [abs(), this.constant(0.5)])])]);
    }
    return fail('unsupported', `node '${this.base}': rounding_mode '${mode}' is not a QONNX rounding mode (ROUND, HALF_EVEN, CEIL, FLOOR, UP, DOWN, HALF_UP, HALF_DOWN)`, this.base);
  }
}

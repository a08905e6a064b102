// What a model must satisfy before hsq compiles it, as a table (after Arm Vela's supported-operator
// checks): each rule is a small predicate and its text is the reason the user reads. A model that
// breaks one is refused with one error naming the node, the attribute (or input) and the value,
// rather than compiled into C that gcc rejects or that silently computes something else (a stride
// of 2^31 written into an int32_t field becomes INT32_MIN). validateGraph runs the table.
import { fail } from '../../core/diagnostics';
import { isFloat } from '../../core/ir/dtype';
import { AttrValue, Graph, Node } from '../../core/ir/graph';

/** What a rule found wrong: the attribute or input, and its value as the message shows it. */
export interface Finding { readonly what: string; readonly value: string }

export interface NodeRule {
  readonly id: string;
  /** The constraint, shown to the user after the node, attribute and value. */
  readonly text: string;
  /** The ops it applies to; every op when absent. */
  readonly ops?: readonly string[];
  readonly check: (n: Node, g: Graph) => Finding | undefined;
}

export interface GraphRule {
  readonly id: string;
  readonly text: string;
  readonly check: (g: Graph) => Finding | undefined;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
/** The smallest normal float32: a denormal scale is a broken export (and flushes to 0 on some FPUs). */
const FLT_MIN = 2 ** -126;
/** ai.onnx opsets hsq reads: 7 is the oldest ONNX Runtime runs (hsq verify's oracle); 25 the newest hsq's op files follow. */
export const AI_ONNX_OPSETS = [7, 25] as const;
/** Attributes whose values are int64 by definition and are clamped, not emitted (Slice's INT64_MAX "to the end"). */
const INT64_ATTRS: Readonly<Record<string, readonly string[]>> = { Slice: ['starts', 'ends'] };
const QUANT_OPS = ['Quant', 'IntQuant'];

const ints = (v: AttrValue): number[] | undefined =>
  typeof v === 'number' ? [v] : Array.isArray(v) && v.every((x) => typeof x === 'number') ? (v as number[]) : undefined;

/** The values of a constant input (an initializer), or undefined when it is computed. */
function constInput(g: Graph, n: Node, k: number): number[] | undefined {
  const t = n.inputs[k] ? g.initializers[n.inputs[k]] : undefined;
  return t ? Array.from(t.data as ArrayLike<number | bigint>, Number) : undefined;
}

export const NODE_RULES: readonly NodeRule[] = [
  {
    id: 'int-attr-int32',
    text: `integer attributes must fit in int32 [${INT32_MIN}, ${INT32_MAX}] (hsq's C holds them in int32_t)`,
    check(n) {
      const types = n.attrTypes ?? {};
      for (const [k, v] of Object.entries(n.attrs)) {
        if (INT64_ATTRS[n.op]?.includes(k)) continue;
        // INT (2) and INTS (7) in AttributeProto; attributes passes add have no recorded type.
        if (types[k] !== undefined && types[k] !== 2 && types[k] !== 7) continue;
        const bad = ints(v)?.find((x) => Number.isInteger(x) && (x < INT32_MIN || x > INT32_MAX));
        if (bad !== undefined) return { what: `attribute '${k}'`, value: String(bad) };
      }
      return undefined;
    },
  },
  {
    id: 'quant-scale',
    text: 'QONNX Quant scales must be positive, finite and normal float32 (>= 2^-126)',
    ops: QUANT_OPS,
    check(n, g) {
      const s = constInput(g, n, 1);
      const bad = s?.find((x) => !(x >= FLT_MIN) || !Number.isFinite(x) || Math.fround(x) < FLT_MIN);
      return bad !== undefined ? { what: `input 'scale' ('${n.inputs[1]}')`, value: String(bad) } : undefined;
    },
  },
  {
    id: 'quant-bitwidth',
    text: 'QONNX Quant bit widths must be integers in [1, 32]',
    ops: QUANT_OPS,
    check(n, g) {
      const b = constInput(g, n, 3);
      const bad = b?.find((x) => !Number.isInteger(x) || x < 1 || x > 32);
      return bad !== undefined ? { what: `input 'bitwidth' ('${n.inputs[3]}')`, value: String(bad) } : undefined;
    },
  },
  {
    id: 'quant-flags',
    text: 'QONNX Quant signed and narrow must be 0 or 1',
    ops: QUANT_OPS,
    check(n) {
      for (const k of ['signed', 'narrow']) {
        const v = n.attrs[k];
        if (v !== undefined && v !== 0 && v !== 1) return { what: `attribute '${k}'`, value: String(v) };
      }
      return undefined;
    },
  },
  {
    id: 'batchnorm-float-params',
    text: 'BatchNormalization scale, B, mean and var must be float tensors',
    ops: ['BatchNormalization'],
    check(n, g) {
      const names = ['scale', 'B', 'input_mean', 'input_var'];
      for (let k = 1; k <= 4; k++) {
        const i = n.inputs[k];
        const dt = i ? g.initializers[i]?.dtype ?? g.tensors[i]?.dtype : undefined;
        if (dt !== undefined && !isFloat(dt)) return { what: `input '${names[k - 1]}' ('${i}')`, value: dt };
      }
      return undefined;
    },
  },
];

export const GRAPH_RULES: readonly GraphRule[] = [
  {
    id: 'ai-onnx-opset',
    text: `the ai.onnx opset must be in [${AI_ONNX_OPSETS[0]}, ${AI_ONNX_OPSETS[1]}]`,
    check(g) {
      const v = g.opsets?.[''];
      if (v === undefined || !g.nodes.some((n) => n.domain === '')) return undefined;
      return v >= AI_ONNX_OPSETS[0] && v <= AI_ONNX_OPSETS[1] ? undefined : { what: 'opset_import ai.onnx', value: String(v) };
    },
  },
];

/** The first broken rule as one message, or undefined. */
export function modelRuleViolation(g: Graph): { message: string; subject: string } | undefined {
  for (const r of GRAPH_RULES) {
    const f = r.check(g);
    if (f) return { message: `model: ${f.what} is ${f.value}: ${r.text}`, subject: 'opset_import' };
  }
  for (const n of g.nodes) {
    for (const r of NODE_RULES) {
      if (r.ops && !r.ops.includes(n.op)) continue;
      const f = r.check(n, g);
      if (f) return { message: `node '${n.name}' (${n.op}): ${f.what} is ${f.value}: ${r.text}`, subject: n.name };
    }
  }
  return undefined;
}

/** Throws the first broken rule as a bad-input HsqError (exit 2). */
export function checkModelRules(g: Graph): void {
  const v = modelRuleViolation(g);
  if (v) fail('bad-input', v.message, v.subject);
}

// Operator lookup for the interpreter, shape inference and the importer's support check.
// Domains: '' and 'ai.onnx' are ONNX; the QONNX domains (qonnx.custom_op.general, onnx.brevitas,
// finn.custom_op.general, qonnx) are aliases of each other; 'hsq' is hsq's own.
import { Node } from '../../core/ir/graph';
import { nnOps } from './index-nn';
import { tensorOps } from './index-tensor';
import { OpImpl } from '../lib/types';

const QONNX_ALIASES = new Set(['qonnx.custom_op.general', 'onnx.brevitas', 'finn.custom_op.general', 'qonnx']);

/** The canonical name of a domain: '' for ONNX, 'qonnx' for any QONNX alias, else as given. */
export function canonicalDomain(domain: string): string {
  if (domain === '' || domain === 'ai.onnx') return '';
  if (QONNX_ALIASES.has(domain)) return 'qonnx';
  return domain;
}

const key = (op: string, domain: string) => `${canonicalDomain(domain)}\u0000${op}`;

let table: Map<string, OpImpl> | undefined;

function ops(): Map<string, OpImpl> {
  if (table) return table;
  const t = new Map<string, OpImpl>();
  for (const impl of [...nnOps, ...tensorOps]) {
    for (const d of impl.domains) {
      const k = key(impl.op, d);
      const prev = t.get(k);
      if (prev && prev !== impl) throw new Error(`interpreter registry: two implementations of ${impl.op} in domain '${canonicalDomain(d)}'`);
      t.set(k, impl);
    }
  }
  table = t;
  return t;
}

export function lookupOp(op: string, domain: string): OpImpl | undefined {
  return ops().get(key(op, domain));
}

/** Supported ops, sorted: 'Conv' for ONNX ops, 'domain:Op' for others (e.g. 'qonnx:Quant', 'hsq:QConv'). */
export function supportedOps(): string[] {
  const names = [...ops().keys()].map((k) => {
    const [d, op] = k.split('\u0000');
    return d ? `${d}:${op}` : op;
  });
  return [...new Set(names)].sort();
}

/** Every node without an implementation, in graph order, so one error can list them all. */
export function findUnsupported(nodes: readonly Node[]): { name: string; op: string; domain: string }[] {
  return nodes.filter((n) => !lookupOp(n.op, n.domain)).map((n) => ({ name: n.name, op: n.op, domain: n.domain }));
}

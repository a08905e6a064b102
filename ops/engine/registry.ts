// Operator lookup for the interpreter, shape inference and the importer's support check: every
// descriptor ops/index.ts exports, by (domain, op).
// Domains: '' and 'ai.onnx' are ONNX; the QONNX domains (qonnx.custom_op.general, onnx.brevitas,
// finn.custom_op.general, qonnx) are aliases of each other; 'hsq' is hsq's own.
import { Node } from '../../core/ir/graph';
import * as all from '../index';
import { OpDescriptor, isOpDescriptor } from '../lib/descriptor';

const QONNX_ALIASES = new Set(['qonnx.custom_op.general', 'onnx.brevitas', 'finn.custom_op.general', 'qonnx']);

/** The canonical name of a domain: '' for ONNX, 'qonnx' for any QONNX alias, else as given. */
export function canonicalDomain(domain: string): string {
  if (domain === '' || domain === 'ai.onnx') return '';
  if (QONNX_ALIASES.has(domain)) return 'qonnx';
  return domain;
}

const key = (op: string, domain: string) => `${canonicalDomain(domain)}\u0000${op}`;

let table: Map<string, OpDescriptor> | undefined;

function ops(): Map<string, OpDescriptor> {
  if (table) return table;
  const t = new Map<string, OpDescriptor>();
  for (const impl of allOps()) {
    for (const d of impl.domains) {
      const k = key(impl.op, d);
      const prev = t.get(k);
      if (prev && prev !== impl) throw new Error(`op registry: two descriptors of ${impl.op} in domain '${canonicalDomain(d)}'`);
      t.set(k, impl);
    }
  }
  table = t;
  return t;
}

/** Every descriptor, in ops/index.ts order. */
export function allOps(): readonly OpDescriptor[] {
  return Object.values(all).filter(isOpDescriptor);
}

export function lookupOp(op: string, domain: string): OpDescriptor | undefined {
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

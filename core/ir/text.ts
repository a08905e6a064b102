// A readable, deterministic text dump of a graph (for --dump-after and test failure messages).
//
//   graph NAME (ir 8; opsets ''=13)
//   input  x : float32[1,3,8,8]
//   init   w : int8[4,3,3,3] q(0.02,0,s4,axis=0,narrow)
//   conv = QConv[hsq](x, w, b) -> y : int8[1,4,8,8] q(0.1,-3,s8) {group=1, pads=[1,1,1,1]}
//   output y
import { AttrValue, Graph, Node, QuantParams, TensorInfo } from './graph';
import { Tensor } from './tensor';

const MAX_LIST = 8;

export function graphToText(g: Graph): string {
  const lines: string[] = [];
  const opsets = Object.keys(g.opsets).sort().map((d) => `${d ? d : "''"}=${g.opsets[d]}`).join(', ');
  lines.push(`graph ${g.name} (ir ${g.irVersion}; opsets ${opsets})`);
  for (const i of g.inputs) if (!(i in g.initializers)) lines.push(`input  ${tensorText(g, i)}`);
  for (const name of Object.keys(g.initializers).sort()) {
    const t = g.initializers[name];
    const vals = t.data && t.data.length <= MAX_LIST && t.dtype !== 'string' ? ` = ${valuesText(t)}` : '';
    lines.push(`init   ${name} : ${t.dtype}[${t.shape.join(',')}]${quantText(g.tensors[name]?.quant)}${vals}`);
  }
  for (const n of g.nodes) lines.push(nodeText(g, n));
  for (const o of g.outputs) lines.push(`output ${tensorText(g, o)}`);
  const ann = Object.keys(g.annotations).sort();
  for (const k of ann) lines.push(`annotate ${k} ${JSON.stringify(g.annotations[k])}`);
  return lines.join('\n') + '\n';
}

export function nodeText(g: Graph, n: Node): string {
  const op = n.domain ? `${n.op}[${n.domain}]` : n.op;
  const ins = n.inputs.map((i) => (i === '' ? '_' : i)).join(', ');
  const outs = n.outputs.map((o) => (o === '' ? '_' : tensorText(g, o))).join(', ');
  const keys = Object.keys(n.attrs).sort();
  const attrs = keys.length ? ` {${keys.map((k) => `${k}=${attrText(n.attrs[k])}`).join(', ')}}` : '';
  return `${n.name} = ${op}(${ins}) -> ${outs}${attrs}`;
}

function tensorText(g: Graph, name: string): string {
  const info: TensorInfo | undefined = g.tensors[name];
  if (!info) return `${name} : ?`;
  const shape = info.shape.map((d, k) => (d < 0 ? info.dimParams?.[k] ?? '?' : String(d))).join(',');
  return `${name} : ${info.dtype}[${shape}]${quantText(info.quant)}`;
}

export function quantText(q: QuantParams | undefined): string {
  if (!q) return '';
  const parts = [listText(q.scale.map(num)), listText(allSame(q.zeroPoint) ? [q.zeroPoint[0]] : q.zeroPoint.map(String)), `${q.signed ? 's' : 'u'}${q.bits}`];
  if (q.axis !== undefined) parts.push(`axis=${q.axis}`);
  if (q.blockSize !== undefined) parts.push(`block=${q.blockSize}`);
  if (q.narrow) parts.push('narrow');
  if (q.bipolar) parts.push('bipolar');
  return ` q(${parts.join(',')})`;
}

function allSame(a: readonly number[]): boolean {
  return a.every((v) => v === a[0]);
}

function listText(a: readonly (string | number)[]): string {
  if (a.length === 1) return String(a[0]);
  const shown = a.slice(0, MAX_LIST).join(',');
  return a.length > MAX_LIST ? `[${shown},…(${a.length})]` : `[${shown}]`;
}

/** Shortest decimal that reads back as the same float32 (the value as hsq stores it). */
export function num(v: number): string {
  if (!Number.isFinite(v) || Number.isInteger(v)) return String(v);
  const f = Math.fround(v);
  if (f === v) {
    for (let p = 1; p <= 9; p++) {
      const s = v.toPrecision(p);
      if (Math.fround(Number(s)) === f) return String(Number(s));
    }
  }
  return String(v);
}

function valuesText(t: Tensor): string {
  const vals: string[] = [];
  for (let i = 0; i < t.data.length; i++) vals.push(typeof t.data[i] === 'bigint' ? String(t.data[i]) : num(Number(t.data[i])));
  return t.shape.length === 0 ? vals[0] ?? '' : `[${vals.join(',')}]`;
}

function attrText(v: AttrValue): string {
  if (typeof v === 'number') return num(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) {
    const items = (v as unknown[]).map((x) => (typeof x === 'number' ? num(x) : typeof x === 'string' ? JSON.stringify(x) : isTensor(x) ? tensorAttr(x) : '?'));
    return items.length > 4 * MAX_LIST ? `[${items.slice(0, 4 * MAX_LIST).join(',')},…(${items.length})]` : `[${items.join(',')}]`;
  }
  if (isTensor(v)) return tensorAttr(v);
  return '<graph>';
}

function isTensor(x: unknown): x is Tensor {
  return typeof x === 'object' && x !== null && 'dtype' in x && 'shape' in x;
}

function tensorAttr(t: Tensor): string {
  const head = `tensor ${t.dtype}[${t.shape.join(',')}]`;
  return t.data && t.data.length <= MAX_LIST && t.dtype !== 'string' ? `${head} ${valuesText(t)}` : head;
}

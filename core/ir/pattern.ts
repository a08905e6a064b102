// Graph patterns as data, in the spirit of tinygrad's UPat / PatternMatcher: a pattern describes
// a tensor by the node that produces it (which ops, which domain, a predicate) and by patterns
// of that node's inputs; a rule table pairs patterns with handlers, tried in order, the first
// handler that returns a value wins. Matching walks from a root node towards its inputs
// (producers are unique, so a pattern matches at most one way per alternative).
//
//   Q(act?(Conv(DQ(x), DQ(w))))  is
//   P.op('QuantizeLinear', { name: 'q', src: [P.or(P.op(['Relu', 'Clip'], { name: 'act', exclusive: true, src: [conv] }), conv)] })
//
// `exclusive` marks a tensor a fusion may absorb: read by exactly one node, once, and no graph
// output. Captures: a name inside `srcAll` or a chain collects every node it matched.
import { Graph, Node, consumers, producers } from './graph';

/** The graph with the lookups patterns need, built once per graph. */
export interface PatternGraph {
  readonly g: Graph;
  readonly producers: ReadonlyMap<string, Node>;
  readonly consumers: ReadonlyMap<string, readonly Node[]>;
  readonly outputs: ReadonlySet<string>;
}

export function patternGraph(g: Graph): PatternGraph {
  return { g, producers: producers(g), consumers: consumers(g), outputs: new Set(g.outputs) };
}

/** Read by exactly one node, once, and not a graph output. */
export function isExclusive(m: PatternGraph, t: string): boolean {
  return !m.outputs.has(t) && m.consumers.get(t)?.length === 1;
}

export interface NodePat {
  readonly kind: 'node';
  /** Any of these op types; undefined: any op. */
  readonly op?: readonly string[];
  /** The node's domain, exactly ('' for ONNX); undefined: any domain. */
  readonly domain?: string;
  readonly where?: (n: Node, m: PatternGraph) => boolean;
  readonly name?: string;
  /** Patterns of the inputs by position; null (or beyond the list) matches anything. */
  readonly src?: readonly (Pat | null)[];
  /** A pattern every present input must match (variadic ops). */
  readonly srcAll?: Pat;
  /** As an input of the parent: the tensor is exclusive to it. */
  readonly exclusive?: boolean;
}

/** Any tensor (a graph input, a constant, a node output), optionally with a predicate. */
export interface TensorPat {
  readonly kind: 'tensor';
  readonly name?: string;
  readonly where?: (t: string, m: PatternGraph) => boolean;
}

export interface OrPat { readonly kind: 'or'; readonly alts: readonly Pat[] }

/** One or more nodes matching `link`, each reading the previous one's output at input 0,
 *  down to a tensor matching `inner`. The links are captured in data-flow order. */
export interface ChainPat { readonly kind: 'chain'; readonly link: NodePat; readonly inner: Pat; readonly name?: string }

/** The pattern where it matches; anything (capturing nothing) where it does not. */
export interface OptPat { readonly kind: 'opt'; readonly pat: Pat }

export type Pat = NodePat | TensorPat | OrPat | ChainPat | OptPat;

interface NodeOpts {
  readonly domain?: string | null;
  readonly name?: string;
  readonly src?: readonly (Pat | null)[];
  readonly srcAll?: Pat;
  readonly where?: (n: Node, m: PatternGraph) => boolean;
  readonly exclusive?: boolean;
}

/** Pattern builders. Domain defaults to '' (ONNX); pass `domain: null` for any domain. */
export const P = {
  op(op: string | readonly string[], o: NodeOpts = {}): NodePat {
    return { kind: 'node', op: typeof op === 'string' ? [op] : op, ...nodeOpts(o) };
  },
  node(o: NodeOpts = {}): NodePat {
    return { kind: 'node', ...nodeOpts(o) };
  },
  tensor(name?: string, where?: (t: string, m: PatternGraph) => boolean): TensorPat {
    return { kind: 'tensor', name, where };
  },
  /** A constant (initializer). */
  constant(name?: string): TensorPat {
    return { kind: 'tensor', name, where: (t, m) => t in m.g.initializers };
  },
  or(...alts: Pat[]): OrPat {
    return { kind: 'or', alts };
  },
  chain(link: NodePat, inner: Pat, name?: string): ChainPat {
    return { kind: 'chain', link, inner, name };
  },
  opt(pat: Pat): OptPat {
    return { kind: 'opt', pat };
  },
};

function nodeOpts(o: NodeOpts): Omit<NodePat, 'kind' | 'op'> {
  const { domain, ...rest } = o;
  return { ...rest, domain: domain === null ? undefined : domain ?? '' };
}

/** What a match bound: nodes and tensors by capture name. */
export class Match {
  private readonly nodes = new Map<string, Node[]>();
  private readonly tensors = new Map<string, string[]>();
  private readonly log: [Map<string, unknown[]>, string][] = [];

  /** The node captured under `name`; an error when none was. */
  node(name: string): Node {
    const n = this.nodes.get(name)?.[0];
    if (!n) throw new Error(`pattern: nothing captured as '${name}'`);
    return n;
  }

  /** The node captured under `name`, if any (optional parts). */
  maybe(name: string): Node | undefined {
    return this.nodes.get(name)?.[0];
  }

  /** Every node captured under `name`, in match order (srcAll, chains). */
  all(name: string): Node[] {
    return [...(this.nodes.get(name) ?? [])];
  }

  tensor(name: string): string {
    const t = this.tensors.get(name)?.[0];
    if (t === undefined) throw new Error(`pattern: no tensor captured as '${name}'`);
    return t;
  }

  /** Nodes captured under any name, each once, in capture order. */
  captured(): Node[] {
    return [...new Set([...this.nodes.values()].flat())];
  }

  /** @internal */
  bind(name: string | undefined, v: Node | string): void {
    if (!name) return;
    const m = (typeof v === 'string' ? this.tensors : this.nodes) as Map<string, unknown[]>;
    if (!m.has(name)) m.set(name, []);
    m.get(name)!.push(v);
    this.log.push([m, name]);
  }

  /** @internal */
  mark(): number {
    return this.log.length;
  }

  /** @internal Undo the bindings made since `mark`. */
  undo(mark: number): void {
    while (this.log.length > mark) {
      const [m, name] = this.log.pop()!;
      const l = m.get(name)!;
      l.pop();
      if (!l.length) m.delete(name);
    }
  }
}

function nodeFits(m: PatternGraph, p: NodePat, n: Node): boolean {
  if (p.op && !p.op.includes(n.op)) return false;
  if (p.domain !== undefined && n.domain !== p.domain) return false;
  return !p.where || p.where(n, m);
}

/** The input patterns from position `from` on (a chain link's input 0 is the chain). */
function matchInputs(m: PatternGraph, p: NodePat, n: Node, out: Match, from = 0): boolean {
  if (p.src) {
    for (let i = from; i < p.src.length; i++) {
      const s = p.src[i];
      if (!s) continue;
      if (!matchTensorInto(m, s, n.inputs[i] ?? '', out)) return false;
    }
  }
  if (p.srcAll) for (const t of n.inputs.slice(from)) if (t && !matchTensorInto(m, p.srcAll, t, out)) return false;
  return true;
}

function matchNodeInto(m: PatternGraph, p: NodePat, n: Node, out: Match): boolean {
  if (!nodeFits(m, p, n)) return false;
  const k = out.mark();
  out.bind(p.name, n);
  if (matchInputs(m, p, n, out)) return true;
  out.undo(k);
  return false;
}

function matchTensorInto(m: PatternGraph, p: Pat, t: string, out: Match): boolean {
  const k = out.mark();
  switch (p.kind) {
    case 'tensor':
      if (!t || (p.where && !p.where(t, m))) return false;
      out.bind(p.name, t);
      return true;
    case 'node': {
      const n = t ? m.producers.get(t) : undefined;
      if (!n || (p.exclusive && !isExclusive(m, t))) return false;
      return matchNodeInto(m, p, n, out);
    }
    case 'or':
      for (const a of p.alts) if (matchTensorInto(m, a, t, out)) return true;
      return false;
    case 'opt':
      if (!matchTensorInto(m, p.pat, t, out)) out.undo(k);
      return true;
    case 'chain': {
      const links: Node[] = [];
      let cur = t;
      for (;;) {
        if (links.length && matchTensorInto(m, p.inner, cur, out)) {
          for (const l of links.reverse()) out.bind(p.name, l);
          return true;
        }
        const n = cur ? m.producers.get(cur) : undefined;
        if (!n || (p.link.exclusive && !isExclusive(m, cur)) || !nodeFits(m, p.link, n) || !matchInputs(m, p.link, n, out, 1)) {
          out.undo(k);
          return false;
        }
        links.push(n);
        cur = n.inputs[0] ?? '';
      }
    }
  }
}

/** The match of `p` rooted at node `n`, or undefined. */
export function matchNode(m: PatternGraph, p: NodePat, n: Node): Match | undefined {
  const out = new Match();
  return matchNodeInto(m, p, n, out) ? out : undefined;
}

/** The match of `p` for tensor `t` (through its producer for node patterns), or undefined. */
export function matchTensor(m: PatternGraph, p: Pat, t: string): Match | undefined {
  const out = new Match();
  return matchTensorInto(m, p, t, out) ? out : undefined;
}

/** One row of a rule table: a pattern rooted at a node and what to make of a match. */
export interface Rule<C, R> {
  readonly name: string;
  readonly pattern: NodePat;
  /** undefined: the match is not taken after all (a handler may check more than a pattern can). */
  readonly apply: (match: Match, ctx: C) => R | undefined;
}

/** The first rule of the table whose pattern matches at `n` and whose handler gives a value. */
export function firstRule<C, R>(m: PatternGraph, rules: readonly Rule<C, R>[], n: Node, ctx: C): { rule: Rule<C, R>; match: Match; value: R } | undefined {
  for (const rule of rules) {
    const match = matchNode(m, rule.pattern, n);
    if (!match) continue;
    const value = rule.apply(match, ctx);
    if (value !== undefined) return { rule, match, value };
  }
  return undefined;
}

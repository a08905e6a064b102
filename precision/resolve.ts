// Where each layer's precision comes from, first match wins: the CLI (--precision), the config
// file (`precision`), annotations in the model (`hsq.annotations` / node `hsq.precision`), the
// model's own quantization, the target default (w8a8; float models only: a pre-quantized model
// keeps the layers it left float as they are).
//
// Within one source an exact node name beats a glob, a longer glob beats a shorter one, and on
// the CLI a later flag beats an earlier one. A precision that differs from a lower source is a
// warning naming the layer and both sources. Errors: a pattern that matches no node, a precision
// on a node with no quantized form (e.g. Erf), weight bits on a node without weights.
import { fail, warn as defaultWarn } from '../core/diagnostics';
import { Annotation, Graph, producers } from '../core/ir/graph';
import { matchesNode } from '../core/node-glob';
import { parsePrecision, parsePrecisionFlags } from '../core/precision';
import { LayerKind, layerKind } from './layers';
import { FLOAT_BITS, LayerPrecision, formatLayerPrecision, isPreQuantized, modelPrecisionOf } from './model-precision';

export type PrecisionSource = 'cli' | 'config' | 'annotation' | 'model' | 'default';

export interface SourcedPrecision {
  readonly source: PrecisionSource;
  /** Human-readable origin, e.g. `--precision 'conv7=w4a8'`. */
  readonly from: string;
  readonly precision: LayerPrecision;
  readonly text: string;
}

export interface ResolvedPrecision extends SourcedPrecision {
  readonly layer: string;
  readonly op: string;
  readonly kind: LayerKind;
  /** The model's own quantization of this layer, when it has one. */
  readonly model?: LayerPrecision;
  /** Lower-priority sources that asked for something else. */
  readonly conflicts: readonly SourcedPrecision[];
}

export interface PrecisionInputs {
  /** --precision flags as given (`conv7=w4a8`, `conv7,conv8=w4a8`, globs). */
  readonly cli?: readonly string[];
  /** Config file `precision`: pattern → wXaY. */
  readonly config?: Readonly<Record<string, string>>;
  /** Model annotations; default: the graph's own. */
  readonly annotations?: Readonly<Record<string, Annotation>>;
  /** Target default (w8a8). */
  readonly defaultPrecision?: LayerPrecision;
  readonly warn?: (m: string) => void;
}

interface Rule { pattern: string; precision: LayerPrecision; text: string; from: string; order: number }

const W8A8: LayerPrecision = { weightBits: 8, actBits: 8 };

function parseAny(text: string, where: string): LayerPrecision {
  if (text.trim() === 'float') return { weightBits: FLOAT_BITS, actBits: FLOAT_BITS };
  const p = parsePrecision(text, where);
  return { weightBits: p.weightBits, actBits: p.actBits };
}

/** The rule of one source that applies to `name`: exact, else longest glob, ties to the later. */
function pick(rules: readonly Rule[], name: string): Rule | undefined {
  let best: Rule | undefined;
  for (const r of rules) {
    if (!matchesNode(r.pattern, name)) continue;
    const exact = r.pattern === name;
    const bExact = best?.pattern === name;
    if (!best || (exact && !bExact) || (exact === bExact && (r.pattern.length > best.pattern.length || (r.pattern.length === best.pattern.length && r.order > best.order)))) best = r;
  }
  return best;
}

const same = (a: LayerPrecision, b: LayerPrecision) => a.weightBits === b.weightBits && a.actBits === b.actBits;

export function resolvePrecisions(g: Graph, inputs: PrecisionInputs = {}): Map<string, ResolvedPrecision> {
  const warn = inputs.warn ?? defaultWarn;
  const cli: Rule[] = parsePrecisionFlags(inputs.cli).map((p, k) => ({
    pattern: p.pattern, precision: { weightBits: p.precision.weightBits, actBits: p.precision.actBits }, text: p.text,
    from: `--precision '${p.pattern}=${p.text}'`, order: k,
  }));
  const config: Rule[] = Object.entries(inputs.config ?? {}).map(([pattern, text], k) => ({
    pattern, precision: parseAny(text, `config precision['${pattern}']`), text, from: `config precision['${pattern}']`, order: k,
  }));
  const annotations: Rule[] = Object.entries(inputs.annotations ?? g.annotations)
    .filter(([, a]) => a.precision !== undefined)
    .map(([pattern, a], k) => ({ pattern, precision: parseAny(a.precision!, `annotation '${pattern}' precision`), text: a.precision!, from: `model annotation '${pattern}'`, order: k }));

  const prod = producers(g);
  const kinds = new Map(g.nodes.map((n) => [n.name, layerKind(g, n)]));
  const byName = new Map(g.nodes.map((n) => [n.name, n]));

  // Every pattern must select a node that can take its precision.
  for (const r of [...cli, ...config, ...annotations]) {
    const exactNode = byName.get(r.pattern);
    const hits = g.nodes.filter((n) => matchesNode(r.pattern, n.name));
    if (hits.length === 0) fail('bad-input', `${r.from}: '${r.pattern}' matches no node of the model`, r.pattern);
    const isFloat = r.precision.actBits === FLOAT_BITS && r.precision.weightBits === FLOAT_BITS;
    if (exactNode) {
      const k = kinds.get(exactNode.name)!;
      if (k === 'none' && !isFloat) fail('bad-input', `${r.from}: node '${exactNode.name}' (${exactNode.op}) has no quantized form; precision ${r.text} is impossible`, exactNode.name);
      if (k === 'activation-only' && r.precision.weightBits !== 8 && !isFloat)
        fail('bad-input', `${r.from}: node '${exactNode.name}' (${exactNode.op}) has no weights; ${r.text} is impossible (give w8a${r.precision.actBits} for its activations)`, exactNode.name);
    } else if (!isFloat && hits.every((n) => kinds.get(n.name) === 'none')) {
      fail('bad-input', `${r.from}: '${r.pattern}' matches only nodes with no quantized form (${hits.slice(0, 3).map((n) => `'${n.name}' (${n.op})`).join(', ')}); precision ${r.text} is impossible`, r.pattern);
    }
  }

  const preQuantized = isPreQuantized(g);
  const def = inputs.defaultPrecision ?? W8A8;
  const out = new Map<string, ResolvedPrecision>();
  for (const n of g.nodes) {
    const kind = kinds.get(n.name)!;
    if (kind === 'none') continue;
    const fit = (p: LayerPrecision): LayerPrecision => (kind === 'accumulating' || p.weightBits === FLOAT_BITS ? p : { weightBits: 8, actBits: p.actBits });
    const cands: SourcedPrecision[] = [];
    const add = (source: PrecisionSource, r: Rule | undefined) => {
      if (r) { const p = fit(r.precision); cands.push({ source, from: r.from, precision: p, text: formatLayerPrecision(p) }); }
    };
    add('cli', pick(cli, n.name));
    add('config', pick(config, n.name));
    add('annotation', pick(annotations, n.name));
    const model = modelPrecisionOf(g, n, prod, kind);
    if (model) cands.push({ source: 'model', from: "the model's own quantization", precision: model, text: formatLayerPrecision(model) });
    if (!preQuantized) cands.push({ source: 'default', from: 'the target default', precision: def, text: formatLayerPrecision(def) });
    if (cands.length === 0) {
      // A layer a pre-quantized model leaves float stays float.
      const p = { weightBits: FLOAT_BITS, actBits: FLOAT_BITS };
      out.set(n.name, { layer: n.name, op: n.op, kind, source: 'model', from: "the model's own quantization (float)", precision: p, text: 'float', conflicts: [] });
      continue;
    }
    const win = cands[0];
    const conflicts = cands.slice(1).filter((c) => c.source !== 'default' && !same(c.precision, win.precision));
    for (const c of conflicts) {
      let msg = `layer '${n.name}' (${n.op}): precision ${win.text} from ${win.from} overrides ${c.text} from ${c.from}`;
      if (c.source === 'model') {
        const notes: string[] = [];
        if (win.precision.weightBits !== c.precision.weightBits && kind === 'accumulating') notes.push(`weights requantized from their dequantized values to ${win.precision.weightBits} bits`);
        if (win.precision.actBits !== c.precision.actBits) notes.push(`input activation quantizer changed to ${win.precision.actBits} bits over the model's range`);
        if (notes.length) msg += `; ${notes.join('; ')}`;
      }
      warn(msg);
    }
    out.set(n.name, { ...win, layer: n.name, op: n.op, kind, ...(model ? { model } : {}), conflicts });
  }
  return out;
}

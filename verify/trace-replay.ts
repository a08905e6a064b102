// `hsq verify MODEL --trace FILE`: a trace of the emitted C (HSQTRACE lines from a board's UART or
// QEMU's console; targets/c/trace.ts) against the interpreter run on the same inputs with the same
// compile options. Each line's tensor, in the arena's layout, is hashed as the C hashed it; the
// first line whose hash (or, in the full mode, data) differs names the layer that went wrong.
import { Graph } from '../core/ir/graph';
import { Tensor } from '../core/ir/tensor';
import { TraceEntry, fnv1a32, hex8, traceBytes, traceName } from '../targets/c/trace';
import { verifyLayers } from './layers';

export interface TraceLineReport {
  readonly index: number;
  readonly tensor: string;
  /** The layer (as report.json and verify --per-layer name it) that wrote the tensor; null when the model has no such tensor. */
  readonly layer: string | null;
  readonly equal: boolean;
  readonly hash: string;
  readonly expectedHash: string | null;
  /** Full mode: elements that differ from the interpreter's (null without data). */
  readonly differing: number | null;
  readonly elements: number | null;
}

export interface TraceReplayJson {
  readonly ok: boolean;
  readonly lines: number;
  readonly matched: number;
  /** The first line that differs: its layer and tensor. */
  readonly firstDivergence: { readonly layer: string | null; readonly tensor: string; readonly index: number } | null;
  readonly entries: readonly TraceLineReport[];
  readonly failures: readonly string[];
}

/** Compares the trace with the interpreter's tensors (`values`: every tensor of one run of `g`). */
export function compareTrace(g: Graph, values: Readonly<Record<string, Tensor>>, entries: readonly TraceEntry[]): TraceReplayJson {
  const byTraceName = new Map<string, string>();
  for (const t of Object.keys(values)) if (!byTraceName.has(traceName(t))) byTraceName.set(traceName(t), t);
  const layerOf = new Map<string, string>();
  for (const l of verifyLayers(g)) for (const n of l.nodes) for (const o of n.outputs) if (o) layerOf.set(o, l.name);
  const failures: string[] = [];
  const out: TraceLineReport[] = entries.map((e) => {
    const t = byTraceName.get(e.name);
    if (t === undefined) {
      failures.push(`trace line ${e.line}: the model as compiled has no tensor '${e.name}' (other model or other compile options?)`);
      return { index: e.index, tensor: e.name, layer: null, equal: false, hash: hex8(e.hash), expectedHash: null, differing: null, elements: null };
    }
    const want = traceBytes(values[t]);
    const h = fnv1a32(want);
    let differing: number | null = null, elements: number | null = null;
    if (e.data) {
      elements = values[t].data.length;
      const size = want.length / Math.max(1, elements);
      differing = 0;
      for (let i = 0; i < elements; i++) {
        for (let b = 0; b < size; b++) if (want[i * size + b] !== e.data[i * size + b]) { differing++; break; }
      }
    }
    const equal = h === e.hash && e.bytes === want.length && (differing === null || differing === 0);
    const layer = layerOf.get(t) ?? null;
    if (!equal) failures.push(`trace line ${e.line}: '${t}' (layer ${layer ?? '?'}) differs from the interpreter: hash ${hex8(e.hash)}, expected ${hex8(h)}`
      + (e.bytes !== want.length ? `; ${e.bytes} bytes, expected ${want.length}` : '') + (differing !== null ? `; ${differing} of ${elements} elements differ` : ''));
    return { index: e.index, tensor: t, layer, equal, hash: hex8(e.hash), expectedHash: hex8(h), differing, elements };
  });
  if (entries.length === 0) failures.push('the trace has no HSQTRACE line (was the C built with -DHSQ_TRACE, and hsq_trace_layer defined?)');
  const first = out.find((r) => !r.equal);
  return {
    ok: failures.length === 0, lines: entries.length, matched: out.filter((r) => r.equal).length,
    firstDivergence: first ? { layer: first.layer, tensor: first.tensor, index: first.index } : null,
    entries: out, failures,
  };
}

export function formatTraceReplay(r: TraceReplayJson): string {
  return [
    `trace: ${r.lines} lines, ${r.matched} equal to the interpreter`,
    ...(r.firstDivergence ? [`first divergence: layer ${r.firstDivergence.layer ?? '?'} (tensor '${r.firstDivergence.tensor}', trace index ${r.firstDivergence.index})`] : []),
    ...r.failures.slice(0, 10).map((f) => `FAIL ${f}`),
    r.ok ? 'verify: ok' : 'verify: MISMATCH',
  ].join('\n');
}

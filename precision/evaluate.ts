// Small evaluation helpers for PTQ measurements (tests, benchmarks) until `hsq eval` exists:
// top-1 accuracy of a classifier and output SQNR against a reference graph, both run in the
// reference interpreter on given samples.
import { Graph } from '../core/ir/graph';
import { runGraph } from '../ops/engine/interpreter';
import { Sample } from './calib-data';
import { Sqnr } from './sqnr';

/** Index of the largest value (the first one on ties). */
export function argmax(d: ArrayLike<number>): number {
  let b = 0;
  for (let k = 1; k < d.length; k++) if (d[k] > d[b]) b = k;
  return b;
}

/** Share (0..1) of samples whose output `output` (default the first) has its argmax at the label. */
export function top1(g: Graph, samples: readonly Sample[], labels: readonly number[], output = g.outputs[0]): number {
  if (samples.length !== labels.length) throw new Error(`top1: ${samples.length} samples but ${labels.length} labels`);
  let ok = 0;
  samples.forEach((s, i) => { if (argmax(runGraph(g, s)[output].data as Float32Array) === labels[i]) ok++; });
  return samples.length ? ok / samples.length : 0;
}

/** Output SQNR (dB) of `test` against `ref` over all outputs and samples. */
export function outputSqnr(ref: Graph, test: Graph, samples: readonly Sample[]): number {
  const acc = new Sqnr();
  for (const s of samples) {
    const a = runGraph(ref, s), b = runGraph(test, s);
    for (const o of ref.outputs) acc.add(a[o], b[o]);
  }
  return acc.db();
}

// The steps every command shares: import, lower through the core pipeline, with dumps.
import { Graph } from '../core/ir/graph';
import { loadModel } from '../frontend/onnx/import';
import { runPipeline } from '../passes/pass-manager';
import { corePipeline } from '../passes/pipeline';

export interface FrontendOptions {
  inputShapes?: Record<string, number[]>;
  dumpAfter?: string[];
  dumpDir?: string;
}

/** Import a model file and run the core pipeline on it. */
export function frontend(model: string, opts: FrontendOptions = {}): { raw: Graph; graph: Graph } {
  const raw = loadModel(model, { inputShapes: opts.inputShapes });
  const graph = lower(raw, opts);
  return { raw, graph };
}

export function lower(g: Graph, opts: FrontendOptions = {}): Graph {
  return runPipeline(g, corePipeline, { dumpAfter: opts.dumpAfter, dumpDir: opts.dumpDir ?? 'hsq-dump' });
}

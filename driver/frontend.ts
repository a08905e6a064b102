// The steps every command shares: import, lower through the core pipeline, with dumps.
import { Graph } from '../core/ir/graph';
import { loadModel } from '../frontend/onnx/import';
import { bindInputs } from '../frontend/bind';
import { foldConstantIfs } from '../frontend/onnx/fold-if';
import { runPipeline } from '../passes/pass-manager';
import { corePipeline } from '../passes/pipeline';

export interface FrontendOptions {
  inputShapes?: Record<string, number[]>;
  /** --bind: graph input → VALUE or FILE.npy. */
  bind?: Record<string, string>;
  dumpAfter?: string[];
  dumpDir?: string;
}

/** Import a model file and run the core pipeline on it. */
export function frontend(model: string, opts: FrontendOptions = {}): { raw: Graph; graph: Graph } {
  const raw = foldConstantIfs(bindInputs(loadModel(model, { inputShapes: opts.inputShapes }), opts.bind));
  const graph = lower(raw, opts);
  return { raw, graph };
}

export function lower(g: Graph, opts: FrontendOptions = {}): Graph {
  return runPipeline(g, corePipeline, { dumpAfter: opts.dumpAfter, dumpDir: opts.dumpDir ?? 'hsq-dump' });
}

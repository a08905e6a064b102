// Runs passes in order, validating the graph after each one and dumping it on request.
import * as fs from 'fs';
import * as path from 'path';
import { HsqError, WarningSink, fail, warn as defaultWarn } from '../core/diagnostics';
import { Graph } from '../core/ir/graph';
import { graphToText } from '../core/ir/text';
import { validateGraph } from '../ops/engine/validate';

export interface PassContext {
  /** Where a pass reports something the user should know but that does not stop compilation. */
  readonly warn: WarningSink;
}

export interface Pass {
  readonly name: string;
  /** One line, shown by `hsq passes`. */
  readonly description: string;
  run(g: Graph, ctx: PassContext): Graph;
  /** After this pass every node output has a static TensorInfo (validation then requires it). */
  readonly establishesInfos?: boolean;
}

export interface PipelineOptions {
  /** Pass names after which to dump the graph; 'all' dumps after every pass. */
  dumpAfter?: readonly string[];
  dumpDir?: string;
  /** Validate the input graph and the graph after every pass (default true). */
  validate?: boolean;
  /** Also re-run op inference when validating (slower; tests use it). */
  strict?: boolean;
  warn?: WarningSink;
}

export function runPipeline(g: Graph, passes: readonly Pass[], opts: PipelineOptions = {}): Graph {
  const dumpAfter = new Set(opts.dumpAfter ?? []);
  const valid = new Set(passes.map((p) => p.name));
  for (const name of dumpAfter) {
    if (name !== 'all' && !valid.has(name))
      fail('bad-input', `--dump-after: no pass named '${name}'; passes are: ${[...valid].join(', ')} (or 'all')`, name);
  }
  if (dumpAfter.size && !opts.dumpDir) fail('bad-input', '--dump-after needs a dump directory', 'dumpDir');
  const check = opts.validate ?? true;
  const ctx: PassContext = { warn: opts.warn ?? defaultWarn };
  let infos = false;
  if (check) validateGraph(g);
  passes.forEach((pass, k) => {
    try {
      g = pass.run(g, ctx);
      if (pass.establishesInfos) infos = true;
      if (check) validateGraph(g, { requireInfos: infos, strict: infos && opts.strict });
    } catch (e) {
      if (e instanceof HsqError && !e.message.startsWith('pass ')) throw new HsqError(e.kind, `pass ${pass.name}: ${e.message}`, e.subject);
      throw e;
    }
    if (dumpAfter.has(pass.name) || dumpAfter.has('all')) dumpGraph(g, opts.dumpDir!, `${String(k + 1).padStart(2, '0')}-${pass.name}`);
  });
  return g;
}

/** Writes `<dir>/<stem>.txt` (graphToText) and `<dir>/<stem>.onnx`. */
export function dumpGraph(g: Graph, dir: string, stem: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${stem}.txt`), graphToText(g));
  // Lazy: ONNX export (protobufjs) is only needed when dumping.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { encodeModel } = require('../frontend/onnx/export') as { encodeModel(g: Graph): Uint8Array };
  fs.writeFileSync(path.join(dir, `${stem}.onnx`), encodeModel(g));
}

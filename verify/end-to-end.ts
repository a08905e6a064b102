// `hsq verify` at the graph outputs: the engine must equal the interpreter (gated); against ONNX
// Runtime on the whole model (or the QONNX reference) and against a float model, differences
// compound with depth, so the figures are reported, not gated.
import { encodeModel } from '../frontend/onnx/export';
import { Graph } from '../core/ir/graph';
import { Tensor } from '../core/ir/tensor';
import { isFloat } from '../core/ir/dtype';
import { OriginalModel } from './original-model';
import { compareOutputs, exactnessFailures } from './metrics';
import { outputQuant } from './output-quant';
import { ORT_REFERENCE_OPTIONS } from './qonnx-reference';
import { dequantizeTensor, stack } from './tensor-convert';
import { narrowResults, wideFeeds, widenSubByteIO } from './sub-byte-io';

export interface OutputReport {
  readonly name: string;
  readonly exactVsInterpreter: number | null;
  readonly maxStepsVsOrt: number | null;
  readonly within1StepVsOrt: number | null;
  readonly maxRelErrVsOrt: number | null;
  readonly sqnrDb: number | null;
  /** SQNR of the interpreter's output (dequantized) against the float model's. */
  readonly sqnrDbVsFloat: number | null;
}

export interface EndToEndInput {
  readonly graph: Graph;
  readonly original: OriginalModel | string;
  /** The model file's bytes (ORT runs them as they are when the model is standard ONNX). */
  readonly modelBytes: Uint8Array;
  /** Every given input per set (ORT on the model file takes them all) and the runtime ones. */
  readonly given: readonly Record<string, Tensor>[];
  readonly runtime: readonly Record<string, Tensor>[];
  readonly interpreter: readonly Record<string, Tensor>[];
  readonly engine: readonly Record<string, Tensor>[];
  readonly engineName: string;
  /** A float model with the same inputs and outputs. */
  readonly floatModel?: string;
}

export interface EndToEndResult {
  readonly outputs: readonly OutputReport[];
  readonly failures: readonly string[];
  readonly notes: readonly string[];
}

async function tryOrt(what: string, model: Uint8Array | string, sets: readonly Record<string, Tensor>[], opts: object, notes: string[]): Promise<Record<string, Tensor>[] | null> {
  try {
    const { runOrtMany } = await import('./ort');
    return await runOrtMany(model, sets, opts);
  } catch (e) {
    notes.push(`ONNX Runtime could not run ${what}: ${(e as Error).message.split('\n')[0]}`);
    return null;
  }
}

export async function endToEnd(p: EndToEndInput): Promise<EndToEndResult> {
  const { graph: g } = p;
  const notes: string[] = [];
  let ort: Record<string, Tensor>[] | null = null;
  if (typeof p.original === 'string') notes.push(`no ONNX Runtime reference: ${p.original}`);
  else {
    const w = widenSubByteIO(p.original.graph, p.original.infos);
    const qonnx = p.original.kind === 'qonnx-reference';
    // The model file as it is, unless it is QONNX or has 4-bit inputs or outputs ORT cannot exchange.
    const rebuilt = qonnx || w.inputs.size > 0 || w.outputs.size > 0;
    const sets = rebuilt ? p.runtime.map((s) => wideFeeds(s, w)) : p.given;
    const r = await tryOrt(qonnx ? 'the QONNX reference' : 'the model', rebuilt ? encodeModel(w.graph) : p.modelBytes, sets, qonnx ? ORT_REFERENCE_OPTIONS : {}, notes);
    ort = r && r.map((v) => narrowResults(v, w));
  }
  const float = p.floatModel ? await tryOrt(`the float model '${p.floatModel}'`, p.floatModel, p.given, {}, notes) : null;
  const failures: string[] = [];
  const outputs = g.outputs.map((name): OutputReport => {
    const interp = stack(p.interpreter.map((v) => v[name]));
    const quant = outputQuant(g, name);
    const m = compareOutputs({ name, c: stack(p.engine.map((v) => v[name])), interp, ort: ort ? stack(ort.map((v) => v[name])) : null, quant });
    failures.push(...exactnessFailures(`output '${name}' (${p.engineName})`, m.exactVsInterpreter));
    let sqnrDbVsFloat: number | null = null;
    if (float) {
      if (float.every((v) => v[name])) {
        const ref = stack(float.map((v) => v[name]));
        const c = isFloat(interp.dtype) || !quant ? interp : dequantizeTensor(interp, quant);
        sqnrDbVsFloat = compareOutputs({ name, c, ort: ref }).sqnrDb;
      } else notes.push(`the float model has no output '${name}'`);
    }
    return {
      name, exactVsInterpreter: m.exactVsInterpreter, maxStepsVsOrt: m.maxStepsVsOrt, within1StepVsOrt: m.within1StepVsOrt,
      maxRelErrVsOrt: m.maxRelErrVsOrt, sqnrDb: m.sqnrDb, sqnrDbVsFloat,
    };
  });
  if (g.outputs.length === 0) failures.push('no outputs were compared');
  return { outputs, failures, notes };
}

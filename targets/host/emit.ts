// `hsq compile --target host`: the model as portable C99 files (see targets/c/emit-model.ts).
import { Graph } from '../../core/ir/graph';
import { EmittedC, emitModel } from '../c/emit-model';
import { WeightsFormat } from '../c/weights';
import type { Emitted, PlacedGraph, TargetEmitOptions } from '../target';
import { wholeModelFields } from '../c/report-fields';
import { HOST_TARGET } from './target';

export interface HostEmitOptions {
  readonly name: string;
  readonly weightsFormat?: WeightsFormat;
  readonly layout?: 'nchw' | 'nhwc';
}

/** The C files of one model. */
export function emitHost(g: Graph, opts: HostEmitOptions): EmittedC {
  return emitModel(g, { name: opts.name, weightsFormat: opts.weightsFormat ?? 'c', layout: opts.layout });
}

/** The host target's emitter: the whole placed graph (every layer on the CPU) as one C model. */
export function emitHostTarget(placed: PlacedGraph, opts: TargetEmitOptions): Emitted {
  const e = emitHost(placed.graph, opts);
  return { files: e.files, report: wholeModelFields(placed, e, HOST_TARGET.weights.section) };
}

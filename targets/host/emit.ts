// `hsq compile --target host`: the model as portable C99 files (see targets/c/emit-model.ts).
import { Graph } from '../../core/ir/graph';
import { EmittedC, emitModel } from '../c/emit-model';
import { WeightsFormat } from '../c/weights';

export interface HostEmitOptions {
  readonly name: string;
  readonly weightsFormat?: WeightsFormat;
  readonly layout?: 'nchw' | 'nhwc';
}

export function emitHost(g: Graph, opts: HostEmitOptions): EmittedC {
  return emitModel(g, { name: opts.name, weightsFormat: opts.weightsFormat ?? 'c', layout: opts.layout ?? 'nchw' });
}

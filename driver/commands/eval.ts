import * as fs from 'fs';
import type { CommandModule } from 'yargs';
import { readTensorAny } from '../../frontend/io';
import { loadConfig, HsqConfig } from '../../core/config';
import { prepareModel } from '../compile';
import { lookupTarget } from '../../targets/registry';
import { COMPILE_OPTIONS, compileOptionsOf } from './compile-options';
import { fail } from '../../core/diagnostics';
import { cEngine } from '../../verify/c-engine';
import { evaluateTop1, Top1Result } from '../../verify/accuracy';
import { jsonOption } from './options';

interface Args {
  model: string; data: string; labels: string; engine: 'interpreter' | 'c'; target?: string; output?: string;
  reference?: string; json?: boolean; 'input-shape'?: string[];
  /** Any option of `hsq compile` (COMPILE_OPTIONS), by its flag name. */
  [option: string]: unknown;
}

export const evalCommand: CommandModule<object, Args> = {
  command: 'eval <model>',
  describe: 'top-1 accuracy on labelled samples (X.npy along its first dimension, integer labels), optionally against a reference model',
  builder: (y) => y
    .positional('model', { type: 'string', demandOption: true })
    .option('data', { type: 'string', demandOption: true, describe: 'samples, stacked along the first dimension (.npy or .pb)' })
    .option('labels', { type: 'string', demandOption: true, describe: 'one integer label per sample (.npy or .pb)' })
    .option('engine', { choices: ['interpreter', 'c'], default: 'interpreter', describe: 'what computes the predictions: the reference interpreter or the generated C' })
    .options(COMPILE_OPTIONS)
    .option('output', { type: 'string', describe: 'output whose arg-max is the prediction (default: the first)' })
    .option('reference', { type: 'string', describe: 'model (float, or QONNX) run by ONNX Runtime: share of samples with the same prediction' })
    .option('json', jsonOption)
    .example('$0 eval TFC_2W2A.onnx --data x.npy --labels y.npy', '')
    .example('$0 eval model_w4.onnx --data x.npy --labels y.npy --reference model_fp32.onnx --json', '') as never,
  handler: async (a) => {
    const r = await evalModel(a);
    const { predictions: _p, ...summary } = r;
    if (a.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
    else {
      const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
      process.stdout.write(`top-1 ${pct(r.top1)} (${r.correct} / ${r.n}) on output '${r.output}', engine ${r.engine}`
        + (r.agreementVsReference !== null ? `; same prediction as the reference ${pct(r.agreementVsReference)} (reference top-1 ${pct(r.referenceTop1!)})` : '') + '\n');
    }
  },
};

export async function evalModel(a: Args): Promise<Top1Result> {
  const opts = compileOptionsOf(a);
  const config: HsqConfig = opts.config ? loadConfig(opts.config) : {};
  const target = lookupTarget(opts.target ?? config.target ?? 'host', opts.target !== undefined ? '--target' : 'config target').name;
  let reference: Uint8Array | undefined;
  if (a.reference) {
    try { reference = fs.readFileSync(a.reference); } catch { fail('bad-input', `--reference: cannot read '${a.reference}'`, '--reference'); }
  }
  // The graph `hsq compile` with the same options builds.
  const g = prepareModel({ ...opts, model: a.model }).graph;
  const x = readTensorAny(a.data), y = readTensorAny(a.labels);
  // --engine c: one build and every sample through it (host: one process; cortex-m55: one QEMU boot).
  const engine = a.engine === 'c' ? cEngine({ target, trace: false }) : undefined;
  return evaluateTop1(g, x, y, { output: a.output, engine, reference });
}

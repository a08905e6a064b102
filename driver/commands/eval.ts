import * as fs from 'fs';
import type { CommandModule } from 'yargs';
import { loadModel } from '../../frontend/onnx/import';
import { parseInputShapes, readTensorAny } from '../../frontend/io';
import { lower } from '../frontend';
import { fail } from '../../core/diagnostics';
import { cEngine } from '../../verify/c-engine';
import { evaluateTop1, Top1Result } from '../../verify/accuracy';
import { TARGETS } from '../compile';
import { inputShapeOption, jsonOption } from './options';

interface Args {
  model: string; data: string; labels: string; engine: 'interpreter' | 'c'; target: string; output?: string;
  reference?: string; json: boolean; 'input-shape'?: string[];
}

export const evalCommand: CommandModule<object, Args> = {
  command: 'eval <model>',
  describe: 'top-1 accuracy on labelled samples (X.npy along its first dimension, integer labels), optionally against a reference model',
  builder: (y) => y
    .positional('model', { type: 'string', demandOption: true })
    .option('data', { type: 'string', demandOption: true, describe: 'samples, stacked along the first dimension (.npy or .pb)' })
    .option('labels', { type: 'string', demandOption: true, describe: 'one integer label per sample (.npy or .pb)' })
    .option('engine', { choices: ['interpreter', 'c'], default: 'interpreter', describe: 'what computes the predictions: the reference interpreter or the generated C' })
    .option('target', { type: 'string', default: 'host', describe: '--engine c: target whose C runs (host, cortex-m55, stm32n6)' })
    .option('output', { type: 'string', describe: 'output whose arg-max is the prediction (default: the first)' })
    .option('reference', { type: 'string', describe: 'model (float, or QONNX) run by ONNX Runtime: share of samples with the same prediction' })
    .option('input-shape', inputShapeOption)
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

export async function evalModel(a: Omit<Args, 'json'>): Promise<Top1Result> {
  if (!(TARGETS as readonly string[]).includes(a.target)) fail('bad-input', `--target ${a.target}: expected one of ${TARGETS.join(', ')}`, '--target');
  let reference: Uint8Array | undefined;
  if (a.reference) {
    try { reference = fs.readFileSync(a.reference); } catch { fail('bad-input', `--reference: cannot read '${a.reference}'`, '--reference'); }
  }
  const g = lower(loadModel(a.model, { inputShapes: parseInputShapes(a['input-shape']) }));
  const x = readTensorAny(a.data), y = readTensorAny(a.labels);
  // --engine c: one build and every sample through it (cortex-m55/stm32n6: one QEMU run each until their runners batch).
  const engine = a.engine === 'c' ? cEngine({ target: a.target as 'host' }) : undefined;
  return evaluateTop1(g, x, y, { output: a.output, engine, reference });
}

import type { CommandModule } from 'yargs';
import { loadModel } from '../../frontend/onnx/import';
import { parseInputShapes } from '../../frontend/io';
import { inspectGraph, formatInspect } from '../inspect';
import { inferShapes } from '../../passes/shape-inference';
import { inputShapeOption, jsonOption } from './options';

interface Args { model: string; json: boolean; 'input-shape'?: string[] }

export const inspectCommand: CommandModule<object, Args> = {
  command: 'inspect <model>',
  describe: 'per node: op, shapes, dtypes, quantization, MACs, weight bytes',
  builder: (y) => y
    .positional('model', { type: 'string', demandOption: true, describe: 'ONNX model' })
    .option('json', jsonOption)
    .option('input-shape', inputShapeOption) as never,
  handler: (a) => {
    const g = inferShapes(loadModel(a.model, { inputShapes: parseInputShapes(a['input-shape']) }));
    const r = inspectGraph(g);
    process.stdout.write(a.json ? JSON.stringify(r, null, 2) + '\n' : formatInspect(r) + '\n');
  },
};

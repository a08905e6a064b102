import type { CommandModule } from 'yargs';
import { loadModel } from '../../frontend/onnx/import';
import { parseInputShapes } from '../../frontend/io';
import { inspectGraph, formatInspect } from '../inspect';
import { inferShapes } from '../../passes/shape-inference';
import { validateGraph } from '../../ops/engine/validate';
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
    // The checks compile runs first, so a missing tensor, a duplicate output, a cycle or a broken
    // model rule is named as compile names it (shape inference alone would say "has no shape").
    const raw = loadModel(a.model, { inputShapes: parseInputShapes(a['input-shape']) });
    validateGraph(raw);
    const g = inferShapes(raw);
    const r = inspectGraph(g);
    process.stdout.write(a.json ? JSON.stringify(r, null, 2) + '\n' : formatInspect(r) + '\n');
  },
};

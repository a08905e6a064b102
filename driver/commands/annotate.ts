import * as fs from 'fs';
import type { CommandModule } from 'yargs';
import { decodeModel } from '../../frontend/onnx/import';
import { setModelMetadata } from '../../frontend/onnx/metadata-edit';
import { ANNOTATIONS_KEY } from '../../frontend/annotations';
import { Annotation } from '../../core/ir/graph';
import { parsePrecisionFlags, formatPrecision } from '../../core/precision';
import { selectNodes } from '../../core/node-glob';
import { fail } from '../../core/diagnostics';
import { writeFileAtomic } from '../../core/output-dir';

interface Args { model: string; precision?: string[]; 'force-cpu'?: string[]; 'force-npu'?: string[]; widen?: string[]; clear: boolean; o: string; json: boolean }

export const annotateCommand: CommandModule<object, Args> = {
  command: 'annotate <model>',
  describe: 'write precision and placement annotations into the model (model metadata hsq.annotations)',
  builder: (y) => y
    .positional('model', { type: 'string', demandOption: true })
    .option('precision', { type: 'string', array: true, describe: "NODE=wXaY; NODE a name, glob or comma list (repeatable)" })
    .option('force-cpu', { type: 'string', array: true, describe: 'node names or globs to keep on the CPU' })
    .option('force-npu', { type: 'string', array: true, describe: 'node names or globs to put on the NPU' })
    .option('widen', { type: 'string', array: true, describe: 'node names or globs whose sub-8-bit weights may be widened to int8 for the NPU' })
    .option('json', { type: 'boolean', default: false, describe: 'print JSON instead of text' })
    .option('clear', { type: 'boolean', default: false, describe: 'drop existing hsq annotations first' })
    .option('o', { alias: 'output', type: 'string', demandOption: true, describe: 'annotated model to write' })
    .example('$0 annotate m.onnx --precision conv7,conv8=w4a8 --force-cpu conv9 -o m.hsq.onnx', '') as never,
  handler: (a) => {
    let bytes: Buffer;
    try { bytes = fs.readFileSync(a.model); } catch { fail('bad-input', `cannot read model file '${a.model}'`, a.model); }
    const g = decodeModel(bytes);
    const names = g.nodes.map((n) => n.name);
    const ann: Record<string, Annotation> = a.clear ? {} : { ...g.annotations };
    const set = (pattern: string, flag: string, patch: Annotation) => {
      if (selectNodes(pattern, names).length === 0) fail('bad-input', `${flag} '${pattern}' matches no node of ${a.model}`, pattern);
      ann[pattern] = { ...ann[pattern], ...patch };
    };
    for (const p of parsePrecisionFlags(a.precision)) set(p.pattern, '--precision', { precision: formatPrecision(p.precision) });
    for (const p of a['force-cpu'] ?? []) set(p, '--force-cpu', { placement: 'cpu' });
    for (const p of a['force-npu'] ?? []) set(p, '--force-npu', { placement: 'npu' });
    for (const p of a.widen ?? []) set(p, '--widen', { widen: true });
    for (const p of a['force-cpu'] ?? []) if ((a['force-npu'] ?? []).includes(p)) fail('bad-input', `'${p}' is given both --force-cpu and --force-npu`, p);
    const sorted = Object.fromEntries(Object.keys(ann).sort().map((k) => [k, ann[k]]));
    const out = setModelMetadata(bytes, { [ANNOTATIONS_KEY]: Object.keys(sorted).length ? JSON.stringify(sorted) : undefined });
    writeFileAtomic(a.o, out);
    if (a.json) process.stdout.write(JSON.stringify({ output: a.o, annotations: sorted }, null, 2) + '\n');
    else process.stdout.write(`wrote ${a.o} with ${Object.keys(sorted).length} annotation${Object.keys(sorted).length === 1 ? '' : 's'}\n`);
  },
};

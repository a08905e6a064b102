import type { CommandModule } from 'yargs';
import { compile, TargetName } from '../compile';
import { jsonOption } from './options';
import { COMPILE_OPTIONS, compileOptionsOf } from './compile-options';
import type { InputFormat } from '../../passes/camera-input';
import { formatPlacementTable } from '../../report';

interface Args {
  model: string; target?: TargetName; o: string; name?: string; config?: string; 'weights-format'?: 'c' | 'incbin';
  'api-layout'?: 'nchw' | 'nhwc'; 'input-format'?: InputFormat;
  'stedgeai-version'?: string; 'force-npu'?: string[]; 'force-cpu'?: string[]; widen?: string[]; 'latency-budget'?: string; 'flash-budget'?: string; 'auto-precision'?: boolean; 'input-shape'?: string[]; bind?: string[]; 'dump-after'?: string[]; 'dump-dir': string; json: boolean;
}

export const compileCommand: CommandModule<object, Args> = {
  command: 'compile <model>',
  describe: 'compile a model to C for a target; OUT holds exactly this compile\'s files',
  builder: (y) => y
    .positional('model', { type: 'string', demandOption: true })
    .option('o', { alias: 'output', type: 'string', demandOption: true, describe: 'output folder (hsq owns it: replaced on success, untouched on error)' })
    .options(COMPILE_OPTIONS)
    .option('json', jsonOption)
    .example('$0 compile model.onnx --target host -o build/', '') as never,
  handler: async (a) => {
    const r = await compile({
      ...compileOptionsOf(a as unknown as Record<string, unknown>), model: a.model, out: a.o, log: (l) => process.stderr.write(`${l}\n`),
    });
    // Colour only on a TTY.
    const table = r.placementTable && process.stdout.isTTY ? formatPlacementTable(r.report, true) : r.placementTable;
    if (table && !a.json) process.stdout.write(`${table}\n`);
    const summary = { ok: true, name: r.name, target: r.target, out: a.o, files: r.files, arenaBytes: r.arenaSize, arenaLowerBound: r.arenaLowerBound, pools: r.pools, weightBytes: r.weightsSize };
    // arena = NAME_ARENA_SIZE = report.json totals.ram.arena; weights = totals.flash.total.
    const pools = r.pools.length ? `; hsq's pools: ${r.pools.map((p) => `${p.name} ${p.used}`).join(', ')}` : '';
    if (a.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
    else process.stdout.write(`${r.name}: ${r.files.length} files in ${a.o} (arena ${r.arenaSize} bytes, lower bound ${r.arenaLowerBound}${pools}; weights ${r.weightsSize} bytes)\n`);
  },
};

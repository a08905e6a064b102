import type { CommandModule } from 'yargs';
import { listPasses } from '../../passes/pipeline';
import { jsonOption } from './options';

export const passesCommand: CommandModule<object, { json: boolean }> = {
  command: 'passes',
  describe: 'list the compiler passes in pipeline order (names for --dump-after)',
  builder: (y) => y.option('json', jsonOption) as never,
  handler: (a) => {
    const list = listPasses();
    if (a.json) { process.stdout.write(JSON.stringify(list, null, 2) + '\n'); return; }
    const w = Math.max(...list.map((p) => p.name.length));
    process.stdout.write(list.map((p) => `${p.name.padEnd(w)}  ${p.description}`).join('\n') + '\n');
  },
};

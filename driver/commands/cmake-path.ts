import * as path from 'path';
import type { CommandModule } from 'yargs';

export const CMAKE_MODULE = path.resolve(__dirname, '../../../cmake/hsq.cmake');

export const cmakePathCommand: CommandModule<object, { json: boolean }> = {
  command: 'cmake-path',
  describe: 'print the path of hsq.cmake (for include() in a CMake project)',
  builder: (y) => y.option('json', { type: 'boolean', default: false, describe: 'print JSON instead of text' }) as never,
  handler: (a) => { process.stdout.write(a.json ? `${JSON.stringify({ path: CMAKE_MODULE })}\n` : `${CMAKE_MODULE}\n`); },
};

import * as path from 'path';
import type { CommandModule } from 'yargs';

export const CMAKE_MODULE = path.resolve(__dirname, '../../../cmake/hsq.cmake');

export const cmakePathCommand: CommandModule<object, object> = {
  command: 'cmake-path',
  describe: 'print the path of hsq.cmake (for include() in a CMake project)',
  handler: () => { process.stdout.write(`${CMAKE_MODULE}\n`); },
};

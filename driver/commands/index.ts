// Every hsq command, in the order `hsq --help` lists them.
import type { CommandModule } from 'yargs';
import { inspectCommand } from './inspect';
import { runCommand } from './run';
import { passesCommand } from './passes';
import { annotateCommand } from './annotate';
import { verifyCommand } from './verify';
import { evalCommand } from './eval';
import { compileCommand } from './compile';
import { cmakePathCommand } from './cmake-path';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [inspectCommand, compileCommand, runCommand, verifyCommand, evalCommand, annotateCommand, passesCommand, cmakePathCommand];

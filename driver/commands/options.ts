// Options several commands share.
import type { Options } from 'yargs';
import { TARGET_NAMES } from '../../targets/registry';

export const inputShapeOption: Options = {
  type: 'string', array: true, describe: 'fix a dynamic input shape: NAME=1,3,224,224 (repeatable)',
};
export const jsonOption: Options = { type: 'boolean', default: false, describe: 'print JSON instead of text' };
export const dumpAfterOption: Options = {
  type: 'string', array: true, describe: 'write the graph after PASS as text and ONNX (see hsq passes; repeatable)',
};
export const dumpDirOption: Options = { type: 'string', default: 'hsq-dump', describe: 'folder for --dump-after files' };

/** --target, a name of the target registry. The commands look it up (lookupTarget) before any
 *  work: an unknown name is one plain error, exit 2 (yargs' `choices` message is not plain text). */
export function targetOption(describe: string, withDefault: boolean): Options {
  return { type: 'string', describe: `${describe}: ${TARGET_NAMES.join(', ')}`, ...(withDefault ? { default: 'host' } : {}) };
}

/** `--bind NAME=VALUE|FILE.npy`: a graph input as a compile-time constant (frontend/bind.ts). */
export const bindOption = {
  type: 'string', array: true,
  describe: 'make a graph input a compile-time constant: NAME=VALUE (a number or comma list in its dtype and shape) or NAME=FILE.npy; an If it drives folds (repeatable)',
} as const;

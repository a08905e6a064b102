// Every target hsq compiles for, by name: what the driver looks `--target` up in.
import { fail } from '../core/diagnostics';
import { cortexM55Target } from './cortex-m55';
import { hostTarget } from './host';
import { stm32n6Target } from './stm32n6';
import type { Target } from './target';

export const TARGETS: readonly Target[] = Object.freeze([hostTarget, cortexM55Target, stm32n6Target]);

export const TARGET_NAMES: readonly string[] = Object.freeze(TARGETS.map((t) => t.name));

/** The target called `name`; a bad-input error (exit 2) naming `where` and the choices otherwise. */
export function lookupTarget(name: string, where = '--target'): Target {
  const t = TARGETS.find((x) => x.name === name);
  if (!t) fail('bad-input', `${where} ${JSON.stringify(name)}: no such target (targets: ${TARGET_NAMES.join(', ')})`, where);
  return t;
}

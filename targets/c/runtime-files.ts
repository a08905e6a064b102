// The runtime-c sources shipped beside emitted models.
import * as fs from 'fs';
import * as path from 'path';
import { runtimeDir } from '../../core/package-files';

export { runtimeDir };

/** Files of runtime-c/ that every C model needs. */
export const RUNTIME_FILES = ['hsq_runtime.h', 'hsq_expf.h', 'hsq_kernels.c'] as const;

export function runtimeSources(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of RUNTIME_FILES) out[f] = fs.readFileSync(path.join(runtimeDir(), f), 'utf8');
  return out;
}

// The runtime-c sources shipped beside emitted models.
import * as fs from 'fs';
import * as path from 'path';

/** Files of runtime-c/ that every C model needs. */
export const RUNTIME_FILES = ['hsq_runtime.h', 'hsq_expf.h', 'hsq_kernels.c'] as const;

let cachedDir: string | undefined;

/** runtime-c/ of this package (works from the sources and from dist/). */
export function runtimeDir(): string {
  if (cachedDir) return cachedDir;
  let d = __dirname;
  for (let i = 0; i < 6; i++) {
    const cand = path.join(d, 'runtime-c');
    if (fs.existsSync(path.join(cand, 'hsq_runtime.h'))) return (cachedDir = cand);
    d = path.dirname(d);
  }
  throw new Error('runtime-c/ not found next to the hsq package');
}

export function runtimeSources(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of RUNTIME_FILES) out[f] = fs.readFileSync(path.join(runtimeDir(), f), 'utf8');
  return out;
}

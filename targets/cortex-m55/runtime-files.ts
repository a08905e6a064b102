// The runtime-c/m55 files that emitted cortex-m55 code needs beside the portable runtime.
import * as fs from 'fs';
import * as path from 'path';
import { runtimeDir } from '../c/runtime-files';

/** Header of the generated kernels (requantization helpers, arm_mve.h). */
export const M55_KERNEL_FILES = ['hsq_m55_kernels.h'] as const;

export function m55KernelHeader(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of M55_KERNEL_FILES) out[f] = fs.readFileSync(path.join(runtimeDir(), 'm55', f), 'utf8');
  return out;
}

// Where this package's non-TypeScript files are (runtime-c/, cmake/), from the sources or dist/.
import * as fs from 'fs';
import * as path from 'path';

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

/** This package's version, from its package.json (found from the sources and from dist/). */
export function packageVersion(): string {
  let d = __dirname;
  for (let i = 0; i < 6; i++) {
    const f = path.join(d, 'package.json');
    if (fs.existsSync(f)) {
      const pkg = JSON.parse(fs.readFileSync(f, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'hsq' && pkg.version) return pkg.version;
    }
    d = path.dirname(d);
  }
  throw new Error('package.json of hsq not found');
}

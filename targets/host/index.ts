// The host target: portable C99 built and run on the build machine (tests, `hsq run`/`verify`,
// reference deployments). No NPU, no cost model (the build machine's speed is unknown).
import type { Target } from '../target';
import { emitHostTarget } from './emit';
import { runC } from './run';
import { HOST_TARGET } from './target';

export const hostTarget: Target = Object.freeze<Target>({
  name: HOST_TARGET.name,
  description: HOST_TARGET.description,
  capabilities: { cpu: 'the build machine\'s CPU (portable C99)', needsQuantizedModel: false },
  memories: [
    { name: 'arena', base: null, size: null, kind: 'ram' as const, use: 'activations and scratch: the arena the caller passes (NAME_ARENA_SIZE bytes)' },
    { name: 'weights', base: null, size: null, kind: 'flash' as const, use: `NAME_weights, in section ${HOST_TARGET.weights.section}` },
  ],
  emit: emitHostTarget,
  run: (g, inputs, o) => runC(g, inputs, { sanitize: o.sanitize, cacheDir: o.cacheDir }),
});

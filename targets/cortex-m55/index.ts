// The cortex-m55 target: the whole model on an Arm Cortex-M55 with Helium, as QEMU's
// mps3-an547 models it. Generated per-layer MVE kernels where they apply, portable C elsewhere
// (emit.ts); the runner cross-compiles and runs in QEMU (run.ts). No NPU; no cost model of the
// an547 (the stm32n6 cost model's CPU side is the N6's Cortex-M55 at 800 MHz).
import { armToolchainStatus } from '../../toolchain/qemu';
import type { Emitted, PlacedGraph, Target, TargetEmitOptions } from '../target';
import { wholeModelFields } from '../c/report-fields';
import { m55Kernels } from './kernel-report';
import { emitM55, runM55, stackUsageOf } from './run';
import description from './target.json';

/**
 * `hsq compile --target cortex-m55`: the model's C (NAME.c/.h/_weights.c, NAME_m55.c with the
 * generated kernels, NAME_m55_weights.c), the runtime (hsq_runtime.h, hsq_expf.h,
 * hsq_kernels.c, hsq_m55_kernels.h) and, when arm-none-eabi-gcc is installed, stack-usage.json
 * (gcc -fstack-usage of every function and of each generated kernel; objects compiled in a
 * temporary folder, nothing linked). The report lists what computes each quantized layer.
 */
export async function emitCortexM55(placed: PlacedGraph, o: TargetEmitOptions): Promise<Emitted> {
  const e = emitM55(placed.graph, o);
  const files: Record<string, string | Uint8Array> = { ...e.files };
  const stack = await stackUsageOf(e);
  if (stack) files['stack-usage.json'] = JSON.stringify(stack, null, 2) + '\n';
  return {
    files,
    report: wholeModelFields(placed, e, description.weightSection, {
      arrayBytesByNode: e.kernelBytesByNode, kernels: m55Kernels(e),
      stackUsage: stack ? 'stack-usage.json' : `not measured: ${armToolchainStatus().reason}`,
    }),
  };
}

export const cortexM55Target: Target = Object.freeze<Target>({
  name: description.name,
  description: description.description,
  capabilities: { cpu: 'Arm Cortex-M55 with Helium (MVE-I, MVE-F)', needsQuantizedModel: true },
  memories: description.memory.map((m) => ({ name: m.name, base: m.base, size: m.size, kind: 'ram' as const, use: m.use })),
  emit: emitCortexM55,
  run: (g, inputs, o) => runM55(g, inputs, { scalar: o.scalar, opt: o.opt, cacheDir: o.cacheDir }),
});

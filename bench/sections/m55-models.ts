// m55-models: estimated Cortex-M55 cycles per inference of whole models (bench/cycles/model.ts),
// beside the -DHSQ_PROFILE per-layer profile of the same run: the seeded Tiny YOLOv2 160 (QDQ,
// conv7/conv8 w4a8, seed 1), the shared QONNX ESPCN and TFC_2W2A (when ../shared is there).
// Beside each: the stm32n6 cost model's CPU estimate of the same graph (every layer forced to
// the CPU, in cycles of its clock), the figure placement decides with.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { BenchSection, Figure } from '../run';
import { buildTinyYoloV2 } from '../../examples/tiny-yolov2/build';
import { decodeModel, loadModel } from '../../frontend/onnx/import';
import { readTensorFile } from '../../frontend/onnx/tensor-proto';
import { bindConstantInputs } from '../../frontend/bind-inputs';
import { lower } from '../../driver/frontend';
import { randomInputs } from '../../core/random-inputs';
import type { Graph } from '../../core/ir/graph';
import type { Tensor } from '../../core/ir/tensor';
import { armToolchainStatus } from '../../toolchain/qemu';
import { llvmStatus } from '../cycles/mca';
import { estimateModel, type ModelEstimate } from '../cycles/model';
import { placeAndPartition } from '../../placement/stage';
import { stm32n6Placement } from '../../targets/stm32n6/capabilities';
import { defaultCostParams } from '../../targets/stm32n6/cost-model';

/** The stm32n6 cost model's time for `g` with every layer on the Cortex-M55, in CPU cycles. */
function costModelCycles(g: Graph): number {
  const placed = placeAndPartition(g, stm32n6Placement(), { forceCpu: ['*'] });
  const us = placed.placement.layers.reduce((a, l) => a + (l.estCpu?.us ?? 0), 0);
  return Math.round(us * 1e-6 * defaultCostParams['cpu.clockHz']);
}

const errorFigure = (e: unknown): Figure => ({ status: 'error', reason: e instanceof Error ? e.message.split('\n')[0] : String(e) });

interface Model {
  name: string;
  load(): Promise<{ graph: Graph; inputs: Record<string, Tensor> }>;
  missing?: string;
}

function models(repoRoot: string): Model[] {
  // The shared data folder as the tests find it: HSQ_SHARED, else ../shared beside the clone.
  const env = process.env.HSQ_SHARED;
  const shared = env ? path.resolve(env) : path.resolve(repoRoot, '..', 'shared');
  const espcn = path.join(shared, 'models', 'qonnx', 'bsd300x3-espcn');
  const tfc = path.join(shared, 'models', 'real', 'qonnx-zoo', 'TFC_2W2A.onnx');
  return [
    {
      name: 'tiny-yolov2-160',
      async load() {
        const raw = decodeModel(await buildTinyYoloV2({ variant: 'qdq', size: 160, seed: 1 }));
        return { graph: lower(raw), inputs: randomInputs(raw, 7) };
      },
    },
    {
      name: 'espcn',
      missing: fs.existsSync(path.join(espcn, 'subpixel', 'quant_model.onnx')) ? undefined : `${espcn} not found (HSQ_SHARED unset and ../shared is not beside the clone, or HSQ_SHARED names no such folder)`,
      async load() {
        const raw = loadModel(path.join(espcn, 'subpixel', 'quant_model.onnx'));
        const given = { [raw.inputs.filter((i) => !(i in raw.initializers))[0]]: readTensorFile(path.join(espcn, 'test_data', 'input_0.pb')) };
        const bound = bindConstantInputs(raw, given);
        return { graph: lower(bound.graph), inputs: bound.runtimeInputs };
      },
    },
    {
      name: 'tfc-2w2a',
      missing: fs.existsSync(tfc) ? undefined : `${tfc} not found (HSQ_SHARED unset and ../shared is not beside the clone, or HSQ_SHARED names no such folder)`,
      async load() {
        const raw = loadModel(tfc);
        return { graph: lower(raw), inputs: randomInputs(raw, 7) };
      },
    },
  ];
}

export const section: BenchSection = {
  name: 'm55-models',
  description: 'estimated Cortex-M55 cycles per inference (QEMU block counts x llvm-mca-19 -mcpu=cortex-m55, bench/cycles) of the seeded Tiny YOLOv2 160 (conv7/conv8 w4a8), the QONNX ESPCN and TFC_2W2A, beside the -DHSQ_PROFILE per-layer profile and the stm32n6 cost model\'s CPU estimate',
  async run(ctx) {
    const figures: Record<string, Figure> = {};
    const info: Record<string, ModelEstimate | string> = {};
    const st = armToolchainStatus();
    const ls = llvmStatus();
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'hsq-bench-m55-'));
    try {
      for (const m of models(ctx.repoRoot)) {
        if (!st.ok || !ls.ok || m.missing) {
          const reason = m.missing ?? [st.reason, ls.reason].filter(Boolean).join('; ');
          figures[`${m.name}.estCycles`] = { status: 'error', reason };
          continue;
        }
        try {
          ctx.log(`${m.name}: build, run with the block counter`);
          const { graph, inputs } = await m.load();
          const e = await estimateModel(graph, inputs, cache);
          figures[`${m.name}.estCycles`] = { value: e.estCycles, unit: 'cycles', note: 'estimated Cortex-M55 cycles of one inference (MVE build, -O2)' };
          figures[`${m.name}.instructions`] = { value: e.instructions, unit: 'instructions', note: `executed, from the block counts (SysTick: ${e.profileInstructions})` };
          const cm = costModelCycles(graph);
          figures[`${m.name}.costModelCycles`] = { value: cm, unit: 'cycles', note: `the stm32n6 cost model, every layer on the CPU: ${(cm / e.estCycles).toFixed(3)}× the estimate above` };
          info[m.name] = e;
        } catch (err) {
          figures[`${m.name}.estCycles`] = errorFigure(err);
        }
      }
    } finally {
      fs.rmSync(cache, { recursive: true, force: true });
    }
    return { figures, info };
  },
};

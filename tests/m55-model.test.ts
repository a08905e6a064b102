// Whole models on the cortex-m55 target in QEMU mps3-an547: a Tiny YOLOv2 at 160x160 input
// (conv7 and conv8 w4a8, the rest w8a8; seeded builder) and the QONNX ESPCN (4-bit Brevitas,
// its test input), both in ONE ELF and ONE QEMU run per path: MVE, and the portable path of a
// -mcpu=cortex-m55+nomve build. Outputs equal the interpreter bit for bit; every quantized conv
// runs a generated per-layer kernel.
import * as path from 'path';
import { armToolchainStatus, ARM_APT_PACKAGES } from '../toolchain/qemu';
import { M55BatchResult, runM55Batch } from '../targets/cortex-m55/run';
import { bindConstantInputs } from '../frontend/bind-inputs';
import { lower } from '../driver/frontend';
import { runGraph } from '../ops/engine/interpreter';
import { Graph } from '../core/ir/graph';
import { Tensor } from '../core/ir/tensor';
import { decodeModel, loadModel } from '../frontend/onnx/import';
import { readTensorFile } from '../frontend/onnx/tensor-proto';
import { randomInputs } from '../core/random-inputs';
import { buildTinyYoloV2 } from '../examples/tiny-yolov2/build';
import { compareExact } from './support/host-c-conformance';
import { SHARED } from './support/conformance';
import { haveShared, testShared } from './support/shared';

const status = armToolchainStatus();
const skip = !status.ok && !process.env.CI && process.env.HSQ_SKIP_ARM === '1';
if (skip) console.log(`m55-model: skipped (HSQ_SKIP_ARM=1): ${status.reason}`);
const maybe = skip ? describe.skip : describe;

const ESPCN = path.join(SHARED, 'models/qonnx/bsd300x3-espcn');

interface ModelCase { name: string; graph: Graph; inputs: Record<string, Tensor>; ref: Record<string, Tensor> }

maybe('whole models on the Cortex-M55 (QEMU): Tiny YOLOv2 160 w4/w8 and QONNX ESPCN', () => {
  const models: ModelCase[] = [];
  const runs: Partial<Record<'mve' | 'scalar', M55BatchResult>> = {};

  beforeAll(async () => {
    if (!status.ok)
      throw new Error(`the ARM toolchain is required${process.env.CI ? ' in CI' : ' (set HSQ_SKIP_ARM=1 to skip locally)'}: ${status.reason} [apt packages: ${ARM_APT_PACKAGES.join(' ')}]`);
    const yoloRaw = decodeModel(await buildTinyYoloV2({ variant: 'qdq', size: 160, int4Layers: ['conv7', 'conv8'], seed: 3 }));
    const yolo = lower(yoloRaw);
    const yIn = randomInputs(yoloRaw, 7);
    models.push({ name: 'tiny-yolov2-160', graph: yolo, inputs: yIn, ref: runGraph(yolo, yIn) });
    // ESPCN comes from ../shared; without it the batch holds Tiny YOLOv2 alone.
    if (haveShared()) {
      const espRaw = loadModel(path.join(ESPCN, 'subpixel/quant_model.onnx'));
      const given = { [espRaw.inputs.filter((i) => !(i in espRaw.initializers))[0]]: readTensorFile(path.join(ESPCN, 'test_data/input_0.pb')) };
      const bound = bindConstantInputs(espRaw, given);
      const esp = lower(bound.graph);
      models.push({ name: 'espcn', graph: esp, inputs: bound.runtimeInputs, ref: runGraph(esp, bound.runtimeInputs) });
    }
    const items = models.map((m) => ({ graph: m.graph, inputs: [m.inputs] }));
    const [mve, scalar] = await Promise.all([runM55Batch(items, {}), runM55Batch(items, { scalar: true })]);
    runs.mve = mve;
    runs.scalar = scalar;
    for (const [p, r] of Object.entries(runs))
      console.log(`m55-model ${p}: build ${r!.stats.buildMs} ms, QEMU ${r!.stats.qemuMs} ms (both models)`);
  }, 900000);

  test('every quantized conv runs a generated kernel: YOLO conv7/conv8 at w4a8, the rest w8a8', () => {
    const [y] = runs.mve!.stats.program.models;
    expect(y.layers.map((l) => `${l.node}:${l.kernel}:${l.precision}`)).toEqual([
      ...['conv1', 'conv2', 'conv3', 'conv4', 'conv5', 'conv6'].map((n) => `${n}:generated:w8a8`),
      'conv7:generated:w4a8', 'conv8:generated:w4a8', 'conv9:generated:w8a8',
    ]);
  });

  testShared('ESPCN: every quantized conv runs a generated w4a4 kernel', () => {
    const e = runs.mve!.stats.program.models[1];
    expect(e.layers.length).toBe(3);
    // Brevitas ESPCN: 4-bit weights and 4-bit (uint8 container) activations; Conv_41 (float output
    // before DepthToSpace, docs/qat-layers.md) keeps its integer weights on the portable kernel.
    expect(e.layers.slice(0, 2).map((l) => `${l.node}:${l.kernel}:${l.precision}`)).toEqual(['Conv_17:generated:w4a4', 'Conv_29:generated:w4a4']);
    expect(e.layers[2]).toMatchObject({ node: 'Conv_41', kernel: 'portable', reason: 'float output' });
  });

  test.each(['mve', 'scalar'] as const)('%s: outputs equal the interpreter bit for bit', (p) => {
    const bad: string[] = [];
    models.forEach((m, k) => {
      for (const o of m.graph.outputs) {
        const d = compareExact(runs[p]!.outputs[k][0][o], m.ref[o]);
        if (d) bad.push(`${m.name}/${o}: ${d}`);
      }
    });
    expect(bad).toEqual([]);
  });
});

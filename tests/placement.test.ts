// Placement pass: precision-driven policy, force/widen from CLI, config and annotations, budgets,
// followers, and the Tiny YOLOv2 acceptance (conv7/conv8 at w4a8).
import { buildTinyYoloV2Qdq, calibrationTensors } from '../examples/tiny-yolov2/build';
import { decodeModel } from '../frontend/onnx/import';
import { lower } from '../driver/frontend';
import { HsqError } from '../core/diagnostics';
import { Graph } from '../core/ir/graph';
import { makeTensor } from '../core/ir/tensor';
import { validateGraph } from '../ops/engine/validate';
import { runPipeline } from '../passes/pass-manager';
import { PlacementOptions, placeGraph, placementPass } from '../placement/placement';
import { stm32n6Placement } from '../targets/stm32n6/capabilities';
/** ST Edge AI 2.2's rules: the NPU runs int8 only, so 4-bit layers are the trade-off these tests weigh. */
const N6 = stm32n6Placement('2.2');
import { graph, node } from './passes-helpers';

/** Tiny YOLOv2 (VOC, 416) as QDQ with conv7/conv8 int4, lowered by the core pipeline. Fixed
 *  activation ranges stand in for calibration: placement depends on shapes and precision only. */
function tinyYolo(): Graph {
  const ranges: Record<string, [number, number]> = {};
  for (const t of [...calibrationTensors('voc'), 'input', 'output']) ranges[t] = [-4, 6];
  return lower(decodeModel(buildTinyYoloV2Qdq({ size: 416, layout: 'voc' }, ranges)));
}

let g: Graph;
beforeAll(() => { g = tinyYolo(); });

const place = (opts: PlacementOptions = {}, gg: Graph = g) => placeGraph(gg, N6, opts).placement;
const dev = (p: ReturnType<typeof place>, name: string) => {
  const l = p.layers.find((x) => x.name === name);
  if (!l) throw new Error(`no layer ${name}`);
  return l;
};
const convs = (p: ReturnType<typeof place>) => Object.fromEntries([1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => [`conv${i}`, dev(p, `conv${i}`).device]));
function error(f: () => unknown): HsqError {
  try { f(); } catch (e) { if (e instanceof HsqError) return e; throw e; }
  throw new Error('expected an HsqError');
}

describe('Tiny YOLOv2, w8a8 with conv7/conv8 at w4a8', () => {
  test('conv1–6 and conv9 on the NPU, conv7 and conv8 on the CPU, each with a reason', () => {
    const p = place();
    expect(convs(p)).toEqual({ conv1: 'npu', conv2: 'npu', conv3: 'npu', conv4: 'npu', conv5: 'npu', conv6: 'npu', conv7: 'cpu', conv8: 'cpu', conv9: 'npu' });
    expect(dev(p, 'conv7').precision).toBe('w4a8');
    expect(dev(p, 'conv1').precision).toBe('w8a8');
    expect(dev(p, 'conv7').reason).toMatch(/4-bit weights \(w4a8\): not on the NPU as it is \(int4 weights: weights must be int8 .*ST Edge AI Core 2.0–2.2 runs no 4-bit weights.*CPU with packed weights/);
    expect(dev(p, 'conv3').reason).toMatch(/int8 \(w8a8\)/);
    expect(dev(p, 'conv7').widened).toBe(false);
    for (const l of p.layers) expect(l.reason.length).toBeGreaterThan(10);
    // A fused group is named after its Conv and lists the ONNX nodes it stands for.
    expect(dev(p, 'conv1').origin).toEqual(expect.arrayContaining(['conv1', 'bn1_out_QuantizeLinear']));
    // Every IR node has a device and a layer.
    for (const n of placeGraph(g, N6).graph.nodes) expect(p.deviceOfNode[n.name]).toMatch(/^(npu|cpu)$/);
  });

  test('the float boundary (input quantize, output dequantize) is on the CPU with the constraint text', () => {
    const p = place();
    const q = dev(p, 'input_QuantizeLinear');
    expect(q.device).toBe('cpu');
    expect(q.reason).toContain('float quantize/dequantize at a float boundary runs on the CPU');
  });

  test('weightless layers follow their neighbours: leaky7 stays with conv7/conv8 on the CPU', () => {
    const p = place();
    expect(dev(p, 'leaky7').device).toBe('cpu');
    expect(dev(p, 'leaky7').reason).toMatch(/follows conv7, conv8 on the CPU/);
    for (const n of ['leaky1', 'pool1', 'leaky5', 'pool5']) expect(dev(p, n).device).toBe('npu');
    // With both sub-8-bit layers widened, everything between the float boundaries is on the NPU.
    const w = place({ widen: ['conv7', 'conv8'] });
    expect(w.layers.filter((l) => l.device === 'cpu').map((l) => l.name)).toEqual(['input_QuantizeLinear', 'output_f_q_DequantizeLinear']);
  });

  test('--force-cpu conv9 moves conv9', () => {
    const p = place({ forceCpu: ['conv9'] });
    expect(dev(p, 'conv9').device).toBe('cpu');
    expect(dev(p, 'conv9').reason).toContain('--force-cpu conv9');
    expect(dev(p, 'conv9').source).toBe('force');
    expect(dev(p, 'conv6').device).toBe('npu');
  });

  test('--force-npu conv7 without widening is refused, naming conv7, its precision and the way out', () => {
    const e = error(() => place({ forceNpu: ['conv7'] }));
    expect(e.kind).toBe('bad-input');
    expect(e.subject).toBe('conv7');
    expect(e.message).toContain('--force-npu conv7: conv7 has 4-bit weights (w4a8), which the NPU cannot run as it is (int4 weights: weights must be int8');
    expect(e.message).toContain('ST Edge AI Core 2.0–2.2 runs no 4-bit weights');
    expect(e.message).toContain('--widen conv7');
    expect(e.message).toContain('drop --force-npu conv7');
  });

  test('--force-npu conv7 with --widen conv7 puts it on the NPU, widened', () => {
    const p = place({ forceNpu: ['conv7'], widen: ['conv7'] });
    expect(dev(p, 'conv7').device).toBe('npu');
    expect(dev(p, 'conv7').widened).toBe(true);
    expect(dev(p, 'conv7').reason).toMatch(/forced to the NPU by --force-npu conv7; 4-bit weights \(w4a8\) widened losslessly/);
    // Widening costs flash: int8 storage is twice the packed 4-bit bytes.
    expect(dev(p, 'conv7').est.flashBytes).toBeGreaterThan(1.9 * dev(place(), 'conv7').est.flashBytes);
    expect(dev(p, 'conv8').device).toBe('cpu');
  });

  test('--widen alone (CLI, config or annotation) moves a sub-8-bit layer to the NPU', () => {
    expect(dev(place({ widen: ['conv*'] }), 'conv8').device).toBe('npu');
    expect(dev(place({ config: { widen: ['conv8'] } }), 'conv8').device).toBe('npu');
    const ann: Graph = { ...g, annotations: { conv8: { widen: true } } };
    const p = place({}, ann);
    expect(dev(p, 'conv8').device).toBe('npu');
    expect(dev(p, 'conv8').reason).toContain("annotation hsq.widen on 'conv8'");
  });

  test('forces: CLI > config > annotation; exact names beat globs; globs select several', () => {
    const ann: Graph = { ...g, annotations: { conv1: { placement: 'cpu' }, conv2: { placement: 'cpu' } } };
    const p = place({ config: { placement: { conv2: 'npu', 'conv[34]': 'cpu' } }, forceNpu: ['conv1'] }, ann);
    expect(dev(p, 'conv1').device).toBe('npu');
    expect(dev(p, 'conv1').reason).toContain('--force-npu conv1');
    expect(dev(p, 'conv2').device).toBe('npu');
    expect(dev(p, 'conv2').reason).toContain('config placement["conv2"]');
    expect(dev(p, 'conv3').device).toBe('cpu');
    expect(dev(p, 'conv4').device).toBe('cpu');
    const q = place({}, ann);
    expect(dev(q, 'conv1').device).toBe('cpu');
    expect(dev(q, 'conv1').reason).toContain("annotation hsq.placement on 'conv1'");
    // Exact beats glob within one source.
    const r = place({ config: { placement: { 'conv*': 'cpu', conv5: 'npu' } } });
    expect(dev(r, 'conv5').device).toBe('npu');
    expect(dev(r, 'conv4').device).toBe('cpu');
  });

  test('a pattern that matches no node is an error naming it', () => {
    const e = error(() => place({ forceCpu: ['conv99'] }));
    expect(e.kind).toBe('bad-input');
    expect(e.message).toContain("--force-cpu conv99: 'conv99' matches no node");
    expect(error(() => place({ widen: ['nope*'] })).message).toContain("'nope*' matches no node");
    expect(error(() => place({ config: { placement: { zz: 'npu' } } })).message).toContain('config placement["zz"]');
    expect(error(() => place({ forceCpu: ['conv1'], forceNpu: ['conv1'] })).message).toContain('both --force-npu and --force-cpu');
  });

  test('forcing an op the NPU cannot run onto the NPU is refused with the constraint text', () => {
    const e = error(() => place({ forceNpu: ['input_QuantizeLinear'] }));
    expect(e.subject).toBe('input_QuantizeLinear');
    expect(e.message).toContain('the NPU cannot run input_QuantizeLinear');
    expect(e.message).toContain('float quantize/dequantize at a float boundary runs on the CPU');
    expect(e.message).toContain('drop --force-npu input_QuantizeLinear');
  });

  test('the options weighed: conv7/conv8 hold ~89 % of the weights and ~69 % of the MACs', () => {
    const p = place();
    const o = p.optimisation;
    expect(o.candidates).toEqual(['conv7', 'conv8']);
    expect(o.candidateWeightShare).toBeCloseTo(0.893, 2);
    expect(o.candidateMacShare).toBeCloseTo(0.686, 2);
    const opts = dev(p, 'conv7').options!;
    expect(opts.map((x) => [x.key, x.device, x.chosen])).toEqual([['cpu-packed', 'cpu', true], ['npu-widened', 'npu', false]]);
    const [cpu, npu] = opts;
    expect(npu.flashBytes).toBeGreaterThan(cpu.flashBytes); // widening costs flash
    expect(cpu.estUs).toBeGreaterThan(10 * npu.estUs);     // the CPU costs far more time
    const labels = o.alternatives.map((a) => a.label);
    expect(labels).toEqual(['chosen', 'sub-8-bit layers widened on the NPU', 'sub-8-bit layers packed on the CPU']);
    expect(o.alternatives[1].latencyUs).toBeLessThan(o.alternatives[2].latencyUs);
    expect(o.alternatives[1].flashBytes).toBeGreaterThan(o.alternatives[2].flashBytes);
  });
});

describe('budgets', () => {
  test('--latency-budget widens both sub-8-bit layers (the CPU is far too slow for them)', () => {
    // 70 ms: above the all-NPU estimate (63.4 ms with the cost model fitted on ST's figures), far
    // below any placement with conv7/conv8 on the CPU.
    const p = place({ latencyBudget: 70 });
    expect(convs(p)).toEqual({ conv1: 'npu', conv2: 'npu', conv3: 'npu', conv4: 'npu', conv5: 'npu', conv6: 'npu', conv7: 'npu', conv8: 'npu', conv9: 'npu' });
    expect(dev(p, 'conv7').source).toBe('optimiser');
    expect(dev(p, 'conv7').reason).toMatch(/--latency-budget: .*widened/);
    expect(p.optimisation.method).toBe('exhaustive');
    expect(p.optimisation.evaluated).toBe(4);
    expect(p.optimisation.alternatives[0].latencyUs).toBeLessThanOrEqual(70000);
  });

  test('--flash-budget keeps the layer that saves most flash per ms on the CPU', () => {
    // 12 MB fits widening conv7 (+2.3 MiB) but not conv8 (+4.5 MiB).
    const p = place({ flashBudget: 12e6 });
    expect(dev(p, 'conv7').device).toBe('npu');
    expect(dev(p, 'conv8').device).toBe('cpu');
    expect(p.optimisation.alternatives[0].flashBytes).toBeLessThanOrEqual(12e6);
    // A generous budget: everything on the NPU.
    expect(dev(place({ flashBudget: 32e6 }), 'conv8').device).toBe('npu');
  });

  test('a budget that cannot be met is an error saying what the closest placement needs', () => {
    const e = error(() => place({ latencyBudget: 10 }));
    expect(e.kind).toBe('bad-input');
    expect(e.message).toMatch(/--latency-budget 10 ms cannot be met: the closest placement of conv7, conv8 needs .* MiB of flash and .* ms/);
    expect(error(() => place({ flashBudget: 1e6 })).message).toContain('--flash-budget');
  });

  test('with the quantizer\'s sensitivity an int8 layer may go to w4 on the CPU under a flash budget', () => {
    const base = place().optimisation.alternatives[0].flashBytes; // conv7/conv8 packed
    const p = place({ flashBudget: base - 400_000, sensitivity: { conv6: 0.2, conv5: 0.1 } });
    // conv5 alone saves ~147 KB, not enough: conv6 (1.18 MB int8 → ~0.6 MB) must be lowered.
    expect(dev(p, 'conv6').device).toBe('cpu');
    expect(dev(p, 'conv6').lowerTo).toBe('w4a8');
    expect(dev(p, 'conv5').lowerTo).toBeUndefined();
    expect(dev(p, 'conv6').reason).toContain('lowered to w4a8 (sensitivity 0.2)');
    expect(p.optimisation.alternatives[0].flashBytes).toBeLessThanOrEqual(base - 400_000);
  });
});

describe('small graphs', () => {
  const q8 = { scale: [0.05], zeroPoint: [0], bits: 8, signed: true, narrow: false };
  function qconv(name: string, x: string, y: string, C: number, M: number, wBits = 8) {
    const w = makeTensor('int8', [M, C, 3, 3], Array.from({ length: M * C * 9 }, (_, i) => (i % 7) - 3));
    return {
      node: { ...node('QConv', [x, `${name}.w`], [y], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [1, 1], dilations: [1, 1], group: 1, qmin: -128, qmax: 127 }, 'hsq', name) },
      init: { [`${name}.w`]: w },
      infos: [
        { name: `${name}.w`, dtype: 'int8' as const, shape: [M, C, 3, 3], quant: { scale: Array(M).fill(0.01), zeroPoint: Array(M).fill(0), axis: 0, bits: wBits, signed: true, narrow: false } },
        { name: y, dtype: 'int8' as const, shape: [1, M, 8, 8], quant: q8 },
      ],
    };
  }

  test('a float op stays on the CPU with the constraint text; a shared DQ is split per reader', () => {
    const a = qconv('ca', 'x', 'ya', 4, 4);
    const gg = graph({
      inputs: [['x', 'int8', [1, 4, 8, 8]]], outputs: ['s', 'r'],
      nodes: [
        a.node,
        node('DequantizeLinear', ['ya', 'sc', 'zp'], ['yf'], {}, '', 'dq'),
        node('Sigmoid', ['yf'], ['s'], {}, '', 'soft'),
        node('Relu', ['yf'], ['rf'], {}, '', 'relu'),
        node('QuantizeLinear', ['rf', 'sc', 'zp'], ['r'], {}, '', 'q'),
      ],
      inits: { ...a.init, sc: makeTensor('float32', [], [0.05]), zp: makeTensor('int8', [], [0]) },
      tensors: [...a.infos, { name: 'x', dtype: 'int8', shape: [1, 4, 8, 8], quant: q8 }, { name: 'yf', dtype: 'float32', shape: [1, 4, 8, 8] },
        { name: 's', dtype: 'float32', shape: [1, 4, 8, 8] }, { name: 'rf', dtype: 'float32', shape: [1, 4, 8, 8] }, { name: 'r', dtype: 'int8', shape: [1, 4, 8, 8], quant: q8 }],
    });
    const { graph: out, placement } = placeGraph(gg, N6);
    validateGraph(out, { requireInfos: true });
    expect(out.nodes.filter((n) => n.op === 'DequantizeLinear')).toHaveLength(2);
    const soft = placement.layers.find((l) => l.name === 'soft')!;
    expect(soft.device).toBe('cpu');
    expect(soft.reason).toBe('NPU cannot run it: float output (integer inputs, no quantizer after the layer): activations must be int8 (signed, asymmetric 8-bit)');
    const relu = placement.layers.find((l) => l.name === 'relu')!;
    expect(relu.nodes).toHaveLength(3); // DQ copy, Relu, Q
    expect(relu.device).toBe('npu');
    expect(placement.layers.find((l) => l.name === 'ca')!.device).toBe('npu');
  });

  test('the pass form runs in a pipeline and hands out the placement', () => {
    const a = qconv('c1', 'x', 'y1', 4, 4);
    const b = qconv('c2', 'y1', 'y2', 4, 4, 4);
    const gg = graph({
      inputs: [['x', 'int8', [1, 4, 8, 8]]], outputs: ['y2'], nodes: [a.node, b.node],
      inits: { ...a.init, ...b.init }, tensors: [...a.infos, ...b.infos, { name: 'x', dtype: 'int8', shape: [1, 4, 8, 8], quant: q8 }],
    });
    const seen: string[] = [];
    const pass = placementPass(N6, { onPlacement: (p) => seen.push(p.layers.map((l) => `${l.name}:${l.device}`).join(',')) });
    runPipeline(gg, [pass]);
    expect(pass.name).toBe('placement');
    expect(pass.result().layers.map((l) => [l.name, l.device, l.precision])).toEqual([['c1', 'npu', 'w8a8'], ['c2', 'cpu', 'w4a8']]);
    expect(seen).toEqual(['c1:npu,c2:cpu']);
  });
});

// --weights-format's default: C data up to INCBIN_ABOVE_BYTES of weights, an .incbin blob above
// (the FP32 Tiny YOLOv2's C data was a 183 MB _weights.c). An explicit --weights-format wins.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildTinyYoloV2Fp32 } from '../examples/tiny-yolov2/build';
import { compile, defaultWeightsFormat } from '../driver/compile';
import { INCBIN_ABOVE_BYTES } from '../targets/c/weights';
import { makeTensor } from '../core/ir/tensor';
import { Graph } from '../core/ir/graph';

const graphWith = (bytes: number): Graph => ({
  name: 'g', inputs: [], outputs: [], tensors: {}, nodes: [], opsets: {},
  initializers: { w: makeTensor('int8', [bytes]) },
} as unknown as Graph);

describe('weights format default', () => {
  test('C data up to the threshold, incbin above it, with one line saying so', () => {
    const lines: string[] = [];
    expect(defaultWeightsFormat(graphWith(INCBIN_ABOVE_BYTES), (l) => lines.push(l))).toBe('c');
    expect(lines).toEqual([]);
    expect(defaultWeightsFormat(graphWith(INCBIN_ABOVE_BYTES + 1), (l) => lines.push(l))).toBe('incbin');
    expect(lines).toEqual([expect.stringMatching(/--weights-format c/)]);
  });

  test('host FP32 Tiny YOLOv2 (63 MB of weights): a .bin blob and a small _weights.c', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsq-wf-'));
    try {
      const model = path.join(dir, 'ty.onnx');
      fs.writeFileSync(model, buildTinyYoloV2Fp32({ variant: 'fp32', size: 32, layout: 'voc', seed: 1 }));
      const r = await compile({ model, out: path.join(dir, 'out'), target: 'host', name: 'ty', log: () => undefined });
      expect(r.files).toEqual(expect.arrayContaining(['ty_weights.bin', 'ty_weights.c']));
      expect(fs.statSync(path.join(dir, 'out', 'ty_weights.bin')).size).toBeGreaterThan(INCBIN_ABOVE_BYTES);
      expect(fs.statSync(path.join(dir, 'out', 'ty_weights.c')).size).toBeLessThan(4096);
      expect(fs.statSync(path.join(dir, 'out', 'ty_weights.bin')).size).toBe(r.weightsSize + (16 - (r.weightsSize % 16)) % 16);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

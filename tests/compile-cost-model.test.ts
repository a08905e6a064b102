// The config file's costModel reaches placement and the report (it was documented but not
// applied): the estimates use the overridden parameters; a bad key is one error naming it.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildTinyYoloV2Qdq, calibrationTensors } from '../examples/tiny-yolov2/build';
import { compile } from '../driver/compile';
import { HsqError } from '../core/diagnostics';
import { defaultCostParams } from '../targets/stm32n6/cost-model';

describe('config costModel', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsq-costmodel-'));
  const model = path.join(dir, 'ty.onnx');
  beforeAll(() => {
    const ranges: Record<string, [number, number]> = {};
    for (const t of [...calibrationTensors('voc'), 'input', 'output']) ranges[t] = [-4, 6];
    fs.writeFileSync(model, buildTinyYoloV2Qdq({ size: 160, layout: 'voc' }, ranges));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('overrides the stm32n6 parameters the estimates use', async () => {
    const base = await compile({ model, out: path.join(dir, 'a'), target: 'stm32n6' });
    const cfg = path.join(dir, 'hsq.config.json');
    const slow = defaultCostParams['npu.macsPerCycle'] / 4;
    fs.writeFileSync(cfg, JSON.stringify({ costModel: { 'npu.macsPerCycle': slow } }));
    const r = await compile({ model, out: path.join(dir, 'b'), target: 'stm32n6', config: cfg });
    expect(base.report.costParams!['npu.macsPerCycle']).toBe(defaultCostParams['npu.macsPerCycle']);
    expect(r.report.costParams!['npu.macsPerCycle']).toBe(slow);
    const c1 = (rep: typeof r.report) => rep.layers.find((l) => l.name === 'conv3')!;
    expect(c1(r.report).device).toBe('npu');
    expect(c1(r.report).estTimeUs!).toBeGreaterThan(c1(base.report).estTimeUs!);
    // Host has no cost model: the key is ignored there.
    expect((await compile({ model, out: path.join(dir, 'c'), target: 'host', config: cfg })).report.costParams).toBeUndefined();
  });

  test('an unknown key is a bad-input error naming costModel.<key>', async () => {
    const cfg = path.join(dir, 'bad.config.json');
    fs.writeFileSync(cfg, JSON.stringify({ costModel: { 'npu.macPerCycle': 1 } }));
    const err = await compile({ model, out: path.join(dir, 'd'), target: 'stm32n6', config: cfg }).catch((e) => e);
    expect(err).toBeInstanceOf(HsqError);
    expect((err as HsqError).subject).toBe('costModel.npu.macPerCycle');
    expect(fs.existsSync(path.join(dir, 'd'))).toBe(false);
  });
});

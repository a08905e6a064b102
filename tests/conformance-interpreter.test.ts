// Every ONNX backend operator test through `hsq run --engine interpreter` (in-process), or listed
// in tests/conformance-xfail.json with its reason. An expected failure that passes is an error too,
// so the list cannot go stale.
import * as fs from 'fs';
import * as path from 'path';
import { runModel } from '../driver/commands/run';
import { readTensorFile } from '../frontend/onnx/tensor-proto';
import { describeShared } from './support/shared';
import { CONFORMANCE_DIR, compareOutput, conformanceTests, expectedFailures } from './support/conformance';

const xfail = expectedFailures('interpreter');
const FORBIDDEN_XFAIL = /conv|pool|relu|sigmoid|tanh|clip|swish|softmax|quantizelinear|dequantizelinear/i;

describeShared('ONNX conformance through the interpreter', () => {
  test('no Conv, pool, activation, QuantizeLinear or DequantizeLinear test is an expected failure', () => {
    expect(Object.keys(xfail).filter((t) => FORBIDDEN_XFAIL.test(t))).toEqual([]);
  });

  test.each(conformanceTests())('%s', async (name) => {
    const dir = path.join(CONFORMANCE_DIR, name);
    const data = path.join(dir, 'test_data_set_0');
    let problem: string | null = null;
    try {
      const out = await runModel({ model: path.join(dir, 'model.onnx'), engine: 'interpreter', target: 'host', inputs: data, input: [], 'dump-dir': '', sanitize: false });
      const expected = fs.readdirSync(data).filter((f) => /^output_\d+\.pb$/.test(f)).sort();
      if (expected.length !== out.names.length) problem = `${out.names.length} outputs, expected ${expected.length}`;
      expected.forEach((f, k) => {
        if (problem) return;
        const diff = compareOutput(out.values[out.names[k]], readTensorFile(path.join(data, f)));
        if (diff) problem = `output ${k}: ${diff}`;
      });
    } catch (e) {
      problem = `error: ${(e as Error).message}`;
    }
    if (name in xfail) {
      expect({ name, problem: problem ? 'fails as expected' : 'PASSES: remove it from conformance-xfail.json' }).toEqual({ name, problem: 'fails as expected' });
    } else {
      expect({ name, problem }).toEqual({ name, problem: null });
    }
  });
});

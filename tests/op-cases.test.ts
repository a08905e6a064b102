// Self-generated conformance (issue 11 item 5): small models over each covered op's attributes
// and dtypes (tests/support/op-cases/), written by hsq's exporter, with expected outputs from
// ONNX Runtime. The interpreter is within ONNX's tolerance of ORT; host C (all cases in ONE
// program) and Cortex-M55 C (portable scalar path, all cases in ONE QEMU image) equal the
// interpreter bit for bit. Needs nothing from ../shared.
import { armToolchainStatus } from '../toolchain/qemu';
import { runGraph } from '../ops/engine/interpreter';
import { Tensor } from '../core/ir/tensor';
import { runCBatch } from '../targets/host/run';
import { runM55Batch } from '../targets/cortex-m55/run';
import { compareExact } from './support/host-c-conformance';
import { BuiltCase, buildCase, checkInterpreter } from './support/op-cases/harness';
import { OP_CASES } from './support/op-cases';

const status = armToolchainStatus();
const skipArm = !status.ok && !process.env.CI && process.env.HSQ_SKIP_ARM === '1';
if (skipArm) console.log(`op-cases: Cortex-M55 part skipped (HSQ_SKIP_ARM=1): ${status.reason}`);

describe('self-generated op conformance', () => {
  let built: BuiltCase[] = [];
  const interp = new Map<string, Record<string, Tensor>>();

  beforeAll(() => {
    built = OP_CASES.map(buildCase);
    for (const b of built) interp.set(b.c.name, runGraph(b.graph, b.inputs));
  });

  test('case names are unique and there are cases for every covered op', () => {
    const names = OP_CASES.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    expect(OP_CASES.length).toBeGreaterThan(50);
  });

  test('the interpreter is within ONNX tolerance of ONNX Runtime', async () => {
    const problems: string[] = [];
    for (const b of built) { const p = await checkInterpreter(b); if (p) problems.push(`${b.c.name}: ${p}`); }
    expect(problems).toEqual([]);
  });

  function exactProblems(outs: Record<string, Tensor>[][]): string[] {
    const problems: string[] = [];
    built.forEach((b, k) => {
      for (const o of b.graph.outputs) {
        const p = compareExact(outs[k][0][o], interp.get(b.c.name)![o]);
        if (p) problems.push(`${b.c.name}: ${o}: ${p}`);
      }
    });
    return problems;
  }

  test('host C equals the interpreter bit for bit (one program)', async () => {
    const res = await runCBatch(built.map((b) => ({ graph: b.graph, inputs: [b.inputs] })), { target: 'host' });
    expect(exactProblems(res)).toEqual([]);
  }, 900000);

  (skipArm ? test.skip : test)('Cortex-M55 portable C equals the interpreter bit for bit (one QEMU image)', async () => {
    const r = await runM55Batch(built.map((b) => ({ graph: b.graph, inputs: [b.inputs] })), { scalar: true });
    expect(exactProblems(r.outputs)).toEqual([]);
  }, 900000);
});

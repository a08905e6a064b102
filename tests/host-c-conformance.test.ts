// Every ONNX conformance test the interpreter runs goes through the host C backend: all models
// in ONE program (symbols are prefixed per model), outputs bit-identical to the interpreter on
// the same lowered graph and within the ONNX tolerance of the expected outputs. Cases the C
// backend cannot emit must be listed under "c" in conformance-xfail.json with the reason.
import { runCBatch } from '../targets/host/run';
import { compareOutput, expectedFailures } from './support/conformance';
import { describeShared } from './support/shared';
import { PreparedCase, compareExact, prepareConformance } from './support/host-c-conformance';

const interpXfail = expectedFailures('interpreter');
const cXfail = expectedFailures('c');

describeShared('ONNX conformance through the host C backend', () => {
  let cases: PreparedCase[] = [];
  let results = new Map<string, Record<string, import('../core/ir/tensor').Tensor>>();
  let runErrors = new Map<string, string>();

  beforeAll(async () => {
    cases = prepareConformance();
    const ok = cases.filter((c) => !c.error);
    let res: Awaited<ReturnType<typeof runCBatch>> = [];
    try {
      res = await runCBatch(ok.map((c) => ({ graph: c.graph!, inputs: [c.inputs!] })), { target: 'host' });
      ok.forEach((c, k) => results.set(c.name, res[k][0]));
    } catch (e) {
      if (/hsq_kernels\.c|main\.c/.test((e as Error).message.split('\n')[0])) throw e;
      // One failing model must not hide the others: run them one by one to attribute errors.
      for (const c of ok) {
        try {
          const [r] = await runCBatch([{ graph: c.graph!, inputs: [c.inputs!] }], { target: 'host' });
          results.set(c.name, r[0]);
        } catch (e2) {
          runErrors.set(c.name, (e2 as Error).message.slice(0, 2000));
        }
      }
      if (runErrors.size === 0) throw e;
    }
  });

  test('every case the interpreter cannot run is an interpreter expected failure', () => {
    const bad = cases.filter((c) => c.stage === 'interpreter' && !(c.name in interpXfail)).map((c) => `${c.name}: ${c.error}`);
    expect(bad).toEqual([]);
  });

  test('every case the C backend cannot emit is a listed C expected failure', () => {
    const bad = cases.filter((c) => c.stage === 'emit' && !(c.name in cXfail)).map((c) => `${c.name}: ${c.error}`);
    expect(bad).toEqual([]);
  });

  test('no listed C expected failure passes', () => {
    const stale = Object.keys(cXfail).filter((n) => results.has(n) && cases.find((c) => c.name === n && !c.error)
      && !problemOf(cases.find((c) => c.name === n)!));
    expect(stale).toEqual([]);
  });

  function problemOf(c: PreparedCase): string | null {
    if (runErrors.has(c.name)) return `run: ${runErrors.get(c.name)}`;
    const out = results.get(c.name);
    if (!out) return 'no result';
    const names = c.graph!.outputs;
    for (let k = 0; k < names.length; k++) {
      const exact = compareExact(out[names[k]], c.interp![names[k]]);
      if (exact) return `output ${k} differs from the interpreter: ${exact}`;
      if (c.expected![k]) {
        const tol = compareOutput(out[names[k]], c.expected![k]);
        if (tol) return `output ${k} vs expected: ${tol}`;
      }
    }
    return null;
  }

  test('all runnable cases: C equals the interpreter bit for bit and the expected outputs within tolerance', () => {
    const problems = cases.filter((c) => !c.error && !(c.name in cXfail)).map((c) => ({ name: c.name, problem: problemOf(c) })).filter((p) => p.problem);
    expect(problems).toEqual([]);
    expect(cases.filter((c) => !c.error).length).toBeGreaterThan(100);
  });
});

// The conformance models and the built graphs again, as one program built with
// -fsanitize=address,undefined -fno-sanitize-recover=all: any finding aborts the run and fails.
// The harness allocates the arena, inputs and outputs with their exact sizes, so an access
// one byte outside any of them is caught.
import { runCBatch } from '../targets/host/run';
import { expectedFailures } from './support/conformance';
import { testShared } from './support/shared';
import { compareExact, prepareConformance } from './support/host-c-conformance';

const cXfail = expectedFailures('c');

testShared('conformance models under AddressSanitizer and UBSan: no findings, same numbers', async () => {
  const cases = prepareConformance().filter((c) => !c.error && !(c.name in cXfail));
  expect(cases.length).toBeGreaterThan(100);
  const res = await runCBatch(cases.map((c) => ({ graph: c.graph!, inputs: [c.inputs!] })), { target: 'host', sanitize: true });
  const problems: string[] = [];
  cases.forEach((c, k) => {
    for (const o of c.graph!.outputs) {
      const d = compareExact(res[k][0][o], c.interp![o]);
      if (d) problems.push(`${c.name}/${o}: ${d}`);
    }
  });
  expect(problems).toEqual([]);
});

// temporary: host-only check of a subset (env OPS=regex)
import { runGraph } from '../ops/engine/interpreter';
import { runCBatch } from '../targets/host/run';
import { compareExact } from './support/host-c-conformance';
import { buildCase, checkInterpreter } from './support/op-cases/harness';
import { OP_CASES } from './support/op-cases';
test('quick', async () => {
  const re = new RegExp(process.env.OPS ?? '.');
  const built = OP_CASES.filter((c) => re.test(c.name)).map(buildCase);
  const problems: string[] = [];
  for (const b of built) { const p = await checkInterpreter(b); if (p) problems.push(`${b.c.name}: ${p}`); }
  const res = await runCBatch(built.map((b) => ({ graph: b.graph, inputs: [b.inputs] })), { target: 'host' });
  built.forEach((b, k) => { const i = runGraph(b.graph, b.inputs); for (const o of b.graph.outputs) { const p = compareExact(res[k][0][o], i[o]); if (p) problems.push(`C ${b.c.name}: ${p}`); } });
  expect(problems).toEqual([]);
}, 600000);

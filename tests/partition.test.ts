// Partitioning into same-device segments: chains, a residual block with one branch on the CPU,
// a diamond where grouping same-device nodes naively would create a cycle, random DAGs.
import { Graph, Node } from '../core/ir/graph';
import { Segment, countTransitions, partition, segmentEdges } from '../placement/partition';
import type { Device } from '../placement/cost-model';
import { graph, node, rng } from './passes-helpers';

function dag(spec: [string, string[], Device][], outputs: string[]): { g: Graph; dev: Record<string, Device> } {
  const nodes: Node[] = spec.map(([name, ins]) => node('Relu', ins, [name], {}, '', name));
  const g = graph({ inputs: [['x', 'int8', [1, 4]]], outputs, nodes });
  return { g, dev: Object.fromEntries(spec.map(([n, , d]) => [n, d])) };
}

/** Every node once; each segment's inputs come from graph inputs or earlier segments; acyclic. */
function checkSegments(g: Graph, segs: readonly Segment[], dev: Record<string, Device>): void {
  const all = segs.flatMap((s) => s.nodes);
  expect([...all].sort()).toEqual(g.nodes.map((n) => n.name).sort());
  const byName = new Map(g.nodes.map((n) => [n.name, n]));
  const available = new Set(g.inputs);
  segs.forEach((s, k) => {
    expect(s.id).toBe(k);
    for (const n of s.nodes) {
      expect(dev[n]).toBe(s.device);
      for (const i of byName.get(n)!.inputs) expect(available.has(i)).toBe(true);
      for (const o of byName.get(n)!.outputs) available.add(o);
    }
    for (const i of s.inputs) expect(s.nodes.some((n) => byName.get(n)!.inputs.includes(i))).toBe(true);
  });
  for (const [a, b] of segmentEdges(segs)) expect(a).toBeLessThan(b); // forward edges only: acyclic
  // Consecutive segments alternate devices (a segment only closes when its device runs dry).
  for (let k = 1; k < segs.length; k++) expect(segs[k].device).not.toBe(segs[k - 1].device);
}

test('a chain gives one segment per run of same-device nodes, with the tensors between them', () => {
  const { g, dev } = dag([['a', ['x'], 'npu'], ['b', ['a'], 'npu'], ['c', ['b'], 'cpu'], ['d', ['c'], 'cpu'], ['e', ['d'], 'npu']], ['e']);
  const segs = partition(g, dev);
  checkSegments(g, segs, dev);
  expect(segs.map((s) => [s.device, s.nodes, s.inputs, s.outputs])).toEqual([
    ['npu', ['a', 'b'], ['x'], ['b']],
    ['cpu', ['c', 'd'], ['b'], ['d']],
    ['npu', ['e'], ['d'], ['e']],
  ]);
  expect(countTransitions(segs)).toBe(2);
  // All on one device: one segment.
  const one = partition(g, Object.fromEntries(Object.keys(dev).map((k) => [k, 'npu' as Device])));
  expect(one).toHaveLength(1);
  expect(one[0]).toEqual({ id: 0, device: 'npu', nodes: ['a', 'b', 'c', 'd', 'e'], inputs: ['x'], outputs: ['e'] });
});

test('a residual block with one branch on the CPU', () => {
  // a → b(cpu) → c(cpu) → add ; a → add (skip) ; add → d
  const { g, dev } = dag([['a', ['x'], 'npu'], ['b', ['a'], 'cpu'], ['c', ['b'], 'cpu'], ['add', ['c', 'a'], 'npu'], ['d', ['add'], 'npu']], ['d']);
  const segs = partition(g, dev);
  checkSegments(g, segs, dev);
  expect(segs.map((s) => s.nodes)).toEqual([['a'], ['b', 'c'], ['add', 'd']]);
  expect(segs[0].outputs).toEqual(['a']);          // read by the CPU branch and by the add
  expect(segs[2].inputs).toEqual(['c', 'a']);      // the skip crosses two segments
});

test('a diamond where grouping same-device nodes naively would create a cycle', () => {
  // A → B → D on the NPU, A → C → D with C on the CPU: {A,B,D} and {C} would depend on each other.
  const { g, dev } = dag([['A', ['x'], 'npu'], ['B', ['A'], 'npu'], ['C', ['A'], 'cpu'], ['D', ['B', 'C'], 'npu']], ['D']);
  const segs = partition(g, dev);
  checkSegments(g, segs, dev);
  expect(segs.map((s) => [s.device, s.nodes])).toEqual([['npu', ['A', 'B']], ['cpu', ['C']], ['npu', ['D']]]);
  expect(segs[2].inputs).toEqual(['B', 'C']);
});

test('independent branches are batched by device (fewer transitions than graph order)', () => {
  // Graph order alternates devices, but the two branches are independent: 2 segments suffice.
  const { g, dev } = dag([['n1', ['x'], 'npu'], ['c1', ['x'], 'cpu'], ['n2', ['n1'], 'npu'], ['c2', ['c1'], 'cpu'], ['j', ['n2', 'c2'], 'cpu']], ['j']);
  const segs = partition(g, dev);
  checkSegments(g, segs, dev);
  expect(segs.map((s) => s.nodes)).toEqual([['n1', 'n2'], ['c1', 'c2', 'j']]);
});

test('random DAGs: always valid, acyclic, alternating, and never more switches than graph order', () => {
  const r = rng(7);
  for (let trial = 0; trial < 200; trial++) {
    const n = 2 + Math.floor(r(0, 30));
    const spec: [string, string[], Device][] = [];
    for (let i = 0; i < n; i++) {
      const ins = new Set<string>();
      const k = 1 + Math.floor(r(0, 3));
      for (let j = 0; j < k; j++) ins.add(i === 0 || r(0, 1) < 0.1 ? 'x' : `v${Math.floor(r(0, i))}`);
      spec.push([`v${i}`, [...ins], r(0, 1) < 0.5 ? 'npu' : 'cpu']);
    }
    const { g, dev } = dag(spec, [`v${n - 1}`]);
    const segs = partition(g, dev);
    checkSegments(g, segs, dev);
    let runs = 1;
    for (let i = 1; i < n; i++) if (dev[`v${i}`] !== dev[`v${i - 1}`]) runs++;
    expect(segs.length).toBeLessThanOrEqual(runs);
  }
});

test('a node without a device is an error naming it', () => {
  const { g } = dag([['a', ['x'], 'npu']], ['a']);
  expect(() => partition(g, {})).toThrow("partition: node 'a' has no device");
});

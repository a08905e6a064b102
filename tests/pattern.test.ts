// The graph pattern matcher (core/ir/pattern.ts) and the QDQ pieces built on it
// (passes/qdq-patterns.ts): what matches, what is captured, and what must not match.
import { Graph, Node } from '../core/ir/graph';
import { P, firstRule, matchNode, patternGraph } from '../core/ir/pattern';
import { LAYER_INPUT_DQS, LAYER_OUTPUT_Q, dequantize, quantize, tableChain } from '../passes/qdq-patterns';
import { graph, node, scalar } from './passes-helpers';

/** x(int8) -> DQ -> [ops...] -> Q -> y, with constant per-tensor parameters. */
function qdqChain(ops: string[], extra: Node[] = [], outputs = ['y']): Graph {
  const nodes: Node[] = [node('DequantizeLinear', ['x', 's', 'z'], ['t0'], {}, '', 'dq')];
  ops.forEach((op, i) => nodes.push(node(op, [`t${i}`], [`t${i + 1}`], {}, '', `${op.toLowerCase()}${i}`)));
  nodes.push(node('QuantizeLinear', [`t${ops.length}`, 's', 'z'], ['y'], {}, '', 'q'), ...extra);
  return graph({
    inputs: [['x', 'int8', [1, 4]]], outputs,
    nodes, inits: { s: scalar('float32', 0.1), z: scalar('int8', 0) },
  });
}

const LUT = quantize(tableChain(dequantize('dq', { exclusive: true })));
const at = (g: Graph, name: string): Node => g.nodes.find((n) => n.name === name)!;

describe('pattern matcher', () => {
  it('matches a chain of table links down to the DequantizeLinear, links in data-flow order', () => {
    const g = qdqChain(['Relu', 'Sigmoid', 'Tanh']);
    const m = matchNode(patternGraph(g), LUT, at(g, 'q'));
    expect(m).toBeDefined();
    expect(m!.node('dq').name).toBe('dq');
    expect(m!.all('links').map((n) => n.op)).toEqual(['Relu', 'Sigmoid', 'Tanh']);
    expect(m!.tensor('dq.x')).toBe('x');
  });

  it('needs at least one link, and only table links (Softmax is none)', () => {
    const pg = (g: Graph) => patternGraph(g);
    const none = qdqChain([]);
    expect(matchNode(pg(none), LUT, at(none, 'q'))).toBeUndefined();
    const soft = qdqChain(['Relu', 'Softmax']);
    expect(matchNode(pg(soft), LUT, at(soft, 'q'))).toBeUndefined();
  });

  it('does not absorb a tensor another node reads, or a graph output', () => {
    const shared = qdqChain(['Relu', 'Sigmoid'], [node('Neg', ['t1'], ['u'], {}, '', 'other')], ['y', 'u']);
    expect(matchNode(patternGraph(shared), LUT, at(shared, 'q'))).toBeUndefined();
    const out = qdqChain(['Relu'], [], ['y', 't1']);
    expect(matchNode(patternGraph(out), LUT, at(out, 'q'))).toBeUndefined();
    // The DQ is exclusive in LUT; without that flag a shared DQ is fine.
    const dqShared = qdqChain(['Relu'], [node('Neg', ['t0'], ['u'], {}, '', 'other')], ['y', 'u']);
    expect(matchNode(patternGraph(dqShared), LUT, at(dqShared, 'q'))).toBeUndefined();
    const loose = quantize(tableChain(dequantize('dq')));
    expect(matchNode(patternGraph(dqShared), loose, at(dqShared, 'q'))?.all('links').map((n) => n.name)).toEqual(['relu0']);
  });

  it('P.or tries alternatives in order and keeps only the successful one\'s captures', () => {
    const g = qdqChain(['Relu']);
    const pg = patternGraph(g);
    const core = P.op('Relu', { name: 'core', src: [P.op('Conv', { name: 'never' })] });
    const pat = quantize(P.or(core, P.op('Relu', { name: 'relu', src: [dequantize('d')] })));
    const m = matchNode(pg, pat, at(g, 'q'))!;
    expect(m.maybe('core')).toBeUndefined();
    expect(m.maybe('never')).toBeUndefined();
    expect(m.node('relu').name).toBe('relu0');
    expect(m.node('d').name).toBe('dq');
  });

  it('srcAll captures every input; P.opt matches where it can', () => {
    const g = graph({
      inputs: [['a', 'int8', [1, 2]], ['b', 'float32', [1, 2]]], outputs: ['y'],
      nodes: [
        node('DequantizeLinear', ['a', 's', 'z'], ['da'], {}, '', 'dqa'),
        node('Concat', ['da', 'b'], ['c'], { axis: 1 }, '', 'cat'),
        node('QuantizeLinear', ['c', 's', 'z'], ['y'], {}, '', 'q'),
      ],
      inits: { s: scalar('float32', 0.5), z: scalar('int8', 0) },
    });
    const pg = patternGraph(g);
    expect(matchNode(pg, P.op('Concat', { srcAll: dequantize('x') }), at(g, 'cat'))).toBeUndefined();
    const layer = matchNode(pg, LAYER_INPUT_DQS, at(g, 'cat'))!;
    expect(layer.all('dq').map((n) => n.name)).toEqual(['dqa']);
    expect(matchNode(pg, LAYER_OUTPUT_Q, at(g, 'q'))!.node('core').name).toBe('cat');
    // A Q right after a DQ has no layer core.
    const qdq = qdqChain([]);
    expect(matchNode(patternGraph(qdq), LAYER_OUTPUT_Q, at(qdq, 'q'))).toBeUndefined();
  });

  it('a rule table takes the first rule whose handler gives a value', () => {
    const g = qdqChain(['Relu']);
    const rules = [
      { name: 'declines', pattern: LUT, apply: () => undefined },
      { name: 'takes', pattern: LUT, apply: (m: { all(n: string): Node[] }) => m.all('links').length },
    ];
    const r = firstRule(patternGraph(g), rules, at(g, 'q'), {});
    expect(r?.rule.name).toBe('takes');
    expect(r?.value).toBe(1);
    expect(firstRule(patternGraph(g), rules, at(g, 'dq'), {})).toBeUndefined();
  });
});

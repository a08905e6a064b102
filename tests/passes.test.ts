// Validator, text dump, pass manager and the structural passes (shape inference, constant
// folding, remove-identity, dead code), each checked for structure and, through the reference
// interpreter, for unchanged numbers.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { HsqError } from '../core/diagnostics';
import { Graph } from '../core/ir/graph';
import { makeTensor } from '../core/ir/tensor';
import { graphToText } from '../core/ir/text';
import { validateGraph } from '../ops/engine/validate';
import { runGraph } from '../ops/engine/interpreter';
import { Pass, runPipeline } from '../passes/pass-manager';
import { foldConstants } from '../passes/constant-folding';
import { removeDeadCode } from '../passes/dead-code';
import { corePipeline, listPasses } from '../passes/pipeline';
import { removeIdentity } from '../passes/remove-identity';
import { inferShapes } from '../passes/shape-inference';
import { f32, graph, i64, node, ops, randT, rng, scalar } from './passes-helpers';

function thrown(fn: () => unknown): HsqError {
  try { fn(); } catch (e) { if (e instanceof HsqError) return e; throw e; }
  throw new Error('expected an HsqError');
}

/** y = Relu(x + b) with an Identity in the middle: a graph every pass can chew on. */
function small(): Graph {
  return graph({
    inputs: [['x', 'float32', [1, 4]]],
    outputs: ['y'],
    inits: { b: f32([4], [1, -2, 3, -4]) },
    nodes: [node('Add', ['x', 'b'], ['s']), node('Identity', ['s'], ['t']), node('Relu', ['t'], ['y'])],
  });
}

describe('validateGraph', () => {
  it('accepts a well-formed graph and, after shape inference, with infos required and strict', () => {
    validateGraph(small());
    validateGraph(inferShapes(small()), { strict: true });
  });

  it('names the node reading an undefined tensor', () => {
    const g = { ...small(), nodes: [node('Relu', ['nope'], ['y'], {}, '', 'r0')] };
    const e = thrown(() => validateGraph(g));
    expect(e.message).toMatch(/node 'r0' reads 'nope'/);
    expect(e.subject).toBe('r0');
  });

  it('detects nodes out of topological order', () => {
    const g = small();
    const e = thrown(() => validateGraph({ ...g, nodes: [g.nodes[2], g.nodes[0], g.nodes[1]] }));
    expect(e.message).toMatch(/before node .* produces it/);
  });

  it('detects a tensor produced twice and an undefined graph output', () => {
    const g = small();
    expect(thrown(() => validateGraph({ ...g, nodes: [...g.nodes, node('Relu', ['x'], ['s'], {}, '', 'dup')] })).message).toMatch(/'dup' produces 's'.*already produced/);
    expect(thrown(() => validateGraph({ ...g, outputs: ['zz'] })).message).toMatch(/graph output 'zz' is never produced/);
  });

  it('requires infos once asked, and checks strict inference against them', () => {
    expect(thrown(() => validateGraph(small(), { requireInfos: true })).message).toMatch(/output of node .* has no shape/);
    const g = inferShapes(small());
    const bad = { ...g, tensors: { ...g.tensors, s: { ...g.tensors.s, shape: [1, 5] } } };
    expect(thrown(() => validateGraph(bad, { strict: true })).message).toMatch(/'s' is recorded as float32\[1,5\] but infers as float32\[1,4\]/);
  });

  it('checks quantization parameters against the tensor', () => {
    const g = inferShapes(small());
    const q = { name: 'w', dtype: 'int8' as const, shape: [3, 2], quant: { scale: [0.1, 0.2], zeroPoint: [0, 0], axis: 0, bits: 4, signed: true, narrow: false } };
    const e = thrown(() => validateGraph({ ...g, tensors: { ...g.tensors, w: q } }));
    expect(e.message).toMatch(/tensor 'w': 2 scales but axis 0 of shape \[3,2\] needs 3/);
    const z = { ...q, quant: { ...q.quant, scale: [0.1, 0.2, 0.3], zeroPoint: [0, 9, 0] } };
    expect(thrown(() => validateGraph({ ...g, tensors: { ...g.tensors, w: z } })).message).toMatch(/zero point 9/);
    validateGraph({ ...g, tensors: { ...g.tensors, w: { ...z, quant: { ...z.quant, zeroPoint: [0, 7, -8] } } } });
  });
});

describe('graphToText', () => {
  it('prints one deterministic line per node with shapes, quant and attributes', () => {
    const g = inferShapes(graph({
      inputs: [['x', 'float32', [1, 4]]], outputs: ['q'],
      inits: { s: scalar('float32', 0.1), z: scalar('int8', -3) },
      nodes: [node('QuantizeLinear', ['x', 's', 'z'], ['q'], { saturate: 1 }, '', 'quant')],
    }));
    const withQ = { ...g, tensors: { ...g.tensors, q: { ...g.tensors.q, quant: { scale: [0.1], zeroPoint: [-3], bits: 4, signed: true, narrow: true } } } };
    const text = graphToText(withQ);
    expect(text).toContain('quant = QuantizeLinear(x, s, z) -> q : int8[1,4] q(0.1,-3,s4,narrow) {saturate=1}');
    expect(text).toContain('init   s : float32[] = 0.1');
    expect(text).toContain('input  x : float32[1,4]');
    expect(graphToText(withQ)).toBe(text);
  });
});

describe('runPipeline', () => {
  const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'hsq-pm-'));

  it('runs passes in order and dumps text and ONNX after the asked ones', () => {
    const dir = tmp();
    const out = runPipeline(small(), corePipeline, { dumpAfter: ['remove-identity', 'dead-code'], dumpDir: dir, strict: true });
    expect(ops(out)).toEqual(['Add', 'Relu']);
    const files = fs.readdirSync(dir).sort();
    expect(files).toEqual(['02-remove-identity.onnx', '02-remove-identity.txt', '06-dead-code.onnx', '06-dead-code.txt', '12-dead-code.onnx', '12-dead-code.txt']);
    expect(fs.readFileSync(path.join(dir, '02-remove-identity.txt'), 'utf8')).not.toContain('Identity');
    expect(fs.statSync(path.join(dir, '02-remove-identity.onnx')).size).toBeGreaterThan(20);
  });

  it('rejects an unknown pass name in dumpAfter, listing the valid ones', () => {
    const e = thrown(() => runPipeline(small(), corePipeline, { dumpAfter: ['fold-bn'], dumpDir: tmp() }));
    expect(e.kind).toBe('bad-input');
    expect(e.message).toMatch(/no pass named 'fold-bn'.*lower-qonnx, remove-identity, shape-inference/);
  });

  it('validates after every pass and names the pass that broke the graph', () => {
    const broken: Pass = { name: 'breaker', description: 'drops the first node', run: (g) => ({ ...g, nodes: g.nodes.slice(1) }) };
    const e = thrown(() => runPipeline(small(), [broken]));
    expect(e.message).toMatch(/^pass breaker: node .* reads 's'/);
    expect(() => runPipeline(small(), [broken], { validate: false })).not.toThrow();
  });

  it('lists every pass once with a one-line description', () => {
    const l = listPasses();
    expect(l.map((p) => p.name)).toEqual(['lower-qonnx', 'remove-identity', 'shape-inference', 'constant-folding', 'dead-code', 'fold-weight-movement', 'fold-batchnorm', 'qdq-recognition', 'fuse-activation', 'fold-float-weights']);
    for (const p of l) expect(p.description).toMatch(/^[^\n]{10,120}$/);
  });
});

describe('shape-inference', () => {
  it('fills infos for every node output and initializer', () => {
    const g = inferShapes(small());
    for (const t of ['s', 't', 'y', 'b']) expect(g.tensors[t]).toMatchObject({ dtype: 'float32', shape: [t === 'b' ? 4 : 1, 4].slice(t === 'b' ? 1 : 0) });
  });

  it('names a graph input with a dynamic dim and says how to fix it', () => {
    const g = small();
    const dyn = { ...g, tensors: { ...g.tensors, x: { name: 'x', dtype: 'float32' as const, shape: [-1, 4], dimParams: ['batch', undefined] } } };
    const e = thrown(() => inferShapes(dyn));
    expect(e.kind).toBe('bad-shape');
    expect(e.subject).toBe('x');
    expect(e.message).toMatch(/graph input 'x' has dynamic dims \[batch,4\].*--input-shape x=1,4/);
    expect(e.message).toContain('--input-shape NAME=1,3,224,224');
  });

  it('lists every unsupported op at once', () => {
    const g = graph({
      inputs: [['x', 'float32', [2]]], outputs: ['c'],
      nodes: [node('Frobnicate', ['x'], ['a'], {}, '', 'f1'), node('Relu', ['a'], ['b']), node('Wibble', ['b'], ['c'], {}, 'acme', 'w1'), node('Frobnicate', ['c'], ['d'], {}, '', 'f2')],
    });
    const e = thrown(() => inferShapes(g));
    expect(e.kind).toBe('unsupported');
    expect(e.message).toMatch(/Frobnicate \(nodes 'f1', 'f2'\); acme.Wibble \(node 'w1'\)/);
  });
});

describe('constant-folding', () => {
  /** x.view(x.size(0), -1) as PyTorch exports it: Shape → Gather → Unsqueeze → Concat → Reshape. */
  function torchFlatten(): Graph {
    return graph({
      inputs: [['x', 'float32', [2, 3, 4]]], outputs: ['y'],
      inits: { idx: scalar('int64', 0), ax: i64([0]), minus1: i64([-1]) },
      nodes: [
        node('Shape', ['x'], ['shp']),
        node('Gather', ['shp', 'idx'], ['n'], { axis: 0 }),
        node('Unsqueeze', ['n', 'ax'], ['n1']),
        node('Concat', ['n1', 'minus1'], ['newshape'], { axis: 0 }),
        node('Reshape', ['x', 'newshape'], ['r']),
        node('Relu', ['r'], ['y']),
      ],
    });
  }

  it('collapses the Shape→Gather→Unsqueeze→Concat→Reshape chain and keeps the numbers', () => {
    const g0 = torchFlatten();
    const g = removeDeadCode(inferShapes(foldConstants(inferShapes(g0))));
    expect(ops(g)).toEqual(['Reshape', 'Relu']);
    const shape = g.initializers[g.nodes[0].inputs[1]];
    expect(shape.dtype).toBe('int64');
    expect(Array.from(shape.data, Number)).toEqual([2, -1]);
    expect(g.tensors.y.shape).toEqual([2, 12]);
    const x = randT(rng(1), [2, 3, 4]);
    expect(Array.from(runGraph(g, { x }).y.data)).toEqual(Array.from(runGraph(g0, { x }).y.data));
    validateGraph(g, { strict: true });
  });

  it('folds float constant subgraphs but keeps DequantizeLinear of integer weights', () => {
    const g0 = graph({
      inputs: [['x', 'float32', [2]]], outputs: ['y', 'z'],
      inits: { a: f32([2], [1, 2]), b: f32([2], [3, 4]), w: makeTensor('int8', [2], [5, -6]), s: scalar('float32', 0.5), zp: scalar('int8', 0) },
      nodes: [
        node('Mul', ['a', 'b'], ['ab']),
        node('Add', ['x', 'ab'], ['y']),
        node('DequantizeLinear', ['w', 's', 'zp'], ['wf']),
        node('Mul', ['x', 'wf'], ['z']),
      ],
    });
    const g = removeDeadCode(foldConstants(inferShapes(g0)));
    expect(ops(g)).toEqual(['Add', 'DequantizeLinear', 'Mul']);
    expect(Array.from(g.initializers.ab.data)).toEqual([3, 8]);
    const x = f32([2], [0.25, -1]);
    const [a, b] = [runGraph(g0, { x }), runGraph(g, { x })];
    expect(Array.from(b.y.data)).toEqual(Array.from(a.y.data));
    expect(Array.from(b.z.data)).toEqual(Array.from(a.z.data));
  });

  it('leaves a ConstantOfShape that would exceed 64 MiB', () => {
    const g0 = graph({
      inputs: [['x', 'float32', [1]]], outputs: ['y'],
      inits: { shp: i64([4096, 8192]) },
      nodes: [node('ConstantOfShape', ['shp'], ['big']), node('Mul', ['big', 'x'], ['y'])],
    });
    const g = foldConstants(g0);
    expect(ops(g)).toEqual(['ConstantOfShape', 'Mul']);
    expect(g.initializers.big).toBeUndefined();
  });
});

describe('remove-identity', () => {
  it('rewires readers and keeps graph output names', () => {
    const g0 = graph({
      inputs: [['x', 'float32', [3]]], outputs: ['out', 'a2'],
      nodes: [
        node('Relu', ['x'], ['a']),
        node('Identity', ['a'], ['a2']), // a2 is a graph output → Relu's output renamed
        node('Dropout', ['a2'], ['d'], { ratio: 0.5 }),
        node('Neg', ['d'], ['n']),
        node('Identity', ['n'], ['out']),
      ],
    });
    const g = removeIdentity(g0);
    expect(ops(g)).toEqual(['Relu', 'Neg']);
    expect(g.nodes[0].outputs).toEqual(['a2']);
    expect(g.nodes[1].inputs).toEqual(['a2']);
    expect(g.nodes[1].outputs).toEqual(['out']);
    expect(g.outputs).toEqual(['out', 'a2']);
    validateGraph(g);
    const x = f32([3], [-1, 2, -3]);
    const [a, b] = [runGraph(g0, { x }), runGraph(g, { x })];
    expect(Array.from(b.out.data)).toEqual(Array.from(a.out.data));
    expect(Array.from(b.a2.data)).toEqual(Array.from(a.a2.data));
  });

  it('keeps an Identity from a graph input to a graph output, and a Dropout whose mask is read', () => {
    const g0 = graph({
      inputs: [['x', 'float32', [3]]], outputs: ['y', 'm'],
      nodes: [node('Identity', ['x'], ['y']), node('Dropout', ['x'], ['d', 'm'])],
    });
    expect(ops(removeIdentity(g0))).toEqual(['Identity', 'Dropout']);
  });
});

describe('dead-code', () => {
  it('removes unread nodes, initializers and infos but keeps runtime inputs', () => {
    const g0 = inferShapes(graph({
      inputs: [['x', 'float32', [2]], ['unused', 'float32', [2]]], outputs: ['y'],
      inits: { c: f32([2], [1, 2]), orphan: f32([1], [0]) },
      nodes: [node('Add', ['x', 'c'], ['y']), node('Mul', ['x', 'c'], ['dead1']), node('Neg', ['dead1'], ['dead2'])],
    }));
    const g = removeDeadCode(g0);
    expect(ops(g)).toEqual(['Add']);
    expect(Object.keys(g.initializers)).toEqual(['c']);
    expect(g.inputs).toEqual(['x', 'unused']);
    expect(g.tensors.dead1).toBeUndefined();
    expect(g.tensors.dead2).toBeUndefined();
    expect(removeDeadCode(g)).toBe(g);
  });
});

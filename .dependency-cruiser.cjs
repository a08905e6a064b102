// The layering rule of docs/architecture.md, checked by tests/layering.test.ts: a file in one
// layer (a top-level folder listed in docs/layers.json, in flow order) imports only from its own
// layer and the layers before it, and no import cycle exists anywhere.
const layers = require('./docs/layers.json');

const forbidden = [
  {
    name: 'no-circular',
    comment: 'an import cycle: the layers are a flow, not a web',
    severity: 'error',
    from: {},
    to: { circular: true },
  },
  {
    name: 'no-unresolvable',
    comment: 'an import that resolves to no file (a stale path after a move)',
    severity: 'error',
    from: {},
    to: { couldNotResolve: true },
  },
  {
    // A second loader (jest's module registry) binds ORT's native addon to one test file's realm;
    // every later file in that jest worker then fails ORT's typed-array checks (CI saw it).
    name: 'ort-only-through-verify-ort',
    comment: 'onnxruntime-node is loaded by verify/ort.ts alone: use its runOrt/openOrt',
    severity: 'error',
    from: { pathNot: '^verify/ort[.]ts$' },
    to: { path: '(^|/)node_modules/onnxruntime-node/', dependencyTypesNot: ['type-only'] },
  },
  ...layers.map((layer, i) => ({
    name: `${layer}-imports-later-layer`,
    comment: `${layer}/ may import only from ${layers.slice(0, i + 1).join(', ')}`,
    severity: 'error',
    from: { path: `^${layer}/` },
    to: { path: `^(${layers.slice(i + 1).join('|') || '$^'})/` },
  })),
];

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    // node_modules stays in the graph as leaves (doNotFollow) so the onnxruntime-node rule sees it.
    exclude: { path: '^dist/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // require() and import() count like static imports: no stepping around the rule at run time.
    moduleSystems: ['cjs', 'es6'],
  },
};

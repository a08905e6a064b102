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
    exclude: { path: '(^|/)(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // require() and import() count like static imports: no stepping around the rule at run time.
    moduleSystems: ['cjs', 'es6'],
  },
};

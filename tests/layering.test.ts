// The layering rule (docs/architecture.md): each layer of docs/layers.json imports only from
// itself and the layers before it, and nothing imports in a cycle. dependency-cruiser checks it
// with the repo's .dependency-cruiser.cjs; a fixture shows the check can fail.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');
const DEPCRUISE = path.join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

interface Violation { rule: { name: string }; from: string; to: string; cycle?: { name: string }[] }

function cruise(dir: string, folders: string[]): Violation[] {
  const r = spawnSync(process.execPath, [DEPCRUISE, '--config', '.dependency-cruiser.cjs', '--output-type', 'json', ...folders], { cwd: dir, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (!r.stdout) throw new Error(`dependency-cruiser failed: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

const layers = JSON.parse(fs.readFileSync(path.join(ROOT, 'docs/layers.json'), 'utf8')) as string[];

describe('layering', () => {
  it('no layer imports a later layer, and there is no import cycle', () => {
    const v = cruise(ROOT, layers);
    expect(v.map((x) => `${x.rule.name}: ${x.from} -> ${x.to}`)).toEqual([]);
  });

  it('every top-level TypeScript folder outside bench/examples/tests is a layer', () => {
    const tsconfig = JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8')) as { include: string[] };
    const folders = tsconfig.include.map((p) => p.split('/')[0]).filter((f) => !['bench', 'examples', 'tests'].includes(f));
    expect([...new Set(folders)].sort()).toEqual([...layers].sort());
    for (const entry of fs.readdirSync(ROOT, { withFileTypes: true })) {
      if (!entry.isDirectory() || ['node_modules', 'dist', 'bench', 'examples', 'tests', '.git'].includes(entry.name) || entry.name.startsWith('.')) continue;
      const hasTs = (d: string): boolean => fs.readdirSync(d, { withFileTypes: true }).some((e) => (e.isDirectory() ? hasTs(path.join(d, e.name)) : e.name.endsWith('.ts')));
      if (hasTs(path.join(ROOT, entry.name))) expect(layers).toContain(entry.name);
    }
  });

  it('onnxruntime-node is loaded by verify/ort.ts alone, in tests, benches and examples too', () => {
    // Two loaders in one jest worker bind ORT's native addon to one test file's realm, and ORT's
    // typed-array checks then fail in every later file of that worker.
    const v = cruise(ROOT, [...layers, 'tests', 'bench', 'examples']).filter((x) => x.rule.name === 'ort-only-through-verify-ort');
    expect(v.map((x) => `${x.from} -> ${x.to}`)).toEqual([]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsq-ort-rule-'));
    try {
      fs.mkdirSync(path.join(dir, 'docs'));
      fs.writeFileSync(path.join(dir, 'docs/layers.json'), JSON.stringify(['low']));
      fs.copyFileSync(path.join(ROOT, '.dependency-cruiser.cjs'), path.join(dir, '.dependency-cruiser.cjs'));
      fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'commonjs' } }));
      fs.mkdirSync(path.join(dir, 'low'));
      fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
      fs.writeFileSync(path.join(dir, 'low/t.ts'), "export const ort = () => require('onnxruntime-node');\n");
      expect(cruise(dir, ['low']).map((x) => x.rule.name)).toContain('ort-only-through-verify-ort');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the check fails on an upward import and on a cycle (fixture)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsq-layers-'));
    try {
      fs.mkdirSync(path.join(dir, 'docs'));
      fs.writeFileSync(path.join(dir, 'docs/layers.json'), JSON.stringify(['low', 'high']));
      fs.copyFileSync(path.join(ROOT, '.dependency-cruiser.cjs'), path.join(dir, '.dependency-cruiser.cjs'));
      fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'commonjs' } }));
      for (const d of ['low', 'high']) fs.mkdirSync(path.join(dir, d));
      fs.writeFileSync(path.join(dir, 'high/h.ts'), "import { l } from '../low/l';\nexport const h = l + 1;\n");
      // Upward: low imports high, at run time through require.
      fs.writeFileSync(path.join(dir, 'low/l.ts'), "export const l = 1;\nexport function up(): number { return require('../high/h').h; }\n");
      // A cycle inside one layer.
      fs.writeFileSync(path.join(dir, 'low/a.ts'), "import { b } from './b';\nexport const a = () => b();\n");
      fs.writeFileSync(path.join(dir, 'low/b.ts'), "import { a } from './a';\nexport const b = () => a;\n");
      const v = cruise(dir, ['low', 'high']);
      const names = v.map((x) => `${x.rule.name}: ${x.from} -> ${x.to}`);
      expect(names).toContain('low-imports-later-layer: low/l.ts -> high/h.ts');
      expect(names.some((n) => n.startsWith('no-circular: low/a.ts'))).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

// The options every command shares with `hsq compile` (driver/commands/compile-options.ts), the
// checks of every choice (exit 2, one plain line), `--json` error objects, and `hsq run --random`.
// The CLI as a user runs it: bin/hsq.js in a child process (npm test builds first).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { COMPILE_OPTIONS } from '../driver/commands/compile-options';
import { plainArgumentError } from '../driver/cli';
import { qdqSmallCnn } from './verify-fixtures';

const BIN = path.resolve(__dirname, '../bin/hsq.js');
function hsq(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, HSQ_DEBUG: '' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsq-cli-options-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const small = qdqSmallCnn();
const QDQ = path.join(dir, 'small_qdq.onnx'), FLOAT = path.join(dir, 'small_float.onnx');
fs.writeFileSync(QDQ, small.qdq);
fs.writeFileSync(FLOAT, small.float);

describe('compile\'s options, defined once, reach run, verify and eval', () => {
  test('every option of compile but -o is in the help of run, verify and eval', () => {
    const flags = Object.keys(COMPILE_OPTIONS);
    expect(flags).toEqual(expect.arrayContaining(['target', 'config', 'calib', 'precision', 'force-npu', 'input-shape', 'input-format', 'api-layout']));
    for (const cmd of ['compile', 'run', 'verify', 'eval']) {
      const help = hsq(cmd, '--help').out;
      for (const f of flags) expect([cmd, f, help.includes(`--${f}`)]).toEqual([cmd, f, true]);
    }
  });

  test('a float model for stm32n6 without calibration: compile\'s error, from verify, run and eval too (exit 2)', () => {
    const msg = /^hsq: error: the model is float: give --calib .* --target stm32n6\n$/;
    for (const args of [
      ['compile', FLOAT, '--target', 'stm32n6', '-o', path.join(dir, 'never')],
      ['verify', FLOAT, '--target', 'stm32n6', '--random', '1'],
      ['run', FLOAT, '--target', 'stm32n6', '--random', '1', '-o', path.join(dir, 'never')],
      ['eval', FLOAT, '--target', 'stm32n6', '--data', 'x.npy', '--labels', 'y.npy'],
    ]) {
      const r = hsq(...args);
      expect([args[0], r.code, r.err]).toEqual([args[0], 2, expect.stringMatching(msg)]);
    }
    // The config's target is read as compile reads it.
    const cfg = path.join(dir, 'n6.json');
    fs.writeFileSync(cfg, JSON.stringify({ target: 'stm32n6' }));
    expect(hsq('verify', FLOAT, '--config', cfg, '--random', '1').err).toMatch(msg);
    expect(fs.existsSync(path.join(dir, 'never'))).toBe(false);
  });

  test('verify --calib checks what compile --calib builds: ORT runs hsq\'s QDQ quantization, every layer within the gate', () => {
    const r = hsq('verify', FLOAT, '--calib', 'random', '--random', '2', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.ok).toBe(true);
    expect(j.notes.join('\n')).toMatch(/hsq's quantization of the float model/);
    expect(j.layerSummary.withOrtFigure).toBe(j.layerSummary.layers);
    // A precision only compile's options can ask for changes what verify checks.
    const w4 = JSON.parse(hsq('verify', FLOAT, '--calib', 'random', '--precision', 'conv2=w4a8', '--random', '1', '--per-layer', '--json').out);
    expect(w4.layers.find((l: { name: string }) => l.name === 'conv2').precision).toBe('w4a8');
  });
});

describe('every choice checked, errors plain, --json errors', () => {
  test('--target foo: exit 2 from every command that takes it, before the model is read', () => {
    const model = path.join(dir, 'absent.onnx');
    for (const args of [
      ['compile', model, '--target', 'foo', '-o', path.join(dir, 'o')],
      ['verify', model, '--target', 'foo', '--random', '1'],
      ['run', model, '--target', 'foo', '--random', '1', '-o', path.join(dir, 'o')],
      ['eval', model, '--target', 'foo', '--data', 'x', '--labels', 'y'],
    ]) {
      const r = hsq(...args);
      expect([args[0], r.code, r.err]).toEqual([args[0], 2, 'hsq: error: --target "foo": no such target (targets: host, cortex-m55, stm32n6)\n']);
    }
  });

  test('a bad choice is one plain line (no escaped newline), exit 2', () => {
    for (const args of [['verify', QDQ, '--engine', 'foo', '--random', '1'], ['compile', QDQ, '--api-layout', 'hwcn', '-o', 'x'], ['eval', QDQ, '--engine', 'gpu', '--data', 'x', '--labels', 'y']]) {
      const r = hsq(...args);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/^hsq: error: --(engine|api-layout) "[a-z]+": expected one of [a-z, ]+\n$/);
      expect(r.err).not.toContain('\\x0a');
    }
    for (const args of [['verify', QDQ, '--random', '1', '--seed', 'abc'], ['run', QDQ, '--random', '1', '--seed', '1.5', '-o', path.join(dir, 'o')], ['verify', QDQ, '--random', 'two']]) {
      const r = hsq(...args);
      expect([args.join(' '), r.code, r.err]).toEqual([args.join(' '), 2, expect.stringMatching(/^hsq: error: --(seed|random) [^\n]*\n$/)]);
    }
    expect(plainArgumentError('Invalid values:\n  Argument: engine, Given: "foo", Choices: "interpreter", "c"')).toEqual({ message: '--engine "foo": expected one of interpreter, c', subject: '--engine' });
    expect(plainArgumentError('Missing required argument: o')).toEqual({ message: 'missing -o', subject: '-o' });
  });

  test('--json: a JSON error object on stdout for every command', () => {
    for (const args of [
      ['compile', QDQ, '--target', 'foo', '-o', 'x', '--json'],
      ['verify', QDQ, '--target', 'foo', '--random', '1', '--json'],
      ['run', QDQ, '--json', '-o', path.join(dir, 'o')],
      ['eval', path.join(dir, 'absent.onnx'), '--data', 'x', '--labels', 'y', '--json'],
      ['inspect', path.join(dir, 'absent.onnx'), '--json'],
      ['verify', QDQ, '--engine', 'foo', '--json'],
    ]) {
      const r = hsq(...args);
      expect(r.code).toBe(2);
      const j = JSON.parse(r.out);
      expect(Object.keys(j).sort()).toEqual(['error', 'kind', 'ok', 'subject']);
      expect(j.ok).toBe(false);
      expect(r.err.trim()).toBe(`hsq: error: ${j.error}`);
    }
  });
});

describe('hsq run --random N --seed S', () => {
  test('seeded inputs written beside the outputs; the same seed the same outputs; --inputs OUT replays them', () => {
    const a = path.join(dir, 'ra'), b = path.join(dir, 'rb'), c = path.join(dir, 'rc'), re = path.join(dir, 'replay');
    expect(hsq('run', QDQ, '--random', '1', '--seed', '5', '-o', a).code).toBe(0);
    expect(hsq('run', QDQ, '--random', '1', '--seed', '5', '-o', b).code).toBe(0);
    expect(hsq('run', QDQ, '--random', '1', '--seed', '6', '-o', c).code).toBe(0);
    expect(fs.readdirSync(a).sort()).toEqual(['input_0.pb', 'output_0.pb']);
    const out = (d: string) => fs.readFileSync(path.join(d, 'output_0.pb'));
    expect(out(a).equals(out(b))).toBe(true);
    expect(out(a).equals(out(c))).toBe(false);
    expect(hsq('run', QDQ, '--inputs', a, '-o', re, '--engine', 'c').code).toBe(0);
    expect(out(re).equals(out(a))).toBe(true);
    const bad = hsq('run', QDQ, '--random', '0', '-o', a);
    expect(bad.code).toBe(2);
    // --random 2 --seed 5: test_data_set_0 is seed 5, test_data_set_1 seed 6.
    const many = path.join(dir, 'many');
    expect(hsq('run', QDQ, '--random', '2', '--seed', '5', '-o', many).code).toBe(0);
    expect(fs.readdirSync(many).sort()).toEqual(['test_data_set_0', 'test_data_set_1']);
    expect(out(path.join(many, 'test_data_set_0')).equals(out(a))).toBe(true);
    expect(out(path.join(many, 'test_data_set_1')).equals(out(c))).toBe(true);
  });
});

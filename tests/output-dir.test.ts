import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { HsqError } from '../core/diagnostics';
import { writeOutputDir, writeFileAtomic, OUTPUT_MARKER } from '../core/output-dir';

let root: string;
beforeEach(() => { root = fs.mkdtempSync(path.join(os.tmpdir(), 'hsq-outdir-')); });
afterEach(() => { fs.rmSync(root, { recursive: true, force: true }); });

/** Every entry below dir with its bytes, sorted: equal snapshots mean identical trees. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) { out[r + '/'] = 'dir'; walk(path.join(d, e.name), r); }
      else out[r] = fs.readFileSync(path.join(d, e.name)).toString('hex');
    }
  };
  walk(dir, '');
  return out;
}

function catchErr(f: () => void): HsqError {
  try { f(); } catch (e) { expect(e).toBeInstanceOf(HsqError); return e as HsqError; }
  throw new Error('expected an error');
}

const failAt = (stage: string, file?: string) => ({
  faultHook: (s: string, f?: string) => { if (s === stage && (file === undefined || f === file)) throw new Error(`injected fault at ${s} ${f ?? ''}`); },
});

describe('writeOutputDir', () => {
  test('creates the directory with exactly the files and the marker', () => {
    const out = path.join(root, 'build');
    writeOutputDir(out, { 'model.c': 'int x;\n', 'segments/seg0.onnx': new Uint8Array([1, 2, 3]) });
    const snap = snapshot(out);
    expect(Object.keys(snap).sort()).toEqual([OUTPUT_MARKER, 'model.c', 'segments/', 'segments/seg0.onnx']);
    expect(fs.readFileSync(path.join(out, 'model.c'), 'utf8')).toBe('int x;\n');
    expect([...fs.readFileSync(path.join(out, 'segments/seg0.onnx'))]).toEqual([1, 2, 3]);
    expect(fs.readdirSync(root)).toEqual(['build']);  // no temp or backup left beside it
  });

  test('a second run replaces the contents: old files are removed', () => {
    const out = path.join(root, 'build');
    writeOutputDir(out, { 'a.c': 'old', 'sub/b.h': 'old' });
    writeOutputDir(out, { 'c.c': 'new' });
    expect(snapshot(out)).toEqual({ [OUTPUT_MARKER]: expect.any(String), 'c.c': Buffer.from('new').toString('hex') });
    expect(fs.readdirSync(root)).toEqual(['build']);
  });

  test('creates missing parents', () => {
    const out = path.join(root, 'x', 'y', 'build');
    writeOutputDir(out, { 'a.c': '1' });
    expect(fs.readFileSync(path.join(out, 'a.c'), 'utf8')).toBe('1');
  });

  test('an existing empty directory is taken over', () => {
    const out = path.join(root, 'build');
    fs.mkdirSync(out);
    writeOutputDir(out, { 'a.c': '1' });
    expect(fs.existsSync(path.join(out, OUTPUT_MARKER))).toBe(true);
  });

  describe('failures leave OUT exactly as it was', () => {
    let out: string;
    let before: Record<string, string>;
    beforeEach(() => {
      out = path.join(root, 'build');
      writeOutputDir(out, { 'model.c': 'old model', 'segments/seg0.onnx': new Uint8Array([9, 9]) });
      before = snapshot(root);
    });

    test('fault while writing the second file', () => {
      const e = catchErr(() => writeOutputDir(out, { 'a.c': 'new', 'b.c': 'new' }, failAt('write', 'b.c')));
      expect(e.message).toMatch(/injected fault/);
      expect(snapshot(root)).toEqual(before);
    });

    test('a file that cannot be written (name too long)', () => {
      const e = catchErr(() => writeOutputDir(out, { 'a.c': 'new', ['n'.repeat(300) + '.c']: 'x' }));
      expect(e.kind).toBe('bad-input');
      expect(e.subject).toBe(out);
      expect(snapshot(root)).toEqual(before);
    });

    test('fault after everything is written, before the swap', () => {
      catchErr(() => writeOutputDir(out, { 'a.c': 'new' }, failAt('commit')));
      expect(snapshot(root)).toEqual(before);
    });

    test('fault after OUT was moved aside: rolled back', () => {
      catchErr(() => writeOutputDir(out, { 'a.c': 'new' }, failAt('swap')));
      expect(snapshot(root)).toEqual(before);
    });

    test('bad keys are refused before anything is touched', () => {
      for (const key of ['../evil.c', 'a/../../evil.c', '/etc/passwd', 'C:\\x.c', '', OUTPUT_MARKER]) {
        const e = catchErr(() => writeOutputDir(out, { [key]: 'x' }));
        expect(e.kind).toBe('bad-input');
        expect(e.subject).toBe(key);
      }
      expect(catchErr(() => writeOutputDir(out, { 'a/b.c': 'x', 'a//b.c': 'y' })).message).toMatch(/same file/);
      expect(catchErr(() => writeOutputDir(out, { 'seg': 'x', 'seg/a.onnx': 'y' })).message).toMatch(/also a directory/);
      expect(snapshot(root)).toEqual(before);
    });
  });

  test('a nonexistent OUT stays nonexistent on failure, with no created parents left', () => {
    const out = path.join(root, 'p', 'q', 'build');
    catchErr(() => writeOutputDir(out, { 'a.c': '1', 'b.c': '2' }, failAt('write', 'b.c')));
    catchErr(() => writeOutputDir(out, { 'a.c': '1' }, failAt('commit')));
    expect(fs.readdirSync(root)).toEqual([]);
  });

  test("refuses a user's non-empty directory and leaves it alone", () => {
    const out = path.join(root, 'mine');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'thesis.tex'), 'precious');
    const before = snapshot(root);
    const e = catchErr(() => writeOutputDir(out, { 'a.c': '1' }));
    expect(e.kind).toBe('bad-input');
    expect(e.subject).toBe(out);
    expect(e.message).toMatch(/not empty and was not written by hsq/);
    expect(snapshot(root)).toEqual(before);
  });

  test('refuses when OUT is a file or a symbolic link', () => {
    const f = path.join(root, 'file');
    fs.writeFileSync(f, 'x');
    expect(catchErr(() => writeOutputDir(f, { 'a.c': '1' })).message).toMatch(/not a directory/);
    const d = path.join(root, 'real');
    writeOutputDir(d, { 'a.c': '1' });
    fs.symlinkSync(d, path.join(root, 'link'));
    expect(catchErr(() => writeOutputDir(path.join(root, 'link'), { 'a.c': '2' })).message).toMatch(/symbolic link/);
    expect(fs.readFileSync(f, 'utf8')).toBe('x');
    expect(fs.readFileSync(path.join(d, 'a.c'), 'utf8')).toBe('1');
  });

  test('refuses a directory that holds the current directory', () => {
    expect(catchErr(() => writeOutputDir(process.cwd(), { 'a.c': '1' })).message).toMatch(/current directory/);
  });
});

describe('writeFileAtomic', () => {
  test('writes and replaces a file, leaving nothing beside it', () => {
    const f = path.join(root, 'out', 'model.onnx');
    writeFileAtomic(f, new Uint8Array([1, 2]));
    writeFileAtomic(f, 'text');
    expect(fs.readFileSync(f, 'utf8')).toBe('text');
    expect(fs.readdirSync(path.dirname(f))).toEqual(['model.onnx']);
  });

  test('a failure leaves the old file untouched and no temp file', () => {
    const f = path.join(root, 'model.onnx');
    fs.writeFileSync(f, 'old');
    catchErr(() => writeFileAtomic(f, 'new', failAt('commit')));
    expect(fs.readFileSync(f, 'utf8')).toBe('old');
    expect(fs.readdirSync(root)).toEqual(['model.onnx']);
  });

  test('a failure with a missing file leaves no file and no created directory', () => {
    catchErr(() => writeFileAtomic(path.join(root, 'a', 'b.onnx'), 'new', failAt('write')));
    expect(fs.readdirSync(root)).toEqual([]);
  });

  test('refuses a directory', () => {
    fs.mkdirSync(path.join(root, 'd'));
    expect(catchErr(() => writeFileAtomic(path.join(root, 'd'), 'x')).kind).toBe('bad-input');
  });
});

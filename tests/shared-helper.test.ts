// tests/support/shared.ts: the shared data folder comes from HSQ_SHARED, else ../shared; an
// HSQ_SHARED that names no folder means "absent" (so a clone without the data can be tried on a
// machine that has it), and the reporter counts what was skipped.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SHARED_MARK, sharedDir, sharedPath } from './support/shared';

const Reporter = require('./support/skip-reporter.js');

describe('shared data helper', () => {
  const saved = process.env.HSQ_SHARED;
  afterEach(() => { if (saved === undefined) delete process.env.HSQ_SHARED; else process.env.HSQ_SHARED = saved; });

  test('HSQ_SHARED naming a folder is used; naming nothing is absent; paths point inside it or nowhere', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsq-shared-'));
    try {
      process.env.HSQ_SHARED = dir;
      expect(sharedDir()).toBe(dir);
      expect(sharedPath('models', 'x.onnx')).toBe(path.join(dir, 'models', 'x.onnx'));
      process.env.HSQ_SHARED = path.join(dir, 'nonexistent');
      expect(sharedDir()).toBeUndefined();
      expect(fs.existsSync(path.dirname(sharedPath('models')))).toBe(false);
      fs.writeFileSync(path.join(dir, 'file'), '');
      process.env.HSQ_SHARED = path.join(dir, 'file');
      expect(sharedDir()).toBeUndefined();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the reporter counts suites with tests skipped for want of ../shared, and writes the line for .ci/run', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hsq-skip-')), 'summary');
    const env = process.env.HSQ_SKIP_SUMMARY;
    process.env.HSQ_SKIP_SUMMARY = out;
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      new Reporter().onRunComplete(undefined, { testResults: [
        { testFilePath: '/r/tests/a.test.ts', testResults: [{ status: 'pending', fullName: `x ${SHARED_MARK}` }, { status: 'pending', fullName: `y ${SHARED_MARK}` }] },
        { testFilePath: '/r/tests/b.test.ts', testResults: [{ status: 'passed', fullName: 'z' }, { status: 'pending', fullName: 'skipped for another reason' }] },
        { testFilePath: '/r/tests/c.test.ts', testResults: [{ status: 'pending', fullName: `w ${SHARED_MARK}` }] },
      ] });
    } finally {
      write.mockRestore();
      if (env === undefined) delete process.env.HSQ_SKIP_SUMMARY; else process.env.HSQ_SKIP_SUMMARY = env;
    }
    expect(fs.readFileSync(out, 'utf8')).toMatch(/^shared data: 2 suites skipped 3 tests that need \.\.\/shared .*: a\.test\.ts, c\.test\.ts\n$/);
  });
});

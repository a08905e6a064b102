// Where the tests find ../shared (ONNX backend node tests, real third-party models, MNIST digits):
// the folder named by HSQ_SHARED, else ../shared beside the repository. A clone without it still
// passes: the suites that need it register a skipped test (marked SHARED_MARK, counted by
// tests/support/skip-reporter.js at the end of the run) and print one line saying what and why.
// An HSQ_SHARED that names no folder counts as absent, so HSQ_SHARED=/nonexistent tries a clone
// without the data on a machine that has it.
import * as fs from 'fs';
import * as path from 'path';

/** Appended to the title of every test skipped for want of ../shared; the reporter counts them. */
export const SHARED_MARK = '[needs ../shared]';

const BESIDE = path.resolve(__dirname, '../../../shared');

/** The shared data folder, or undefined when there is none. */
export function sharedDir(): string | undefined {
  const env = process.env.HSQ_SHARED;
  const dir = env !== undefined && env !== '' ? path.resolve(env) : BESIDE;
  return fs.existsSync(dir) && fs.statSync(dir).isDirectory() ? dir : undefined;
}

/** Why there is no shared folder (for the skip line). */
function absentReason(): string {
  const env = process.env.HSQ_SHARED;
  return env ? `HSQ_SHARED=${env} is not a folder` : `HSQ_SHARED unset and ${BESIDE} not found`;
}

/**
 * A path inside the shared folder. Without one it points into a folder that does not exist, so
 * module-level constants can be built unconditionally; only code under describeShared/testShared
 * reads them.
 */
export function sharedPath(...parts: string[]): string {
  return path.join(sharedDir() ?? path.join(BESIDE, '.absent'), ...parts);
}

export const haveShared = (): boolean => sharedDir() !== undefined;

let announced = false;
function announce(what: string): void {
  if (announced) return;
  announced = true;
  const file = path.basename(expect.getState().testPath ?? 'a test file');
  // One line on stderr (console.log in jest adds a stack trace).
  process.stderr.write(`skip: ${file}: ${what} (needs ../shared: ${absentReason()})\n`);
}

/** describe(what, fn) when the shared folder is there; otherwise one skipped test and one line. */
export function describeShared(what: string, fn: () => void): void {
  if (haveShared()) {
    describe(what, fn);
    return;
  }
  announce(what);
  test.skip(`${what} ${SHARED_MARK}`, () => undefined);
}

/** test(name, fn) when the shared folder is there; otherwise a skipped test and (once a file) a line. */
export function testShared(name: string, fn: () => unknown, timeout?: number): void {
  if (haveShared()) {
    test(name, fn as jest.ProvidesCallback, timeout);
    return;
  }
  announce(name);
  test.skip(`${name} ${SHARED_MARK}`, () => undefined);
}

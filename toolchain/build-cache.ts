// What the engines' cached builds share: content hashes (cache keys), the compiler's identity,
// child processes, a parallel pool, and files that appear whole or not at all (a cache shared by
// parallel test workers never holds half an object).
import { spawn, spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** Cache key: sha-256 of the parts (each ended by NUL, so ['ab', 'c'] ≠ ['a', 'bc']), 32 hex digits. */
export function sha(...parts: (string | Uint8Array)[]): string {
  const h = crypto.createHash('sha256');
  for (const p of parts) { h.update(typeof p === 'string' ? p : Buffer.from(p)); h.update('\0'); }
  return h.digest('hex').slice(0, 32);
}

const versions = new Map<string, string | undefined>();
/** First line of `cmd --version` (part of every cache key), undefined when cmd does not run. */
export function toolVersion(cmd: string): string | undefined {
  if (!versions.has(cmd)) {
    const r = spawnSync(cmd, ['--version'], { encoding: 'utf8' });
    versions.set(cmd, r.error || r.status !== 0 ? undefined : r.stdout.split('\n')[0]);
  }
  return versions.get(cmd);
}

/** A name part no other process or call uses: pid and random bytes. */
export function uniqueSuffix(): string {
  return `${process.pid}.${crypto.randomBytes(4).toString('hex')}`;
}

/**
 * Makes `file` unless it exists: `make` writes a temporary sibling with the same extension
 * (gcc names its .su after it), which is then renamed into place.
 */
export async function buildOnce(file: string, make: (tmp: string) => Promise<void>): Promise<string> {
  if (fs.existsSync(file)) return file;
  const ext = path.extname(file);
  const tmp = `${file.slice(0, file.length - ext.length)}.${uniqueSuffix()}${ext || '.tmp'}`;
  await make(tmp);
  fs.renameSync(tmp, file);
  return file;
}

export interface CmdResult {
  /** Exit code, null when killed (by the timeout or a signal). */
  readonly code: number | null;
  /** stdout and stderr interleaved. */
  readonly out: string;
  readonly stdout: string;
  readonly timedOut: boolean;
}

/** Runs a command asynchronously (builds run in parallel), killed after timeoutMs if given. */
export function runCmd(cmd: string, args: string[], cwd: string, timeoutMs?: number): Promise<CmdResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', stdout = '', timedOut = false;
    const timer = timeoutMs ? setTimeout(() => { timedOut = true; p.kill('SIGKILL'); }, timeoutMs) : undefined;
    p.stdout.on('data', (d) => { out += d; stdout += d; });
    p.stderr.on('data', (d) => { out += d; });
    p.on('error', (e) => { if (timer) clearTimeout(timer); reject(e); });
    p.on('close', (code) => { if (timer) clearTimeout(timer); resolve({ code, out, stdout, timedOut }); });
  });
}

/** Runs the tasks, at most n at a time (default: one per CPU); results in task order. */
export async function pool<T>(tasks: (() => Promise<T>)[], n = Math.max(1, os.cpus().length)): Promise<T[]> {
  const res: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => { while (next < tasks.length) { const i = next++; res[i] = await tasks[i](); } };
  await Promise.all(Array.from({ length: Math.min(n, tasks.length) }, worker));
  return res;
}

/** `cc flags -c dir/file -o obj`, with dir on the include paths of C and of the assembler (.incbin). */
export async function compileC(cc: string, flags: readonly string[], dir: string, file: string, obj: string): Promise<void> {
  const r = await runCmd(cc, [...flags, '-I', dir, `-Wa,-I${dir}`, '-c', path.join(dir, file), '-o', obj], dir);
  if (r.code !== 0) throw new Error(`C compile of ${file} failed (${cc} ${flags.join(' ')}), sources in ${dir}:\n${r.out.slice(0, 8000)}`);
}

/** `cc args`; a failure throws `what` failed with the linker's messages. */
export async function linkC(cc: string, args: readonly string[], cwd: string, what = 'link'): Promise<void> {
  const r = await runCmd(cc, [...args], cwd);
  if (r.code !== 0) throw new Error(`${what} failed:\n${r.out.slice(0, 8000)}`);
}

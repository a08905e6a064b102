// hsq owns its output directory: every run replaces it whole, or leaves it exactly as it was.
// Files are written into a sibling temp dir (same parent, so renames stay on one filesystem and
// are atomic), then swapped in: OUT → backup, temp → OUT, backup removed; any failure rolls back.
import * as fs from 'fs';
import * as path from 'path';
import { randomBytes } from 'crypto';
import { HsqError } from './diagnostics';

/** Marker file that says a directory is hsq's to replace. */
export const OUTPUT_MARKER = '.hsq-output';
const MARKER_TEXT = 'This directory is written by hsq. hsq replaces its whole contents on every run.\n';

export type OutputFiles = Record<string, string | Uint8Array>;

/**
 * Points where tests can inject a failure: before each file is written ('write'), after all are
 * written ('commit'), after the old OUT has been moved aside and before the new one moves in
 * ('swap').
 */
export type FaultStage = 'write' | 'commit' | 'swap';
export interface WriteOptions {
  /** Called before each step; throwing simulates a failure there (tests only). */
  readonly faultHook?: (stage: FaultStage, file?: string) => void;
}

const tempName = (dir: string, base: string, kind: string) =>
  path.join(dir, `.${base}.hsq-${kind}-${process.pid}-${randomBytes(4).toString('hex')}`);

function wrap(e: unknown, what: string, subject: string): HsqError {
  if (e instanceof HsqError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new HsqError('bad-input', `cannot write ${what}: ${msg}`, subject);
}

function lstatOrNull(p: string): fs.Stats | null {
  try { return fs.lstatSync(p); } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** Validated relative key → normalized POSIX path. */
function checkKeys(files: OutputFiles): string[] {
  const seen = new Map<string, string>();
  for (const key of Object.keys(files)) {
    const parts = key.split(/[\\/]/);
    if (key === '' || path.isAbsolute(key) || path.win32.isAbsolute(key) || parts.some((p) => p === '..'))
      throw new HsqError('bad-input', `output file name '${key}' must be a relative path without '..'`, key);
    const norm = parts.filter((p) => p !== '' && p !== '.').join('/');
    if (norm === '') throw new HsqError('bad-input', `output file name '${key}' names no file`, key);
    if (norm === OUTPUT_MARKER) throw new HsqError('bad-input', `output file name '${key}' is reserved for hsq's marker`, key);
    const prev = seen.get(norm);
    if (prev !== undefined) throw new HsqError('bad-input', `output file names '${prev}' and '${key}' name the same file`, key);
    seen.set(norm, key);
  }
  // A file cannot also be a directory of another file.
  for (const norm of seen.keys()) {
    const parts = norm.split('/');
    for (let k = 1; k < parts.length; k++) {
      const dir = parts.slice(0, k).join('/');
      if (seen.has(dir)) throw new HsqError('bad-input', `output file '${seen.get(dir)}' is also a directory of '${seen.get(norm)}'`, seen.get(norm));
    }
  }
  return [...seen.keys()];
}

/** Create missing parents; returns the topmost directory created (to remove on failure). */
function makeParents(dir: string): string | undefined {
  return fs.mkdirSync(dir, { recursive: true }) ?? undefined;
}

/**
 * The checks on OUT alone, without writing anything: callers run it before any work starts, so a
 * folder hsq may not replace is refused at once rather than after the compile (writeOutputDir
 * runs it again). Returns OUT's stats, or null when it does not exist.
 */
export function checkOutputDir(outDir: string): fs.Stats | null {
  const out = path.resolve(outDir);
  const parent = path.dirname(out);
  if (parent === out) throw new HsqError('bad-input', `output directory '${outDir}' is the filesystem root`, outDir);
  const cwd = process.cwd();
  if (cwd === out || cwd.startsWith(out + path.sep))
    throw new HsqError('bad-input', `output directory '${outDir}' contains the current directory; choose another`, outDir);
  let existing: fs.Stats | null;
  try { existing = lstatOrNull(out); } catch (e) { throw wrap(e, `output directory '${outDir}'`, outDir); }
  if (existing) {
    if (existing.isSymbolicLink()) throw new HsqError('bad-input', `output directory '${outDir}' is a symbolic link; give the real path`, outDir);
    if (!existing.isDirectory()) throw new HsqError('bad-input', `output '${outDir}' exists and is not a directory`, outDir);
    let entries: string[];
    try { entries = fs.readdirSync(out); } catch (e) { throw wrap(e, `output directory '${outDir}'`, outDir); }
    if (entries.length > 0 && !entries.includes(OUTPUT_MARKER))
      throw new HsqError('bad-input', `output directory '${outDir}' is not empty and was not written by hsq (no ${OUTPUT_MARKER}); remove it or choose another`, outDir);
  }
  return existing;
}

/**
 * Replace `outDir` with exactly `files` (plus the marker). On any error `outDir` is left as it
 * was (or absent if it was absent) and an HsqError is thrown. Refuses to replace a file, a
 * symbolic link, or a non-empty directory without hsq's marker.
 */
export function writeOutputDir(outDir: string, files: OutputFiles, opts: WriteOptions = {}): void {
  const hook = opts.faultHook ?? (() => {});
  const out = path.resolve(outDir);
  const parent = path.dirname(out);
  const base = path.basename(out);
  const existing = checkOutputDir(outDir);
  const keys = checkKeys(files);
  const norm = new Map(Object.keys(files).map((k) => [k.split(/[\\/]/).filter((p) => p !== '' && p !== '.').join('/'), k]));

  let createdParent: string | undefined;
  let tmp: string | undefined;
  try {
    createdParent = makeParents(parent);
    tmp = tempName(parent, base, 'tmp');
    fs.mkdirSync(tmp);
    for (const rel of keys) {
      hook('write', norm.get(rel));
      const dest = path.join(tmp, ...rel.split('/'));
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      fs.writeFileSync(dest, files[norm.get(rel)!]);
    }
    fs.writeFileSync(path.join(tmp, OUTPUT_MARKER), MARKER_TEXT);
    hook('commit');
  } catch (e) {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    if (createdParent) fs.rmSync(createdParent, { recursive: true, force: true });
    throw wrap(e, `output directory '${outDir}'`, outDir);
  }

  if (!existing) {
    try { fs.renameSync(tmp, out); } catch (e) {
      fs.rmSync(tmp, { recursive: true, force: true });
      if (createdParent) fs.rmSync(createdParent, { recursive: true, force: true });
      throw wrap(e, `output directory '${outDir}'`, outDir);
    }
    return;
  }
  const backup = tempName(parent, base, 'old');
  try { fs.renameSync(out, backup); } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw wrap(e, `output directory '${outDir}'`, outDir);
  }
  try {
    hook('swap');
    fs.renameSync(tmp, out);
  } catch (e) {
    fs.renameSync(backup, out);  // roll back; a failure here is not recoverable by us
    fs.rmSync(tmp, { recursive: true, force: true });
    throw wrap(e, `output directory '${outDir}'`, outDir);
  }
  // The new output is in place; a leftover backup is only litter.
  try { fs.rmSync(backup, { recursive: true, force: true }); } catch { /* ignore */ }
}

/**
 * Write one file atomically: a temp file beside it, then rename over it. Used for single-file
 * outputs (`--emit-onnx`, `hsq annotate -o`). On error the old file is untouched.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array, opts: WriteOptions = {}): void {
  const hook = opts.faultHook ?? (() => {});
  const dest = path.resolve(file);
  const dir = path.dirname(dest);
  let st: fs.Stats | null;
  try { st = lstatOrNull(dest); } catch (e) { throw wrap(e, `'${file}'`, file); }
  if (st && st.isDirectory()) throw new HsqError('bad-input', `output '${file}' is a directory`, file);
  let createdParent: string | undefined;
  let tmp: string | undefined;
  try {
    createdParent = makeParents(dir);
    tmp = tempName(dir, path.basename(dest), 'tmp');
    hook('write', file);
    fs.writeFileSync(tmp, data, { flag: 'wx' });
    hook('commit');
    fs.renameSync(tmp, dest);
  } catch (e) {
    if (tmp) fs.rmSync(tmp, { force: true });
    if (createdParent) fs.rmSync(createdParent, { recursive: true, force: true });
    throw wrap(e, `'${file}'`, file);
  }
}

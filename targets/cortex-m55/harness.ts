// Run generated kernels on the emulated Cortex-M55: one ELF for many kernels, inputs and
// outputs exchanged as host files through semihosting, instructions counted with SysTick
// under -icount shift=0. Used by tests/m55-*.test.ts and bench/kernels.ts.
import * as fs from 'fs';
import * as path from 'path';
import { buildM55, runQemu, type M55Source } from '../../toolchain/qemu';
import { CORTEX_M55 } from './target';
import { writeArraysAsm } from './kernels/arrays';
import type { GeneratedKernel } from './kernels/types';

export interface HarnessCase {
  kernel: GeneratedKernel;
  input: Int8Array;
  /** Compile this kernel's portable scalar path (-U__ARM_FEATURE_MVE) in an MVE build. */
  scalarPath?: boolean;
}

export interface HarnessResult {
  outputs: Uint8Array[];
  /** Executed instructions of each kernel call (SysTick ticks x 31.25). */
  instructions: number[];
  stdout: string;
  elf: string;
}

export interface HarnessOptions {
  dir: string;
  scalar?: boolean;
  opt?: '-O2' | '-Os';
  timeoutMs?: number;
}

/** Names of the functions the harness calls right before and after each kernel call: the
 *  region a block-counting QEMU plugin measures (bench/cycles). */
export const REGION_MARKERS = { begin: 'hsq_region_begin', end: 'hsq_region_end' } as const;

/** Build one ELF calling every case's kernel once (inputs from, outputs to files in o.dir). */
export function buildKernelHarness(cases: HarnessCase[], o: HarnessOptions): string {
  fs.mkdirSync(o.dir, { recursive: true });
  const sources: M55Source[] = [];
  const asm: string[] = [];
  const maxX = Math.max(16, ...cases.map((c) => c.kernel.inputBytes));
  const maxY = Math.max(16, ...cases.map((c) => c.kernel.outputBytes));
  const maxS = Math.max(16, ...cases.map((c) => c.kernel.scratchBytes));
  const names = new Set<string>();
  cases.forEach((c, i) => {
    if (names.has(c.kernel.fn)) throw new Error(`harness: duplicate kernel name ${c.kernel.fn}`);
    names.add(c.kernel.fn);
    if (c.input.length !== c.kernel.inputBytes) throw new Error(`harness: case ${i} input has ${c.input.length} bytes, expected ${c.kernel.inputBytes}`);
    const src = path.join(o.dir, `${c.kernel.fn}.c`);
    fs.writeFileSync(src, c.kernel.source);
    sources.push(c.scalarPath ? { file: src, flags: ['-U__ARM_FEATURE_MVE'] } : src);
    asm.push(writeArraysAsm(c.kernel.arrays, o.dir));
    fs.writeFileSync(path.join(o.dir, `case${i}.x`), c.input);
    fs.rmSync(path.join(o.dir, `case${i}.y`), { force: true });
  });
  const asmFile = path.join(o.dir, 'arrays.S');
  fs.writeFileSync(asmFile, asm.join('\n'));
  const big = maxX + maxY + maxS > 256 * 1024 ? ' __attribute__((section(".hsq_big")))' : '';
  const main = [
    '#include <stdio.h>',
    '#include <stdint.h>',
    '#include <string.h>',
    '#include "hsq_m55.h"',
    ...cases.map((c) => `${c.kernel.prototype};`),
    `static int8_t xbuf[${maxX}] __attribute__((aligned(16)))${big};`,
    `static int8_t ybuf[${maxY}] __attribute__((aligned(16)))${big};`,
    `static int8_t sbuf[${maxS}] __attribute__((aligned(16)))${big};`,
    'static int io(const char *name, void *buf, size_t n, int write) {',
    '  FILE *f = fopen(name, write ? "wb" : "rb");',
    '  if (!f) { printf("HSQ_ERROR cannot open %s\\n", name); return 1; }',
    '  size_t k = write ? fwrite(buf, 1, n, f) : fread(buf, 1, n, f);',
    '  fclose(f);',
    '  if (k != n) { printf("HSQ_ERROR short %s on %s\\n", write ? "write" : "read", name); return 1; }',
    '  return 0;',
    '}',
    '/* Markers of the timed region for the cycle estimator (bench/cycles): a QEMU plugin counts the',
    ' * blocks executed between their calls. noipa keeps them out of line and apart. */',
    `__attribute__((noipa)) void ${REGION_MARKERS.begin}(void) { __asm volatile("" ::: "memory"); }`,
    `__attribute__((noipa)) void ${REGION_MARKERS.end}(void) { __asm volatile("nop" ::: "memory"); }`,
    'int main(void) {',
    '  uint64_t t0, t1;',
    ...cases.flatMap((c, i) => {
      const k = c.kernel;
      const yT = k.prototype.includes('uint8_t *y') ? 'uint8_t' : 'int8_t';
      return [
        `  if (io("case${i}.x", xbuf, ${k.inputBytes}, 0)) return 3;`,
        `  memset(ybuf, 0x5a, ${k.outputBytes});`,
        '  hsq_m55_counter_start();',
        '  t0 = hsq_m55_counter_read();',
        `  ${REGION_MARKERS.begin}();`,
        `  ${k.fn}(xbuf, (${yT} *)ybuf, ${k.scratchBytes ? 'sbuf' : '0'});`,
        `  ${REGION_MARKERS.end}();`,
        '  t1 = hsq_m55_counter_read();',
        `  printf("HSQ_TICKS ${i} %llu\\n", (unsigned long long)(t1 - t0));`,
        `  if (io("case${i}.y", ybuf, ${k.outputBytes}, 1)) return 4;`,
      ];
    }),
    '  printf("HSQ_DONE\\n");',
    '  return 0;',
    '}',
  ].join('\n');
  const mainFile = path.join(o.dir, 'main.c');
  fs.writeFileSync(mainFile, main);
  return buildM55([mainFile, ...sources, asmFile], [], { opt: o.opt ?? '-O2', scalar: o.scalar, out: path.join(o.dir, 'app.elf') });
}

/** Outputs and instruction counts of a harness run (its stdout and the files in `dir`). */
export function readHarnessResult(cases: HarnessCase[], dir: string, elf: string, stdout: string, exitCode: number | null, stderr = ''): HarnessResult {
  if (exitCode !== 0 || !stdout.includes('HSQ_DONE')) throw new Error(`M55 harness exited with ${exitCode}:\n${stdout}\n${stderr}`);
  const instructions = cases.map((_, i) => {
    const m = new RegExp(`HSQ_TICKS ${i} (\\d+)`).exec(stdout);
    if (!m) throw new Error(`harness: no tick count for case ${i}`);
    return Number(m[1]) * CORTEX_M55.counter.instructionsPerTick;
  });
  const outputs = cases.map((_, i) => new Uint8Array(fs.readFileSync(path.join(dir, `case${i}.y`))));
  return { outputs, instructions, stdout, elf };
}

/** Build one ELF calling every case's kernel once, run it, read back the outputs. */
export function runKernelsOnM55(cases: HarnessCase[], o: HarnessOptions): HarnessResult {
  const elf = buildKernelHarness(cases, o);
  const r = runQemu(elf, { icount: true, timeoutMs: o.timeoutMs ?? 300000, cwd: o.dir });
  if (r.timedOut) throw new Error(`QEMU timed out after ${o.timeoutMs ?? 300000} ms; output so far:\n${r.stdout}`);
  return readHarnessResult(cases, o.dir, elf, r.stdout, r.exitCode, r.stderr);
}

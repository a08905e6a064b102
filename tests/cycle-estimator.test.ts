// The cycle estimator (bench/cycles): the QEMU block-counting plugin, llvm-mca per block and the
// weighting, checked on loops whose cost is known: the 20-cycle w8 loop (loads back to
// back, then the MACs), a counted loop ending in a taken branch, and a tail-predicated loop
// (QEMU ends a block after VPST, so the estimator must stitch the VPT block back together).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildM55 } from '../toolchain/qemu';
import { parseBlockFile, runCountingBlocks, symbolAddresses } from '../bench/cycles/blocks';
import { estimateSegments } from '../bench/cycles/estimate';
import { m55Suite } from './support/m55-tools';

const { maybe, require: requireTools } = m55Suite('cycle-estimator', true);

test('plugin output parses into segments', () => {
  const segs = parseBlockFile('seg 0 0\n80 12 5 100 99\nc0 4 2 1 0\nseg 1 0\n80 12 5 3 2\n');
  expect(segs).toEqual([
    { run: 0, seg: 0, blocks: [{ start: 0x80, bytes: 12, insns: 5, count: 100, taken: 99 }, { start: 0xc0, bytes: 4, insns: 2, count: 1, taken: 0 }] },
    { run: 1, seg: 0, blocks: [{ start: 0x80, bytes: 12, insns: 5, count: 3, taken: 2 }] },
  ]);
  expect(() => parseBlockFile('80 12 5 1 0\n')).toThrow(/bad line/);
});

const PROGRAM = `
#include <stdio.h>
#include <stdint.h>
__attribute__((noipa)) void hsq_region_begin(void) { __asm volatile("" ::: "memory"); }
__attribute__((noipa)) void hsq_region_end(void) { __asm volatile("nop" ::: "memory"); }
static int8_t buf[64] __attribute__((aligned(16)));

/* The issue's w8 inner loop: five loads, then six VMLADAVAs (20 cycles an iteration). */
__attribute__((noipa)) static int issue_loop(const int8_t *p) {
  int32_t a = 0, b = 0, c = 0, d = 0, e = 0, f = 0;
  __asm volatile(
    "mov lr, #1000\\n dls lr, lr\\n"
    "1:\\n"
    "vldrb.u8 q0, [%[p]]\\n vldrb.u8 q1, [%[p], #16]\\n vldrb.u8 q2, [%[p], #32]\\n"
    "vldrb.u8 q3, [%[p], #48]\\n vldrb.u8 q4, [%[p], #8]\\n"
    "vmladava.s8 %[a], q2, q0\\n vmladava.s8 %[b], q3, q0\\n vmladava.s8 %[c], q4, q0\\n"
    "vmladava.s8 %[d], q2, q1\\n vmladava.s8 %[e], q3, q1\\n vmladava.s8 %[f], q4, q1\\n"
    "le lr, 1b\\n"
    : [a] "+Te"(a), [b] "+Te"(b), [c] "+Te"(c), [d] "+Te"(d), [e] "+Te"(e), [f] "+Te"(f) : [p] "r"(p) : "q0", "q1", "q2", "q3", "q4", "lr", "memory");
  return a + b + c + d + e + f;
}

/* A counted loop closed by a conditional branch: taken 999 times, not taken once. */
__attribute__((noipa)) static int branch_loop(int n) {
  int s = 0;
  __asm volatile("1:\\n add %[s], %[s], #3\\n subs %[n], %[n], #1\\n bne 1b\\n" : [s] "+r"(s), [n] "+r"(n));
  return s;
}

/* Tail-predicated loads: VCTP, VPST, predicated VLDRB (QEMU ends a block after the VPST). */
__attribute__((noipa)) static int vpt_loop(const int8_t *p) {
  int32_t s = 0;
  __asm volatile(
    "mov lr, #100\\n dls lr, lr\\n mov r1, #9\\n"
    "1:\\n vctp.8 r1\\n vpst\\n vldrbt.u8 q0, [%[p]]\\n vaddva.s8 %[s], q0\\n le lr, 1b\\n"
    : [s] "+Te"(s) : [p] "r"(p) : "q0", "r1", "lr", "memory");
  return s;
}

int main(void) {
  int r = 0;
  for (int i = 0; i < 64; i++) buf[i] = (int8_t)i;
  hsq_region_begin(); r += issue_loop(buf); hsq_region_end();
  hsq_region_begin(); r += branch_loop(1000); hsq_region_end();
  hsq_region_begin(); r += vpt_loop(buf); hsq_region_end();
  printf("HSQ_DONE %d\\n", r);
  return 0;
}
`;

maybe('cycle estimator on known loops (QEMU + llvm-mca-19)', () => {
  let work: string;
  let est: ReturnType<typeof estimateSegments>;
  let blocks: ReturnType<typeof runCountingBlocks>;

  beforeAll(() => {
    requireTools();
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'hsq-cycles-'));
    const src = path.join(work, 'loops.c');
    fs.writeFileSync(src, PROGRAM);
    const elf = buildM55([src], [], { opt: '-O2', out: path.join(work, 'loops.elf') });
    const m = symbolAddresses(elf, ['hsq_region_begin', 'hsq_region_end']);
    blocks = runCountingBlocks(elf, { begin: m.hsq_region_begin, end: m.hsq_region_end }, work, 60000);
    expect(blocks.stdout).toMatch(/HSQ_DONE/);
    est = estimateSegments(elf, blocks.segments);
  }, 120000);
  afterAll(() => work && fs.rmSync(work, { recursive: true, force: true }));

  test('one segment per marked region, exact instruction counts', () => {
    expect(est.map((e) => `${e.run}:${e.seg}`)).toEqual(['0:0', '1:0', '2:0']);
    // 1000 iterations of 12 instructions (11 + LE) plus the call, setup and return.
    expect(est[0].instructions - 12000).toBeGreaterThanOrEqual(0);
    expect(est[0].instructions - 12000).toBeLessThan(40);
    expect(est[1].instructions - 3000).toBeGreaterThanOrEqual(0);
    expect(est[1].instructions - 3000).toBeLessThan(20);
  });

  test("the issue's loop costs 20 cycles an iteration (LE free)", () => {
    const perIter = est[0].cycles / 1000;
    expect(perIter).toBeGreaterThan(19.9);
    expect(perIter).toBeLessThan(20.3);
  });

  test('taken branches are counted per block and cost 2 cycles, the last (not taken) 1', () => {
    // QEMU translates the first iteration with the function entry, the rest as one block.
    const loop = blocks.segments[1].blocks.find((b) => b.count === 999)!;
    expect(loop.taken).toBe(998);
    // add + subs on the ALU, then the branch: 1 to 2 cycles of work and 2 for the taken branch.
    const perIter = est[1].cycles / 1000;
    expect(perIter).toBeGreaterThanOrEqual(3);
    expect(perIter).toBeLessThan(4.2);
  });

  test('a block cut after VPST is estimated (the VPT block is reopened in the next block)', () => {
    expect(est[2].instructions).toBeGreaterThanOrEqual(500);
    expect(est[2].cycles / 100).toBeGreaterThan(2);
    expect(est[2].cycles / 100).toBeLessThan(12);
  });
});

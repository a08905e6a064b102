// The Helium scheduler (targets/cortex-m55/kernels/schedule.ts) and the weight-field maps
// (pack.ts): pure TypeScript, no toolchain.
import { cycles, issueTimes, pipelineLoop, scheduleOps, type MveOp } from '../targets/cortex-m55/kernels/schedule';
import { channelMap, digitMap, fieldBits, fieldOf, fieldValue, requantScales, unpackSteps } from '../targets/cortex-m55/kernels/pack';

const L = (q: string, p: string): MveOp => ({ asm: `vldrb.u8 ${q}, [${p}], #16`, unit: 'ld', defs: [q, p], uses: [p] });
const M = (a: string, x: string, w: string): MveOp => ({ asm: `vmladava.s8 ${a}, ${x}, ${w}`, unit: 'mac', defs: [a], uses: [a, x, w] });

// The w8 loop of the issue: all loads, then the MACs (3 pixels x 2 channels).
const rowsBody = (): MveOp[] => [L('q0', 'w'), L('q1', 'w'), L('q2', 'p0'), L('q3', 'p1'), L('q4', 'p2'),
  M('r0', 'q2', 'q0'), M('r2', 'q3', 'q0'), M('r4', 'q4', 'q0'), M('r6', 'q2', 'q1'), M('r8', 'q3', 'q1'), M('r10', 'q4', 'q1')];

describe('Helium scheduling model', () => {
  test('back-to-back loads then MACs cost 20 cycles an iteration (the issue\'s figure), interleaved 12', () => {
    const body = rowsBody();
    const t = issueTimes([...body, ...body, ...body]);
    expect(t[22] - t[11]).toBe(20);
    const pl = pipelineLoop(body);
    expect(pl.cycles).toBe(12);
    // Only first writes of a register move to the previous iteration, in address order.
    for (const op of pl.rotated) expect(body.indexOf(op)).toBeGreaterThanOrEqual(0);
  });

  test('the schedule keeps every dependency (register read after write, write after read)', () => {
    const ops: MveOp[] = [...rowsBody(), L('q0', 'w'), M('r0', 'q2', 'q0'), { asm: 'vshl.i8 q5, q0, #4', unit: 'alu', defs: ['q5'], uses: ['q0'] }, M('r2', 'q5', 'q3')];
    const sched = scheduleOps(ops);
    expect(new Set(sched)).toEqual(new Set(ops));
    const pos = new Map(sched.map((o, i) => [o, i]));
    ops.forEach((op, j) => {
      for (let i = 0; i < j; i++) {
        const raw = ops[i].defs.some((d) => op.uses.includes(d));
        const war = op.defs.some((d) => ops[i].uses.includes(d));
        const waw = op.defs.some((d) => ops[i].defs.includes(d));
        if (raw || war || waw) expect(pos.get(ops[i])!).toBeLessThan(pos.get(op)!);
      }
    });
    expect(cycles(sched)).toBeLessThanOrEqual(cycles(ops));
  });

  test('a load into a register written twice in the body is never rotated', () => {
    // q0 is loaded twice (two steps in one body): rotating the first would lose its value.
    const body = [L('q0', 'p0'), M('r0', 'q0', 'q1'), L('q0', 'p0'), M('r2', 'q0', 'q1')];
    const pl = pipelineLoop(body);
    expect(pl.rotated.every((op) => op === body[0])).toBe(true);
  });
});

describe('weight fields', () => {
  test('field values round-trip through the packed bits', () => {
    for (const bits of [4, 2, 1] as const)
      for (let v = -(1 << (bits - 1)); v < 1 << (bits - 1); v++)
        for (let f = 0; f < 8 / bits; f++) expect(fieldValue(fieldBits(v, bits) << (f * bits), f, bits)).toBe(v);
  });

  test('unpack steps: one instruction for the bottom and top fields, two in between', () => {
    expect(unpackSteps(4, 0, 'left').map((s) => s.op)).toEqual(['vshl.i8']);
    expect(unpackSteps(4, 1, 'right').map((s) => s.op)).toEqual(['vshr.s8']);
    expect(unpackSteps(2, 1, 'left').map((s) => s.op)).toEqual(['vshl.i8', 'vand']);
    expect(unpackSteps(1, 3, 'right').map((s) => s.op)).toEqual(['vshl.i8', 'vshr.s8']);
    expect(unpackSteps(8, 0, 'right')).toEqual([]);
  });

  test('channel maps: signed fields, offsets for shifted ranges, two-valued 1-bit channels', () => {
    expect(channelMap([-2, 1, 0], 2)).toEqual({ o: 0, g: 1 });
    expect(channelMap([0, 3, 2], 2)).toEqual({ o: 2, g: 1 });
    expect(channelMap([0, 4], 2)).toBeUndefined();
    expect(channelMap([-1, 1, 1], 1)).toEqual({ o: 1, g: 2 });
    expect(channelMap([-1, 0, 1], 1)).toBeUndefined();
    expect(channelMap([-3, 3], 1)).toBeUndefined(); // 6 apart: not a power of two
    const cm = channelMap([-1, 1], 1)!;
    expect([fieldOf(1, cm), fieldOf(-1, cm)]).toEqual([0, -1]);
    expect(digitMap([-8, 7], 4)).toEqual({ o: -8, g: 1 });
    expect(digitMap([-1, 1], 1)).toEqual({ o: -1, g: 2 });
  });

  test('requantization scales keep X = T * acc integral with R = 1 when sigma covers g', () => {
    expect(requantScales([128, 128], [{ o: 1, g: 2 }, { o: 1, g: 2 }], 'l')).toEqual({ R: 1, T: [64, 64] });
    expect(requantScales([1, 1], [{ o: 1, g: 2 }, { o: 0, g: 1 }], 'l')).toEqual({ R: 2, T: [1, 2] });
  });
});

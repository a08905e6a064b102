// The budget optimiser (placement/optimiser.ts) on its own: exhaustive search against brute
// force, the greedy walk (more than EXHAUSTIVE_UP_TO candidates) with checked feasibility and
// choice, infeasible budgets; and the greedy walk through placeGraph on a chain of 12 w4 convs.
import { Option, Score, EXHAUSTIVE_UP_TO, searchOptions } from '../placement/optimiser';
import { placeGraph } from '../placement/placement';
import { stm32n6Placement } from '../targets/stm32n6/capabilities';
/** ST Edge AI 2.2's rules: the NPU runs int8 only, so 4-bit layers are the trade-off these tests weigh. */
const N6 = stm32n6Placement('2.2');
import { HsqError } from '../core/diagnostics';
import { makeTensor } from '../core/ir/tensor';
import { graph, node, rng } from './passes-helpers';


/** A sub-8-bit candidate: packed on the CPU (small, slow) or widened on the NPU (big, fast). */
const subByte = (cpu: { us: number; flash: number }, npu: { us: number; flash: number }): Option[] => [
  { key: 'cpu-packed', device: 'cpu', sens: 0, est: { us: cpu.us, flashBytes: cpu.flash } },
  { key: 'npu-widened', device: 'npu', sens: 0, est: { us: npu.us, flashBytes: npu.flash } },
];

/** Additive whole-model score (no transitions): what the caller's placement would return. */
const additive = (opt: readonly (readonly Option[])[]) => {
  const calls: number[][] = [];
  const score = (pick: readonly number[]): Score => {
    calls.push([...pick]);
    return {
      sens: pick.reduce((s, k, j) => s + opt[j][k].sens, 0),
      us: pick.reduce((s, k, j) => s + opt[j][k].est.us, 0),
      flash: pick.reduce((s, k, j) => s + opt[j][k].est.flashBytes, 0),
      transitions: 0,
    };
  };
  return { score, calls };
};

function randomCandidates(n: number, seed: number): Option[][] {
  const r = rng(seed);
  return Array.from({ length: n }, () => {
    const w = Math.round(r(1000, 50000));
    return subByte({ us: Math.round(r(500, 20000)), flash: w / 2 }, { us: Math.round(r(20, 400)), flash: w });
  });
}

describe('exhaustive (up to 10 candidates)', () => {
  test('finds the brute-force optimum: lowest latency within the flash budget', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const opt = randomCandidates(6, seed);
      const { score, calls } = additive(opt);
      const allNpu = opt.reduce((s, o) => s + o[1].est.flashBytes, 0);
      const budget = allNpu * 0.8;
      const r = searchOptions(opt, score, { flashBytes: budget });
      expect(r.method).toBe('exhaustive');
      expect(r.evaluated).toBe(2 ** 6);
      expect(calls).toHaveLength(2 ** 6);
      let bestUs = Infinity;
      for (const pick of [...calls]) { const s = score(pick); if (s.flash <= budget) bestUs = Math.min(bestUs, s.us); }
      expect(r.best!.score.us).toBe(bestUs);
      expect(r.best!.score.flash).toBeLessThanOrEqual(budget);
    }
  });
});

describe('greedy (more than 10 candidates)', () => {
  test('under a flash budget: moves the candidates with the most flash saved per µs added to the CPU until it fits', () => {
    const opt = randomCandidates(14, 7);
    expect(opt.length).toBeGreaterThan(EXHAUSTIVE_UP_TO);
    const { score, calls } = additive(opt);
    const allNpu = opt.reduce((s, o) => s + o[1].est.flashBytes, 0);
    const budget = Math.round(allNpu * 0.7);
    const r = searchOptions(opt, score, { flashBytes: budget });
    expect(r.method).toBe('greedy');
    // Expected independently: order by ratio (flash saved / µs added), move until within budget.
    const ratio = opt.map((o, j) => ({ j, v: (o[1].est.flashBytes - o[0].est.flashBytes) / Math.max(o[0].est.us - o[1].est.us, 1) }))
      .sort((a, b) => b.v - a.v || a.j - b.j);
    const pick = opt.map(() => 1);
    let flash = allNpu, moved = 0;
    for (const { j } of ratio) {
      if (flash <= budget) break;
      pick[j] = 0;
      flash -= opt[j][1].est.flashBytes - opt[j][0].est.flashBytes;
      moved++;
    }
    expect(moved).toBeGreaterThan(1);
    expect(r.best!.pick).toEqual(pick);
    expect(r.best!.score.flash).toBeLessThanOrEqual(budget);
    expect(r.evaluated).toBe(moved + 1);
    expect(calls[0]).toEqual(opt.map(() => 1)); // started from everything on the NPU
  });

  test('under a latency budget only: from everything on the CPU, moves the most µs saved per byte to the NPU', () => {
    const opt = randomCandidates(12, 11);
    const { score } = additive(opt);
    const allCpuUs = opt.reduce((s, o) => s + o[0].est.us, 0);
    const budget = allCpuUs * 0.5;
    const r = searchOptions(opt, score, { latencyUs: budget });
    expect(r.method).toBe('greedy');
    const ratio = opt.map((o, j) => ({ j, v: (o[0].est.us - o[1].est.us) / Math.max(o[1].est.flashBytes - o[0].est.flashBytes, 1) }))
      .sort((a, b) => b.v - a.v || a.j - b.j);
    const pick = opt.map(() => 0);
    let us = allCpuUs;
    for (const { j } of ratio) {
      if (us <= budget) break;
      pick[j] = 1;
      us -= opt[j][0].est.us - opt[j][1].est.us;
    }
    expect(r.best!.pick).toEqual(pick);
    expect(r.best!.score.us).toBeLessThanOrEqual(budget);
  });

  test('a budget no combination meets: no best; the closest is everything moved', () => {
    const opt = randomCandidates(11, 3);
    const { score } = additive(opt);
    const allCpu = opt.reduce((s, o) => s + o[0].est.flashBytes, 0);
    const r = searchOptions(opt, score, { flashBytes: allCpu - 1 });
    expect(r.method).toBe('greedy');
    expect(r.best).toBeUndefined();
    expect(r.closest.pick).toEqual(opt.map(() => 0));
    expect(r.evaluated).toBe(opt.length + 1);
  });

  test('sensitivity makes lowering an int8 layer dearer: the ratio is divided by 1 + sensitivity', () => {
    // 11 int8 candidates (NPU int8 or CPU w4), identical but for their sensitivity.
    const opt: Option[][] = Array.from({ length: 11 }, (_, j) => [
      { key: 'npu-int8', device: 'npu', sens: 0, est: { us: 100, flashBytes: 2000 } },
      { key: 'cpu-w4', device: 'cpu', sens: j === 4 ? 0.01 : 1 + j, est: { us: 3000, flashBytes: 1000 } },
    ]);
    const { score } = additive(opt);
    const r = searchOptions(opt, score, { flashBytes: 11 * 2000 - 1000 });
    expect(r.best!.pick).toEqual(opt.map((_, j) => (j === 4 ? 1 : 0)));
  });
});

describe('greedy through placeGraph: 12 w4 convs in a chain under a flash budget', () => {
  const q8 = { scale: [0.05], zeroPoint: [0], bits: 8, signed: true, narrow: false };
  /** x → c0 → c1 → … → c11, channels varying so the layers' trade-offs differ. */
  function chain() {
    const ch = [4, 8, 12, 8, 16, 4, 12, 16, 8, 4, 16, 12, 8];
    const nodes = [], inits: Record<string, ReturnType<typeof makeTensor>> = {}, tensors = [];
    for (let k = 0; k < 12; k++) {
      const [C, M] = [ch[k], ch[k + 1]];
      const x = k === 0 ? 'x' : `y${k - 1}`, y = `y${k}`, w = `c${k}.w`;
      inits[w] = makeTensor('int8', [M, C, 3, 3], Array.from({ length: M * C * 9 }, (_, i) => (i % 7) - 3));
      nodes.push(node('QConv', [x, w], [y], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [1, 1], dilations: [1, 1], group: 1, qmin: -128, qmax: 127 }, 'hsq', `c${k}`));
      tensors.push({ name: w, dtype: 'int8' as const, shape: [M, C, 3, 3], quant: { scale: Array(M).fill(0.01), zeroPoint: Array(M).fill(0), axis: 0, bits: 4, signed: true, narrow: false } });
      tensors.push({ name: y, dtype: 'int8' as const, shape: [1, M, 16, 16], quant: q8 });
    }
    tensors.push({ name: 'x', dtype: 'int8' as const, shape: [1, 4, 16, 16], quant: q8 });
    return graph({ inputs: [['x', 'int8', [1, 4, 16, 16]]], outputs: ['y11'], nodes, inits, tensors });
  }

  test('greedy is used, the budget is met, and the CPU layers are those with the best flash/µs trade', () => {
    const g = chain();
    const policy = placeGraph(g, N6).placement;
    const [, widened, packed] = policy.optimisation!.alternatives;
    const budget = Math.round((widened.flashBytes + packed.flashBytes) / 2);
    const p = placeGraph(g, N6, { flashBudget: budget }).placement;
    const o = p.optimisation!;
    expect(o.method).toBe('greedy');
    expect(o.candidates).toHaveLength(12);
    expect(o.alternatives[0].flashBytes).toBeLessThanOrEqual(budget);
    const cpu = p.layers.filter((l) => l.device === 'cpu').map((l) => l.name);
    expect(cpu.length).toBeGreaterThan(0);
    expect(cpu.length).toBeLessThan(12);
    expect(o.evaluated).toBe(cpu.length + 1);
    // The walk's order, from the options the report shows: flash saved per µs added.
    const trade = p.layers.map((l) => {
      const [c, n] = l.options!;
      return { name: l.name, v: (n.flashBytes - c.flashBytes) / Math.max(c.estUs - n.estUs, 1) };
    }).sort((a, b) => b.v - a.v);
    expect(new Set(cpu)).toEqual(new Set(trade.slice(0, cpu.length).map((t) => t.name)));
    for (const l of p.layers) expect(l.reason).toMatch(/^--flash-budget: 4-bit weights \(w4a8\) (widened losslessly to int8 for the NPU|on the CPU with packed weights) \(/);
  });

  test('a flash budget below everything packed is refused, naming the closest placement', () => {
    const g = chain();
    const packed = placeGraph(g, N6).placement.optimisation!.alternatives[2];
    let err: unknown;
    try { placeGraph(g, N6, { flashBudget: packed.flashBytes - 1 }); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(HsqError);
    expect((err as HsqError).message).toMatch(/^--flash-budget .* cannot be met: the closest placement of c0, c1, .* needs /);
  });
});

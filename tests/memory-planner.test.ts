import { HsqError } from '../core/diagnostics';
import { PlanItem, PoolSpec, MemoryPlan, planMemory, checkPlan, STRATEGIES } from '../core/memory-planner';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A tiny graph description → plan items: op k runs at step k+1, the graph input is step 0. */
interface Op { id: string; size: number; inputs: string[]; inPlace?: string }
function itemsOf(inputSize: number, ops: Op[]): PlanItem[] {
  const first = new Map<string, number>([['input', 0]]);
  const last = new Map<string, number>([['input', 0]]);
  ops.forEach((op, k) => {
    first.set(op.id, k + 1);
    last.set(op.id, k + 1);
    for (const i of op.inputs) last.set(i, Math.max(last.get(i)!, k + 1));
  });
  const items: PlanItem[] = [{ id: 'input', size: inputSize, first: 0, last: last.get('input')! }];
  for (const op of ops) items.push({ id: op.id, size: op.size, first: first.get(op.id)!, last: last.get(op.id)!, inPlaceOf: op.inPlace });
  // The graph output stays live one more step (read back by the caller).
  const out = items[items.length - 1];
  items[items.length - 1] = { ...out, last: out.last + 1 };
  return items;
}

const total = (p: MemoryPlan) => Object.values(p.poolSizes).reduce((a, b) => a + b, 0);

/** Tiny-YOLOv2 (VOC), int8 NHWC: conv + leaky relu in place, then max pool. */
function tinyYolo(): PlanItem[] {
  const ops: Op[] = [];
  let prev = 'input', hw = 416;
  const chans = [16, 32, 64, 128, 256, 512];
  chans.forEach((c, k) => {
    ops.push({ id: `conv${k}`, size: hw * hw * c, inputs: [prev] });
    ops.push({ id: `leaky${k}`, size: hw * hw * c, inputs: [`conv${k}`], inPlace: `conv${k}` });
    if (k < 5) hw /= 2;
    ops.push({ id: `pool${k}`, size: hw * hw * c, inputs: [`leaky${k}`] });
    prev = `pool${k}`;
  });
  for (const [k, c] of [[6, 1024], [7, 1024]] as const) {
    ops.push({ id: `conv${k}`, size: 13 * 13 * c, inputs: [prev] });
    ops.push({ id: `leaky${k}`, size: 13 * 13 * c, inputs: [`conv${k}`], inPlace: `conv${k}` });
    prev = `leaky${k}`;
  }
  ops.push({ id: 'conv8', size: 13 * 13 * 125, inputs: [prev] });
  return itemsOf(416 * 416 * 3, ops);
}

/** ResNet-18-like, int8 NHWC at 224x224: skip connections keep block inputs alive. */
function resnet(): PlanItem[] {
  const ops: Op[] = [];
  ops.push({ id: 'stem', size: 112 * 112 * 64, inputs: ['input'] });
  ops.push({ id: 'stem_relu', size: 112 * 112 * 64, inputs: ['stem'], inPlace: 'stem' });
  ops.push({ id: 'pool', size: 56 * 56 * 64, inputs: ['stem_relu'] });
  let x = 'pool', hw = 56, c = 64, n = 0;
  for (const [stageC, blocks] of [[64, 2], [128, 2], [256, 2], [512, 2]] as const) {
    for (let b = 0; b < blocks; b++) {
      const down = stageC !== c;
      if (down) hw /= 2;
      const s = hw * hw * stageC, p = `b${n++}`;
      ops.push({ id: `${p}_a`, size: s, inputs: [x] });
      ops.push({ id: `${p}_ar`, size: s, inputs: [`${p}_a`], inPlace: `${p}_a` });
      let short = x;
      if (down) { ops.push({ id: `${p}_down`, size: s, inputs: [x] }); short = `${p}_down`; }
      ops.push({ id: `${p}_b`, size: s, inputs: [`${p}_ar`] });
      ops.push({ id: `${p}_add`, size: s, inputs: [`${p}_b`, short], inPlace: `${p}_b` });
      ops.push({ id: `${p}_r`, size: s, inputs: [`${p}_add`], inPlace: `${p}_add` });
      x = `${p}_r`;
      c = stageC;
    }
  }
  ops.push({ id: 'gap', size: 512, inputs: [x] });
  ops.push({ id: 'fc', size: 1000, inputs: ['gap'] });
  return itemsOf(224 * 224 * 3, ops);
}

/** U-Net-like: encoder outputs live until the matching decoder concat. */
function unet(): PlanItem[] {
  const ops: Op[] = [];
  let x = 'input', hw = 128;
  const skips: string[] = [];
  for (const c of [16, 32, 64, 128]) {
    ops.push({ id: `enc${c}`, size: hw * hw * c, inputs: [x] });
    ops.push({ id: `enc${c}_r`, size: hw * hw * c, inputs: [`enc${c}`], inPlace: `enc${c}` });
    skips.push(`enc${c}_r`);
    hw /= 2;
    ops.push({ id: `down${c}`, size: hw * hw * c, inputs: [`enc${c}_r`] });
    x = `down${c}`;
  }
  ops.push({ id: 'mid', size: hw * hw * 256, inputs: [x] });
  x = 'mid';
  for (const c of [128, 64, 32, 16]) {
    hw *= 2;
    ops.push({ id: `up${c}`, size: hw * hw * c, inputs: [x] });
    ops.push({ id: `cat${c}`, size: hw * hw * 2 * c, inputs: [`up${c}`, skips.pop()!] });
    ops.push({ id: `dec${c}`, size: hw * hw * c, inputs: [`cat${c}`] });
    x = `dec${c}`;
  }
  ops.push({ id: 'head', size: hw * hw * 2, inputs: [x] });
  return itemsOf(128 * 128 * 3, ops);
}

describe('planMemory on networks', () => {
  const one: PoolSpec[] = [{ name: 'ram' }];
  for (const [name, build] of [['Tiny-YOLOv2 chain', tinyYolo], ['ResNet-like residual DAG', resnet], ['U-Net-like long skips', unet]] as const) {
    test(`${name} within 5% of the lower bound`, () => {
      const items = build();
      const plan = planMemory(items, one);
      checkPlan(items, plan, { pools: one });
      expect(plan.lowerBound).toBeGreaterThan(0);
      expect(total(plan)).toBeGreaterThanOrEqual(plan.lowerBound);
      expect(total(plan)).toBeLessThanOrEqual(1.05 * plan.lowerBound);
    });
  }

  test('Tiny-YOLOv2 lower bound is the first conv output + first pool output, leaky relu shares the conv buffer', () => {
    const items = tinyYolo();
    const plan = planMemory(items, one);
    expect(plan.lowerBound).toBe(416 * 416 * 16 + 208 * 208 * 16);
    for (let k = 0; k < 8; k++) {
      expect(plan.aliases.get(`leaky${k}`)).toBe(`conv${k}`);
      expect(plan.offsets.get(`leaky${k}`)).toEqual(plan.offsets.get(`conv${k}`));
    }
  });

  test('every strategy alone gives a sound plan', () => {
    for (const build of [tinyYolo, resnet, unet]) {
      const items = build();
      for (const s of STRATEGIES) {
        const plan = planMemory(items, one, { strategies: [s] });
        expect(plan.strategy).toBe(s);
        checkPlan(items, plan, { pools: one });
      }
    }
  });

  test('deterministic: the same items give the same plan', () => {
    const a = planMemory(resnet(), one), b = planMemory(resnet(), one);
    expect([...a.offsets]).toEqual([...b.offsets]);
    expect(a.poolSizes).toEqual(b.poolSizes);
    expect(a.strategy).toBe(b.strategy);
  });
});

describe('planMemory on random lifetimes', () => {
  function randomItems(rnd: () => number, n: number, poolNames: string[]): PlanItem[] {
    const items: PlanItem[] = [];
    for (let i = 0; i < n; i++) {
      const first = Math.floor(rnd() * n / 2);
      const long = rnd() < 0.1;
      const last = first + Math.floor(rnd() * (long ? n / 4 : 8));
      const aligns = [undefined, 1, 4, 16, 64];
      let inPlaceOf: string | undefined;
      if (rnd() < 0.3 && i > 0) {
        // Half of the requests are legal hand-overs, the rest arbitrary (must be refused safely).
        const cands = items.filter((x) => x.last === first);
        inPlaceOf = cands.length && rnd() < 0.5 ? cands[Math.floor(rnd() * cands.length)].id : items[Math.floor(rnd() * items.length)].id;
      }
      items.push({
        id: `t${i}`, size: rnd() < 0.05 ? 0 : 1 + Math.floor(rnd() * rnd() * 50000), first, last,
        align: aligns[Math.floor(rnd() * aligns.length)], inPlaceOf,
        pool: poolNames.length > 1 && rnd() < 0.05 ? poolNames[Math.floor(rnd() * poolNames.length)] : undefined,
        ...(poolNames.length > 1 && rnd() < 0.03 ? { pool: poolNames[0], size: 1 + Math.floor(rnd() * 2000) } : {}),
      });
    }
    return items;
  }

  test.each([1, 2, 3, 4, 5, 6, 7, 8])('seed %i: single unbounded pool', (seed) => {
    const items = randomItems(mulberry32(seed), 400, ['ram']);
    const pools = [{ name: 'ram', base: 8 }];
    const plan = planMemory(items, pools);
    checkPlan(items, plan, { pools });
    expect(total(plan)).toBeGreaterThanOrEqual(plan.lowerBound);
    for (const [a, b] of plan.aliases) expect(items.find((x) => x.id === a)!.inPlaceOf).toBe(b);
  });

  test.each([11, 12, 13, 14])('seed %i: bounded pools with spill', (seed) => {
    const names = ['fast', 'mid', 'slow'];
    const pools: PoolSpec[] = [{ name: 'fast', size: 60000 }, { name: 'mid', size: 100000, base: 4 }, { name: 'slow' }];
    const items = randomItems(mulberry32(seed), 400, names);
    const plan = planMemory(items, pools, { verify: true });
    checkPlan(items, plan, { pools });
    expect(plan.poolSizes.fast).toBeLessThanOrEqual(60000);
    expect(plan.poolSizes.mid).toBeLessThanOrEqual(100000);
    expect(plan.poolSizes.slow).toBeGreaterThan(0);
  });

  test('thousands of items plan soundly', () => {
    const items = randomItems(mulberry32(99), 4000, ['ram']);
    const plan = planMemory(items, [{ name: 'ram' }]);
    checkPlan(items, plan);
    expect(total(plan)).toBeLessThan(2 * plan.lowerBound);
  });
});

describe('checkPlan catches unsound plans', () => {
  const items: PlanItem[] = [
    { id: 'a', size: 100, first: 0, last: 2 },
    { id: 'b', size: 100, first: 1, last: 3 },
    { id: 'c', size: 100, first: 3, last: 4, inPlaceOf: 'b' },
  ];
  const good = () => planMemory(items, [{ name: 'ram' }]);

  test('the real plan passes', () => {
    const p = good();
    checkPlan(items, p);
    expect(p.aliases.get('c')).toBe('b');
  });
  test('overlap of live buffers', () => {
    const p = good();
    const offsets = new Map(p.offsets);
    offsets.set('b', { ...offsets.get('a')! });
    offsets.set('c', { ...offsets.get('a')! });
    expect(() => checkPlan(items, { ...p, offsets })).toThrow(/'a'.*'b'.*overlap/);
  });
  test('misaligned, out of pool, missing', () => {
    const p = good();
    const mis = new Map(p.offsets); mis.set('a', { pool: 'ram', offset: 100 + 8 });
    expect(() => checkPlan(items, { ...p, offsets: mis, poolSizes: { ram: 1000 } })).toThrow(/aligned/);
    expect(() => checkPlan(items, { ...p, poolSizes: { ram: 50 } })).toThrow(/ends past/);
    const missing = new Map(p.offsets); missing.delete('c');
    expect(() => checkPlan(items, { ...p, offsets: missing })).toThrow(/'c' has no placement/);
    expect(() => checkPlan(items, p, { pools: [{ name: 'ram', size: 150 }] })).toThrow(/capacity/);
  });
  test('an alias that was not asked for or not legal', () => {
    const p = good();
    expect(() => checkPlan(items, { ...p, aliases: new Map([['b', 'a']]) })).toThrow(/without asking/);
  });
});

describe('in-place aliasing', () => {
  const pools = [{ name: 'ram' }];
  test('a chain of in-place ops shares one buffer', () => {
    const items: PlanItem[] = [
      { id: 'x', size: 256, first: 0, last: 1 },
      { id: 'relu', size: 256, first: 1, last: 2, inPlaceOf: 'x' },
      { id: 'flat', size: 256, first: 2, last: 3, inPlaceOf: 'relu' },
      { id: 'y', size: 64, first: 3, last: 4 },
    ];
    const plan = planMemory(items, pools);
    checkPlan(items, plan);
    expect([...plan.aliases]).toEqual([['relu', 'x'], ['flat', 'relu']]);
    expect(plan.offsets.get('flat')).toEqual(plan.offsets.get('x'));
    expect(plan.lowerBound).toBe(256 + 64);
    expect(plan.poolSizes.ram).toBe(256 + 64);
  });
  test('refused when the input is read later, larger, or already taken over', () => {
    const items: PlanItem[] = [
      { id: 'x', size: 256, first: 0, last: 2 },
      { id: 'relu', size: 256, first: 1, last: 2, inPlaceOf: 'x' },   // x still read at step 2
      { id: 'big', size: 512, first: 2, last: 3, inPlaceOf: 'relu' },  // larger than relu
      { id: 'y', size: 128, first: 0, last: 1 },
      { id: 'p', size: 128, first: 1, last: 1, inPlaceOf: 'y' },
      { id: 'q', size: 128, first: 1, last: 3, inPlaceOf: 'y' },      // y already taken by p
    ];
    const plan = planMemory(items, pools);
    checkPlan(items, plan);
    expect([...plan.aliases]).toEqual([['p', 'y']]);
    expect(plan.offsets.get('relu')).not.toEqual(plan.offsets.get('x'));
  });
  test('aliasing across pinned pools is refused', () => {
    const two = [{ name: 'a' }, { name: 'b' }];
    const items: PlanItem[] = [
      { id: 'x', size: 64, first: 0, last: 1, pool: 'a' },
      { id: 'y', size: 64, first: 1, last: 2, pool: 'b', inPlaceOf: 'x' },
    ];
    const plan = planMemory(items, two);
    checkPlan(items, plan, { pools: two });
    expect(plan.aliases.size).toBe(0);
    expect(plan.offsets.get('y')!.pool).toBe('b');
  });
});

describe('multiple pools', () => {
  const KiB = 1024;
  const axis: PoolSpec[] = [3, 4, 5, 6].map((k) => ({ name: `AXISRAM${k}`, size: 448 * KiB, base: 0x34200000 + (k - 3) * 448 * KiB }));

  test('four pools of 448 KiB: spill when one is full', () => {
    // A chain whose neighbouring activations (2 x 300 KiB) do not fit one pool together.
    const items: PlanItem[] = [];
    for (let i = 0; i < 10; i++) items.push({ id: `a${i}`, size: 300 * KiB, first: i, last: i + 1 });
    items.push({ id: 'skip', size: 400 * KiB, first: 0, last: 10 });
    const plan = planMemory(items, axis);
    checkPlan(items, plan, { pools: axis });
    const used = Object.entries(plan.poolSizes).filter(([, v]) => v > 0).map(([k]) => k);
    expect(used.length).toBe(3);
    for (const v of Object.values(plan.poolSizes)) expect(v).toBeLessThanOrEqual(448 * KiB);
  });

  test('pinned buffers stay in their pool', () => {
    const items: PlanItem[] = [
      { id: 'x', size: 1000, first: 0, last: 1, pool: 'AXISRAM6' },
      { id: 'y', size: 1000, first: 1, last: 2 },
    ];
    const plan = planMemory(items, axis);
    expect(plan.offsets.get('x')!.pool).toBe('AXISRAM6');
    expect(plan.offsets.get('y')!.pool).toBe('AXISRAM3');
  });

  test('a buffer that fits nowhere is a limit error naming it', () => {
    const items: PlanItem[] = [
      { id: 'small', size: 1000, first: 0, last: 1 },
      { id: 'conv1_out', size: 500 * KiB, first: 1, last: 2 },
    ];
    let err: unknown;
    try { planMemory(items, axis); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(HsqError);
    expect((err as HsqError).kind).toBe('limit');
    expect((err as HsqError).subject).toBe('conv1_out');
    expect((err as HsqError).message).toMatch(/'conv1_out' \(512000 bytes/);
  });

  test('too many simultaneously live buffers is a limit error too', () => {
    const items: PlanItem[] = [0, 1, 2, 3, 4].map((i) => ({ id: `t${i}`, size: 400 * KiB, first: 0, last: 5 }));
    expect(() => planMemory(items, axis)).toThrow(HsqError);
  });

  test('bad pool references are bad input', () => {
    expect(() => planMemory([{ id: 'x', size: 1, first: 0, last: 0, pool: 'nope' }], axis)).toThrow(/unknown memory pool 'nope'/);
    expect(() => planMemory([], [])).toThrow(HsqError);
  });
});

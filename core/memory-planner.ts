// Static planning of activation buffers over a schedule: each buffer gets a pool and an offset
// so that no two buffers live at the same step overlap. Offline heuristic in the manner of
// TFLite's "greedy by size" planner (Pisarchyk & Lee, 2020): place buffers largest first, each
// in the tightest gap left by the already placed buffers whose lifetimes overlap it. Several
// orders are tried and the smallest plan kept; all ties are broken by input order, so the same
// items always give the same plan.
import { HsqError } from './diagnostics';

export interface PlanItem {
  readonly id: string;
  /** Bytes. */
  readonly size: number;
  /** Schedule step that produces the buffer. */
  readonly first: number;
  /** Last schedule step that reads it (inclusive). */
  readonly last: number;
  /**
   * An input buffer this one may share exactly (elementwise ops, Reshape/Flatten aliasing).
   * Honoured only when that input's last use is this item's first step, no other item already
   * took it over, this item is no larger and the pools agree; otherwise planned separately.
   */
  readonly inPlaceOf?: string;
  /** Alignment of the buffer's address in bytes (default 16). */
  readonly align?: number;
  /** Pin to a pool by name. */
  readonly pool?: string;
}

export interface PoolSpec {
  readonly name: string;
  /** Capacity in bytes; undefined = unbounded. */
  readonly size?: number;
  /** Address of the pool's first byte, used for alignment (default 0, i.e. pool start aligned). */
  readonly base?: number;
}

export interface Placement {
  readonly pool: string;
  /** Bytes from the start of the pool (the address is pool base + offset). */
  readonly offset: number;
}

export interface MemoryPlan {
  /** Every item, in input order. */
  readonly offsets: Map<string, Placement>;
  /** High-water mark of each pool in bytes (0 when unused), in pool order. */
  readonly poolSizes: Record<string, number>;
  /** Max over steps of the bytes live at that step (aliased buffers counted once). */
  readonly lowerBound: number;
  /** Item id → id of the input buffer it shares (only the aliases that were honoured). */
  readonly aliases: Map<string, string>;
  /** Which placement order won. */
  readonly strategy: Strategy;
}

export type Strategy = 'size' | 'breadth' | 'size-lifetime' | 'lifetime' | 'first-use';
export const STRATEGIES: readonly Strategy[] = ['size', 'breadth', 'size-lifetime', 'lifetime', 'first-use'];

export interface PlanOptions {
  /** Alignment for items that give none (default 16). */
  readonly defaultAlign?: number;
  /** Orders to try (default all of STRATEGIES); the first one wins ties. */
  readonly strategies?: readonly Strategy[];
  /** Run checkPlan on the result (throws on a bug). */
  readonly verify?: boolean;
}

export const DEFAULT_ALIGN = 16;

/** Buffers that share one memory block: an item and the items computed in place over it. */
interface Group {
  readonly index: number;        // input index of the first member, the tie-breaker
  readonly members: number[];    // item indices
  first: number;
  last: number;
  size: number;
  align: number;
  pool?: string;
  tail: number;                  // the member that may still be taken over in place
}

interface Block { first: number; last: number; off: number; end: number }

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const lcm = (a: number, b: number) => (a / gcd(a, b)) * b;

/** Smallest offset >= off whose address (base + offset) is a multiple of align. */
function alignOffset(off: number, align: number, base: number): number {
  const r = (base + off) % align;
  return r === 0 ? off : off + align - r;
}

function validate(items: readonly PlanItem[], pools: readonly PoolSpec[], defaultAlign: number): void {
  if (pools.length === 0) throw new HsqError('bad-input', 'memory plan needs at least one pool');
  const poolNames = new Set<string>();
  for (const p of pools) {
    if (poolNames.has(p.name)) throw new HsqError('bad-input', `memory pool '${p.name}' is declared twice`, p.name);
    poolNames.add(p.name);
    if (p.size !== undefined && !(Number.isInteger(p.size) && p.size >= 0))
      throw new HsqError('bad-input', `memory pool '${p.name}' has an invalid size ${p.size}`, p.name);
    if (p.base !== undefined && !(Number.isInteger(p.base) && p.base >= 0))
      throw new HsqError('bad-input', `memory pool '${p.name}' has an invalid base ${p.base}`, p.name);
  }
  if (!(Number.isInteger(defaultAlign) && defaultAlign >= 1)) throw new Error(`invalid default alignment ${defaultAlign}`);
  const ids = new Set<string>();
  for (const it of items) {
    if (ids.has(it.id)) throw new Error(`memory plan: buffer '${it.id}' listed twice`);
    ids.add(it.id);
    if (!(Number.isInteger(it.size) && it.size >= 0)) throw new Error(`memory plan: buffer '${it.id}' has invalid size ${it.size}`);
    if (!(Number.isInteger(it.first) && Number.isInteger(it.last) && it.first <= it.last))
      throw new Error(`memory plan: buffer '${it.id}' has invalid lifetime [${it.first}, ${it.last}]`);
    if (it.align !== undefined && !(Number.isInteger(it.align) && it.align >= 1))
      throw new Error(`memory plan: buffer '${it.id}' has invalid alignment ${it.align}`);
    if (it.pool !== undefined && !poolNames.has(it.pool))
      throw new HsqError('bad-input', `buffer '${it.id}' is pinned to unknown memory pool '${it.pool}'`, it.id);
  }
  for (const it of items)
    if (it.inPlaceOf !== undefined && !ids.has(it.inPlaceOf))
      throw new Error(`memory plan: buffer '${it.id}' is in place of unknown buffer '${it.inPlaceOf}'`);
}

/** Merge honoured in-place pairs into groups. Items are visited in schedule order. */
function buildGroups(items: readonly PlanItem[], defaultAlign: number): { groups: Group[]; groupOf: Int32Array; aliases: Map<string, string> } {
  const index = new Map<string, number>();
  items.forEach((it, i) => index.set(it.id, i));
  const order = items.map((_, i) => i).sort((a, b) => items[a].first - items[b].first || a - b);
  const groupOf = new Int32Array(items.length).fill(-1);
  const groups: Group[] = [];
  const pending = new Map<number, string>(); // item index → alias accepted, recorded in input order below
  for (const i of order) {
    const it = items[i];
    const align = it.align ?? defaultAlign;
    if (it.inPlaceOf !== undefined) {
      const x = index.get(it.inPlaceOf)!;
      const gi = groupOf[x];
      const g = gi >= 0 ? groups[gi] : undefined;
      const xi = items[x];
      if (g && x !== i && g.tail === x && xi.last === it.first && g.last === it.first && it.size <= xi.size
          && (it.pool === undefined || g.pool === undefined || it.pool === g.pool)) {
        g.members.push(i);
        g.last = Math.max(g.last, it.last);
        g.size = Math.max(g.size, it.size);
        g.align = lcm(g.align, align);
        g.pool = g.pool ?? it.pool;
        g.tail = i;
        groupOf[i] = gi;
        pending.set(i, it.inPlaceOf);
        continue;
      }
    }
    groupOf[i] = groups.length;
    groups.push({ index: i, members: [i], first: it.first, last: it.last, size: it.size, align, pool: it.pool, tail: i });
  }
  const aliases = new Map<string, string>();
  items.forEach((it, i) => { const a = pending.get(i); if (a !== undefined) aliases.set(it.id, a); });
  return { groups, groupOf, aliases };
}

/**
 * Live bytes at each compressed step. Breadth only rises where a buffer starts, so the values at
 * the distinct `first` steps cover every maximum.
 */
function breadthProfile(groups: readonly Group[]): { steps: number[]; breadth: number[] } {
  const steps = [...new Set(groups.map((g) => g.first))].sort((a, b) => a - b);
  const pos = new Map<number, number>();
  steps.forEach((s, k) => pos.set(s, k));
  const delta = new Float64Array(steps.length + 1);
  for (const g of groups) {
    delta[pos.get(g.first)!] += g.size;
    // last compressed step <= g.last
    let lo = 0, hi = steps.length - 1;
    while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (steps[mid] <= g.last) lo = mid; else hi = mid - 1; }
    delta[lo + 1] -= g.size;
  }
  const breadth: number[] = [];
  let acc = 0;
  for (let k = 0; k < steps.length; k++) { acc += delta[k]; breadth.push(acc); }
  return { steps, breadth };
}

/** Greedy by breadth as an order: each group keyed by the widest step in its lifetime. */
function breadthKeys(groups: readonly Group[], steps: number[], breadth: number[]): { wide: Float64Array; at: Int32Array } {
  const n = steps.length;
  // Sparse table of (breadth, step index) maxima, earliest step on ties.
  const levels: Int32Array[] = [Int32Array.from({ length: n }, (_, k) => k)];
  for (let w = 1; 2 * w <= n; w *= 2) {
    const prev = levels[levels.length - 1];
    const cur = new Int32Array(n - 2 * w + 1);
    for (let k = 0; k < cur.length; k++) {
      const a = prev[k], b = prev[k + w];
      cur[k] = breadth[b] > breadth[a] ? b : a;
    }
    levels.push(cur);
  }
  const lowerIdx = (v: number) => { let lo = 0, hi = n; while (lo < hi) { const m = (lo + hi) >> 1; if (steps[m] < v) lo = m + 1; else hi = m; } return lo; };
  const wide = new Float64Array(groups.length);
  const at = new Int32Array(groups.length);
  groups.forEach((g, gi) => {
    const l = lowerIdx(g.first);
    let r = lowerIdx(g.last + 1) - 1;
    if (r < l) r = l;
    const len = r - l + 1;
    const lev = 31 - Math.clz32(len);
    const a = levels[lev][l], b = levels[lev][r - (1 << lev) + 1];
    const best = breadth[b] > breadth[a] ? b : a;
    wide[gi] = breadth[best];
    at[gi] = best;
  });
  return { wide, at };
}

function orderFor(strategy: Strategy, groups: readonly Group[], bk: () => { wide: Float64Array; at: Int32Array }): number[] {
  const idx = groups.map((_, i) => i);
  const life = (g: Group) => g.last - g.first + 1;
  const tie = (a: number, b: number) => groups[a].index - groups[b].index;
  switch (strategy) {
    case 'size':
      return idx.sort((a, b) => groups[b].size - groups[a].size || life(groups[b]) - life(groups[a]) || tie(a, b));
    case 'size-lifetime':
      return idx.sort((a, b) => groups[b].size * life(groups[b]) - groups[a].size * life(groups[a]) || groups[b].size - groups[a].size || tie(a, b));
    case 'lifetime':
      return idx.sort((a, b) => life(groups[b]) - life(groups[a]) || groups[b].size - groups[a].size || tie(a, b));
    case 'first-use':
      return idx.sort((a, b) => groups[a].first - groups[b].first || groups[b].size - groups[a].size || tie(a, b));
    case 'breadth': {
      const { wide, at } = bk();
      return idx.sort((a, b) => wide[b] - wide[a] || at[a] - at[b] || groups[b].size - groups[a].size || tie(a, b));
    }
  }
}

interface Attempt { strategy: Strategy; pool: Int32Array; off: Float64Array; used: number[]; total: number }
interface Failure { strategy: Strategy; group: Group }

function place(strategy: Strategy, order: readonly number[], groups: readonly Group[], pools: readonly PoolSpec[]): Attempt | Failure {
  const blocks: Block[][] = pools.map(() => []);
  const used = pools.map(() => 0);
  const poolOf = new Int32Array(groups.length);
  const offOf = new Float64Array(groups.length);
  const poolIndex = new Map(pools.map((p, k) => [p.name, k]));
  const overlap: Block[] = [];
  for (const gi of order) {
    const g = groups[gi];
    const candidates = g.pool !== undefined ? [poolIndex.get(g.pool)!] : pools.map((_, k) => k);
    let placed = false;
    for (const k of candidates) {
      const cap = pools[k].size;
      const base = pools[k].base ?? 0;
      if (g.size === 0) { poolOf[gi] = k; offOf[gi] = 0; placed = true; break; }
      overlap.length = 0;
      for (const b of blocks[k]) if (b.first <= g.last && g.first <= b.last) overlap.push(b);
      overlap.sort((a, b) => a.off - b.off || a.end - b.end);
      let best = -1, bestGap = Infinity, cur = 0;
      for (const b of overlap) {
        const start = alignOffset(cur, g.align, base);
        if (start + g.size <= b.off) {
          const gap = b.off - start;
          if (gap < bestGap) { bestGap = gap; best = start; }
        }
        if (b.end > cur) cur = b.end;
      }
      if (best < 0) {
        const start = alignOffset(cur, g.align, base);
        if (cap === undefined || start + g.size <= cap) best = start;
      }
      if (best < 0) continue;
      blocks[k].push({ first: g.first, last: g.last, off: best, end: best + g.size });
      used[k] = Math.max(used[k], best + g.size);
      poolOf[gi] = k;
      offOf[gi] = best;
      placed = true;
      break;
    }
    if (!placed) return { strategy, group: g };
  }
  return { strategy, pool: poolOf, off: offOf, used, total: used.reduce((a, b) => a + b, 0) };
}

/** Plan the offsets of activation buffers. Throws HsqError('limit') when a buffer fits no pool. */
export function planMemory(items: readonly PlanItem[], pools: readonly PoolSpec[], opts: PlanOptions = {}): MemoryPlan {
  const defaultAlign = opts.defaultAlign ?? DEFAULT_ALIGN;
  validate(items, pools, defaultAlign);
  const { groups, groupOf, aliases } = buildGroups(items, defaultAlign);
  const { steps, breadth } = breadthProfile(groups);
  const lowerBound = breadth.reduce((a, b) => Math.max(a, b), 0);
  let keys: { wide: Float64Array; at: Int32Array } | undefined;
  const bk = () => (keys ??= breadthKeys(groups, steps, breadth));

  let best: Attempt | undefined;
  let firstFailure: Failure | undefined;
  const strategies = opts.strategies ?? STRATEGIES;
  if (strategies.length === 0) throw new Error('memory plan: no strategy to try');
  // Buffers pinned to a bounded pool have no fallback: they go first so they are not crowded out.
  const bounded = new Set(pools.filter((p) => p.size !== undefined).map((p) => p.name));
  const pinnedFirst = (order: number[]) => [
    ...order.filter((gi) => groups[gi].pool !== undefined && bounded.has(groups[gi].pool!)),
    ...order.filter((gi) => !(groups[gi].pool !== undefined && bounded.has(groups[gi].pool!))),
  ];
  for (const s of strategies) {
    const r = place(s, pinnedFirst(orderFor(s, groups, bk)), groups, pools);
    if ('group' in r) { firstFailure ??= r; continue; }
    if (!best || r.total < best.total) best = r;
  }
  if (!best) {
    const g = firstFailure!.group;
    const id = items[g.members[0]].id;
    const where = g.pool !== undefined ? `memory pool '${g.pool}'`
      : `any memory pool (${pools.map((p) => `${p.name}: ${p.size ?? 'unbounded'} bytes`).join(', ')})`;
    throw new HsqError('limit', `activation buffer '${id}' (${g.size} bytes, live at steps ${g.first}..${g.last}) does not fit in ${where}`, id);
  }

  const offsets = new Map<string, Placement>();
  items.forEach((it, i) => {
    const gi = groupOf[i];
    offsets.set(it.id, { pool: pools[best!.pool[gi]].name, offset: best!.off[gi] });
  });
  const poolSizes: Record<string, number> = {};
  pools.forEach((p, k) => { poolSizes[p.name] = best!.used[k]; });
  const plan: MemoryPlan = { offsets, poolSizes, lowerBound, aliases, strategy: best.strategy };
  if (opts.verify) checkPlan(items, plan, { pools, defaultAlign });
  return plan;
}

export interface CheckOptions {
  /** When given, capacities and pool bases (for alignment) are checked too. */
  readonly pools?: readonly PoolSpec[];
  readonly defaultAlign?: number;
}

/**
 * Assert that a plan is sound: every item placed inside its pool and aligned, honoured aliases
 * share exactly and hand over at one step, and no two buffers live at the same step overlap in
 * the same pool. Throws an Error naming the first violation.
 */
export function checkPlan(items: readonly PlanItem[], plan: MemoryPlan, opts: CheckOptions = {}): void {
  const defaultAlign = opts.defaultAlign ?? DEFAULT_ALIGN;
  const pools = new Map((opts.pools ?? []).map((p) => [p.name, p]));
  const byId = new Map(items.map((it) => [it.id, it]));
  const bad = (msg: string): never => { throw new Error(`memory plan is unsound: ${msg}`); };
  for (const it of items) {
    const p = plan.offsets.get(it.id) ?? bad(`buffer '${it.id}' has no placement`);
    if (!(p.pool in plan.poolSizes)) bad(`buffer '${it.id}' is in unknown pool '${p.pool}'`);
    if (!(Number.isInteger(p.offset) && p.offset >= 0)) bad(`buffer '${it.id}' has offset ${p.offset}`);
    if (p.offset + it.size > plan.poolSizes[p.pool]) bad(`buffer '${it.id}' ends past pool '${p.pool}' size ${plan.poolSizes[p.pool]}`);
    if (it.pool !== undefined && it.pool !== p.pool) bad(`buffer '${it.id}' is pinned to '${it.pool}' but placed in '${p.pool}'`);
    const spec = pools.get(p.pool);
    if (opts.pools && !spec) bad(`buffer '${it.id}' is in undeclared pool '${p.pool}'`);
    if (spec?.size !== undefined && p.offset + it.size > spec.size) bad(`buffer '${it.id}' exceeds pool '${p.pool}' capacity ${spec.size}`);
    const align = it.align ?? defaultAlign;
    if (it.size > 0 && ((spec?.base ?? 0) + p.offset) % align !== 0) bad(`buffer '${it.id}' at offset ${p.offset} is not ${align}-byte aligned`);
  }
  // Alias groups: root of each item through the alias map.
  const root = (id: string): string => { let r = id; for (let k = 0; plan.aliases.has(r); k++) { if (k > items.length) bad(`alias cycle at '${id}'`); r = plan.aliases.get(r)!; } return r; };
  for (const [a, b] of plan.aliases) {
    const ia = byId.get(a) ?? bad(`alias of unknown buffer '${a}'`);
    const ib = byId.get(b) ?? bad(`alias to unknown buffer '${b}'`);
    if (ia.inPlaceOf !== b) bad(`buffer '${a}' aliases '${b}' without asking to`);
    if (ib.last !== ia.first) bad(`buffer '${a}' is in place of '${b}', which is still read after step ${ia.first}`);
    const pa = plan.offsets.get(a)!, pb = plan.offsets.get(b)!;
    if (pa.pool !== pb.pool || pa.offset !== pb.offset) bad(`buffer '${a}' does not share '${b}' exactly`);
  }
  // Sweep over start steps; `active` holds the buffers that started earlier and may still live.
  const order = items.filter((it) => it.size > 0).sort((a, b) => a.first - b.first);
  let active: PlanItem[] = [];
  for (const it of order) {
    active = active.filter((x) => x.last >= it.first);
    const p = plan.offsets.get(it.id)!;
    for (const x of active) {
      const q = plan.offsets.get(x.id)!;
      if (q.pool !== p.pool || q.offset >= p.offset + it.size || p.offset >= q.offset + x.size) continue;
      const touching = x.last === it.first || it.last === x.first;
      if (touching && root(x.id) === root(it.id)) continue;
      bad(`buffers '${x.id}' [${x.first}..${x.last}] and '${it.id}' [${it.first}..${it.last}] overlap in pool '${p.pool}'`);
    }
    active.push(it);
  }
}

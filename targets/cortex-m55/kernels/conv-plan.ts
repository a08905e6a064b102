// The plan of a Cortex-M55 conv/FC kernel: how the work is blocked, how the weights are packed
// and in which order the kernel reads them. The MVE emitter (conv-mve.ts), the scalar path
// (conv-scalar.ts) and the weight blob all follow this one plan.
//
// A pass computes P output pixels x mb output channels (one channel block) over the whole window,
// kernel row by kernel row, in steps of 16 input elements:
//   rows mode:  step j of row ky = window-row elements [16j, 16j+16) of each pixel (one x vector
//               per pixel); the step reads one weight vector per channel.
//   slide mode: (stride 1 along W, inC a multiple of 16) step j of row ky = input channels
//               [16j, 16j+16) at the P+kW-1 input positions the P windows cover; pixel i at tap
//               kx reads position i+kx, so each x vector serves up to kW pixels; the step reads
//               kW weight vectors per channel (tap-major).
// The weight stream of a pass is the steps' vectors in order (per step: rows: channels; slide:
// taps, then channels), kernel row after kernel row. It is cut into units of L steps; a unit's
// vectors fill whole words of G = 8/bits fields (vector k of the unit is field k % G of word
// k / G); the pass's last unit may be short, its last word padded with zero fields.
// Blob = [block][unit][word][16 bytes].
import { CORTEX_M55 } from '../target';
import { centeredWeights, foldedBias, perChannel, KernelDescError } from './layout';
import { channelMap, digitMap, fieldBits, fieldOf, fieldsPerWord, needsMask, requantScales, type Align, type Bits, type ChannelMap } from './pack';
import type { ConvLayerDesc } from './types';

export type Mode = 'rows' | 'slide';

/** One weight vector of a step: its channel in the block and (slide mode) its tap. */
export interface Slot {
  readonly c: number;
  readonly kx: number;
}

/** The structure shared by all blocks of one size. */
export interface BlockShape {
  readonly mb: number;
  /** The vectors of one step, in stream order. */
  readonly slots: readonly Slot[];
  /** Steps per full unit. */
  readonly L: number;
}

export interface QRegs {
  /** x vectors: q0.. (one per pixel in rows mode, per input position in slide mode). */
  readonly x: readonly string[];
  /** Word registers (loaded weights; for 8-bit weights also the unpacked vectors). */
  readonly W: readonly string[];
  /** Unpacked vectors (sub-8-bit), alternating. */
  readonly D: readonly string[];
  readonly mask?: string;
}

export interface ConvPlan {
  /** The layer as the kernel sees it (a 1x1 stride-1 unpadded conv as one row of pixels). */
  readonly d: ConvLayerDesc;
  readonly mode: Mode;
  /** slice: a word's fields are consecutive vectors of the stream (unpacked by shifts and a
   *  mask); digit (FC): a word's fields are up to G channels of the same 16 inputs, field f
   *  viewed as the arithmetic shift B >> (bits * f) (pack.ts, digit fields). */
  readonly packing: 'slice' | 'digit';
  readonly P: number;
  readonly MB: number;
  readonly bits: Bits;
  readonly G: number;
  /** Steps per kernel row, and valid lanes of a row's last step (16 when none is short). */
  readonly steps: number;
  readonly tail: number;
  /** Elements of one window row (rows mode: kW*inC; slide mode: inC per position). */
  readonly rowElems: number;
  readonly blocks: readonly number[];
  readonly shapes: ReadonlyMap<number, BlockShape>;
  readonly regs: QRegs;
  /** Per output channel. */
  readonly align: readonly Align[];
  readonly maps: readonly ChannelMap[];
  /** Requantization: X = R * raw + biasT + sCoef * S, then float(X) * mult. */
  readonly R: number;
  readonly biasT: Int32Array;
  readonly mult: Float32Array;
  /** Per-channel coefficient of the window sum S (undefined: no channel needs S). */
  readonly sCoef?: Int32Array;
  /** When every channel's coefficient is the same. */
  readonly uniformCoef?: number;
  readonly floatBias?: Float32Array;
  /** Centered weights [oc][ky][kx][ci] (packBlob reads them). */
  readonly weights: Int32Array;
}

/** A unit of a pass's weight stream: steps [g0, g0 + n) of the pass, numbered row by row
 *  (step g is step g % steps of kernel row g / steps). Units are L steps, the last may be short,
 *  and a unit may span kernel rows, so only a pass's last word can have empty fields. */
export interface Unit {
  readonly g0: number;
  readonly n: number;
}

export function passUnits(plan: ConvPlan, mb: number): Unit[] {
  const L = plan.shapes.get(mb)!.L;
  const total = plan.d.kH * plan.steps;
  const out: Unit[] = [];
  for (let g0 = 0; g0 < total; g0 += L) out.push({ g0, n: Math.min(L, total - g0) });
  return out;
}

const BIT_ORDER: Bits[] = [1, 2, 4, 8];

/** Steps per unit: whole words, and an even vector (and word, if two alternate) count. */
function unitSteps(V: number, G: number, nW: number): number {
  for (let L = 1; ; L++) {
    const n = V * L;
    if (n % G || n % 2) continue;
    if (G > 1 && nW === 2 && (n / G) % 2) continue;
    return L;
  }
}

function slotsOf(mode: Mode, mb: number, kW: number): Slot[] {
  const s: Slot[] = [];
  if (mode === 'slide') for (let kx = 0; kx < kW; kx++) for (let c = 0; c < mb; c++) s.push({ c, kx });
  else for (let c = 0; c < mb; c++) s.push({ c, kx: 0 });
  return s;
}

interface Blocking {
  mode: Mode;
  P: number;
  MB: number;
}

/** rows or slide mode, pixels and channels per pass (target.json holds the shapes). */
function blocking(d: ConvLayerDesc, fc: boolean, bits: Bits, ow: number): Blocking {
  const cfg = CORTEX_M55.kernels;
  if (fc) return { mode: 'rows', P: 1, MB: bits === 8 ? cfg.fc.w8 : cfg.fc.packed };
  const maxX = bits === 8 ? 6 : 5;
  if (d.strideW === 1 && d.inC % 16 === 0 && ow > 1) {
    const P = Math.min(cfg.slide.pixels, ow, maxX - (d.kW - 1));
    if (P >= 2) return { mode: 'slide', P, MB: cfg.slide.channels };
  }
  return { mode: 'rows', P: Math.max(1, Math.min(cfg.rows.pixels, ow)), MB: cfg.rows.channels };
}

/** Q registers of a mode: x vectors first, then words, unpacked vectors and the mask. */
function allocate(nx: number, bits: Bits, wantMask: boolean): QRegs {
  const q = (i: number) => `q${i}`;
  const x = Array.from({ length: nx }, (_, i) => q(i));
  if (bits === 8) return { x, W: [q(nx), q(nx + 1)], D: [] };
  const mask = wantMask ? q(7) : undefined;
  const avail = 8 - nx - (mask ? 1 : 0) - 2;
  const W = avail >= 2 ? [q(nx), q(nx + 1)] : [q(nx)];
  return { x, W, D: [q(nx + W.length), q(nx + W.length + 1)], ...(mask ? { mask } : {}) };
}

/** Per channel: unpack cost of each alignment over the fields it uses; cheapest wins. On a tie
 *  a channel whose values are more than one step apart (g > 1, e.g. bipolar) takes left: sigma
 *  >= g keeps R = 1, so the window-sum term can start the accumulators instead of costing the
 *  requantization an instruction. */
function chooseAlign(fields: number[], bits: Bits, maskOk: boolean, g: number): Align {
  if (bits === 8) return 'right';
  const G = fieldsPerWord(bits);
  const cost = (a: Align) => fields.reduce((s, f) => s + (a === 'left' ? (f === 0 || f === G - 1 ? 1 : 2) : f === G - 1 ? 1 : 2), 0);
  const leftOk = maskOk || fields.every((f) => f === 0);
  const l = cost('left');
  const r = cost('right');
  return leftOk && (l < r || (l === r && g > 1)) ? 'left' : 'right';
}

/** Storage widths to try, narrowest first: the declared width, then wider (a layer declared
 *  8-bit stays 8-bit even when its values would fit fewer bits). */
const candidateBits = (d: ConvLayerDesc): Bits[] => BIT_ORDER.filter((b) => b >= d.weightBits && (b === 8 || d.weightBits < 8));

/** Every channel's field map for `bits`, or undefined when one does not fit. */
function mapsFor(w: Int32Array, M: number, bits: Bits): ChannelMap[] | undefined {
  if (bits === 8) return new Array<ChannelMap>(M).fill({ o: 0, g: 1 });
  const per = w.length / M;
  const maps: ChannelMap[] = [];
  for (let m = 0; m < M; m++) {
    const cm = channelMap(w.subarray(m * per, (m + 1) * per), bits);
    if (!cm) return undefined;
    maps.push(cm);
  }
  return maps;
}

export interface PlanOptions {
  /** Override the target's blocking (tests, benchmarks). */
  readonly mode?: Mode;
  readonly pixels?: number;
  readonly channels?: number;
  /** x registers in slide mode when fewer than the positions: position p uses x[p % xRegs]
   *  (frees a register for the unpack mask). */
  readonly xRegs?: number;
}

/** Channels per FC pass with digit packing: whole words of G channels up to 7 accumulators
 *  (6 for 4-bit: three full words; 7 for 2/1-bit, one field of a word left empty). */
export const digitChannels = (G: number): number => (G === 2 ? 6 : 7);

/** Digit maps: the channel in a word's top field is signed, the others unsigned digits. */
function digitMapsFor(w: Int32Array, M: number, bits: Bits, MB: number): ChannelMap[] | undefined {
  const per = w.length / M;
  const G = fieldsPerWord(bits);
  const maps: ChannelMap[] = [];
  for (let m = 0; m < M; m++) {
    const vals = w.subarray(m * per, (m + 1) * per);
    const f = (m % MB) % G;
    const cm = f === G - 1 ? channelMap(vals, bits) : digitMap(vals, bits);
    if (!cm) return undefined;
    maps.push(cm);
  }
  return maps;
}

/** Plan a layer (already validated; `fc`: a single output pixel). */
export function planConv(d: ConvLayerDesc, fc: boolean, ow: number, o: PlanOptions = {}): ConvPlan {
  const { w } = centeredWeights(d);
  const bias = foldedBias(d, w);
  for (const bits of candidateBits(d)) {
    const digit = fc && bits < 8 && o.mode === undefined && o.channels === undefined;
    const maps = digit ? digitMapsFor(w, d.outC, bits, Math.min(digitChannels(fieldsPerWord(bits)), d.outC)) : mapsFor(w, d.outC, bits);
    // A wider storage also when the scaled accumulators could overflow int32.
    const plan = maps && tryPlan(d, fc, ow, bits, maps, w, bias, w.length / d.outC, digit ? { ...o, channels: digitChannels(fieldsPerWord(bits)) } : o, digit);
    if (plan) return plan;
  }
  throw new KernelDescError(`layer '${d.name}': no weight storage keeps the accumulators in int32`);
}

function tryPlan(d: ConvLayerDesc, fc: boolean, ow: number, bits: Bits, maps: ChannelMap[], w: Int32Array, bias: Int32Array,
  per: number, o: PlanOptions, digit = false): ConvPlan | undefined {
  const M = d.outC;
  const G = fieldsPerWord(bits);
  const b0 = blocking(d, fc, bits, ow);
  const mode = o.mode ?? b0.mode;
  const P = o.pixels ?? b0.P;
  const MB = Math.min(o.channels ?? b0.MB, M);
  if (mode === 'slide' && (d.strideW !== 1 || d.inC % 16)) throw new KernelDescError(`layer '${d.name}': slide mode needs stride 1 along W and inC a multiple of 16`);
  const npos = mode === 'slide' ? P + d.kW - 1 : P;
  const nx = mode === 'slide' ? Math.min(npos, o.xRegs ?? npos) : P;
  if (nx > (bits === 8 ? 6 : 5) || nx < P) throw new KernelDescError(`layer '${d.name}': ${nx} x registers do not fit`);
  const maskOk = bits < 8 && 8 - nx >= 4;
  const rowElems = mode === 'slide' ? d.inC : d.kW * d.inC;
  const steps = Math.ceil(rowElems / 16);
  const tail = rowElems % 16 || 16;
  const blocks: number[] = [];
  for (let m = 0; m < M; m += MB) blocks.push(Math.min(MB, M - m));
  // Alignment per channel from the fields it occupies in a full unit (words alternate when the
  // mask leaves room for two).
  const align: Align[] = new Array(M);
  const shapes = new Map<number, BlockShape>();
  let useMask = false;
  const nWof = maskOk ? 2 : 8 - nx - 2 >= 2 ? 2 : 1;
  for (const mb of new Set(blocks)) {
    const slots = slotsOf(mode, mb, d.kW);
    const L = digit ? 1 : unitSteps(slots.length, G, bits === 8 ? 2 : nWof);
    shapes.set(mb, { mb, slots, L });
  }
  let m0 = 0;
  for (const mb of digit ? [] : blocks) {
    const { slots, L } = shapes.get(mb)!;
    for (let c = 0; c < mb; c++) {
      const fields: number[] = [];
      for (let k = 0; k < slots.length * L; k++) if (slots[k % slots.length].c === c) fields.push(k % G);
      align[m0 + c] = chooseAlign(fields, bits, maskOk, maps[m0 + c].g);
      if (fields.some((f) => needsMask(bits, f, align[m0 + c]))) useMask = true;
    }
    m0 += mb;
  }
  if (digit) align.fill('right');
  const regs = allocate(nx, bits, useMask);
  // Unit lengths were chosen for nWof word registers; re-derive if the allocation differs.
  if (!digit) for (const [mb, s] of shapes) shapes.set(mb, { ...s, L: unitSteps(s.slots.length, G, bits === 8 ? 2 : regs.W.length) });
  const sigma = align.map((a) => (a === 'left' ? 2 ** (8 - bits) : 1));
  const { R, T } = requantScales(sigma, maps, d.name);
  const mult = perChannel(d.multiplier, M, d.name, 'multiplier');
  const multT = new Float32Array(M);
  const biasT = new Int32Array(M);
  const coef = new Int32Array(M);
  const K = per;
  for (let m = 0; m < M; m++) {
    const mt = mult[m] / T[m];
    if (Math.fround(mt) * T[m] !== mult[m] || (mt !== 0 && Math.abs(mt) < 2 ** -126)) return undefined;
    multT[m] = mt;
    let sumV = 0;
    for (let i = 0; i < per; i++) sumV += Math.abs(fieldOf(w[m * per + i], maps[m]));
    const bound = T[m] * Math.abs(bias[m]) + Math.abs(T[m] * maps[m].o) * 128 * K + R * sigma[m] * 128 * sumV;
    // Digit views B >> (bits * f) reach +-128 per lane before the channels are separated.
    if (bound >= 2 ** 31 || (digit && 128 * 128 * K * 2 ** bits >= 2 ** 31)) return undefined;
    biasT[m] = T[m] * bias[m];
    coef[m] = T[m] * maps[m].o;
  }
  const needS = coef.some((c) => c !== 0);
  const uniform = needS && coef.every((c) => c === coef[0]) ? coef[0] : undefined;
  const fb = d.floatBias ? Float32Array.from(perChannel(d.floatBias, M, d.name, 'floatBias'), (v) => Math.fround(v)) : undefined;
  if (fb && fb.some((v) => !Number.isFinite(v))) throw new KernelDescError(`layer '${d.name}': floatBias must be finite`);
  const plan: ConvPlan = {
    d, mode, packing: digit ? 'digit' : 'slice', P, MB, bits, G, steps, tail, rowElems, blocks, shapes, regs, align, maps, R, biasT, mult: multT,
    ...(needS ? { sCoef: coef } : {}), ...(uniform !== undefined ? { uniformCoef: uniform } : {}), ...(fb ? { floatBias: fb } : {}),
    weights: w,
  };
  return plan;
}

/** Centered weight of output channel m, kernel row ky, step j, slot tap kx, lane l (0 outside). */
function weightAt(plan: ConvPlan, w: Int32Array, m: number, ky: number, j: number, kx: number, l: number): number {
  const { d } = plan;
  if (plan.mode === 'slide') return w[((m * d.kH + ky) * d.kW + kx) * d.inC + j * 16 + l];
  const e = j * 16 + l;
  return e < plan.rowElems ? w[(m * d.kH + ky) * plan.rowElems + e] : 0;
}

/** Words of one step of a digit-packed block: word k holds channels kG.. in fields 0.. */
export const digitWords = (plan: ConvPlan, mb: number): number => Math.ceil(mb / plan.G);

/** The weight blob of a plan: [block][unit][word][16 bytes] (digit: [block][ky][step][word]). */
export function packBlob(plan: ConvPlan): Uint8Array {
  const w = plan.weights;
  const words: Uint8Array[] = [];
  if (plan.packing === 'digit') {
    let m0 = 0;
    for (const mb of plan.blocks) {
      for (let ky = 0; ky < plan.d.kH; ky++)
        for (let j = 0; j < plan.steps; j++)
          for (let k = 0; k < digitWords(plan, mb); k++) {
            const word = new Uint8Array(16);
            for (let f = 0; f < plan.G && k * plan.G + f < mb; f++) {
              const m = m0 + k * plan.G + f;
              for (let l = 0; l < 16; l++) {
                const v = j * 16 + l >= plan.rowElems ? 0 : fieldOf(weightAt(plan, w, m, ky, j, 0, l), plan.maps[m]);
                word[l] |= fieldBits(v, plan.bits) << (f * plan.bits);
              }
            }
            words.push(word);
          }
      m0 += mb;
    }
    const out = new Uint8Array(words.length * 16);
    words.forEach((wd, i) => out.set(wd, i * 16));
    return out;
  }
  let m0 = 0;
  for (const mb of plan.blocks) {
    const { slots } = plan.shapes.get(mb)!;
    const V = slots.length;
    for (const u of passUnits(plan, mb)) {
      const n = V * u.n;
      const unitWords = Array.from({ length: Math.ceil(n / plan.G) }, () => new Uint8Array(16));
      for (let k = 0; k < n; k++) {
        const s = slots[k % V];
        const m = m0 + s.c;
        const g = u.g0 + Math.floor(k / V);
        const ky = Math.floor(g / plan.steps);
        const j = g % plan.steps;
        const word = unitWords[Math.floor(k / plan.G)];
        const f = k % plan.G;
        for (let l = 0; l < 16; l++) {
          const wv = weightAt(plan, w, m, ky, j, s.kx, l);
          // Lanes past the row end read x = 0 (predicated loads): any field value is right.
          const v = plan.mode === 'rows' && j * 16 + l >= plan.rowElems ? 0 : fieldOf(wv, plan.maps[m]);
          word[l] |= fieldBits(v, plan.bits) << (f * plan.bits);
        }
      }
      words.push(...unitWords);
    }
    m0 += mb;
  }
  const blob = new Uint8Array(words.length * 16);
  words.forEach((wd, i) => blob.set(wd, i * 16));
  return blob;
}

/** An all-zero bias term (a float bias, or none, with no weight offset) is not stored: QONNX
 *  layers keep their bias as the float term, and 256 bytes a layer matter on TFC-sized models. */
export const hasBiasT = (plan: { biasT: Int32Array }): boolean => plan.biasT.some((v) => v !== 0);

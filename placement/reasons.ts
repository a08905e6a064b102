// The one-line reason each layer carries in the report and the placement table: every text
// placement shows the user is written here, so the wording stays consistent.
import type { Device } from './cost-model';
import type { LayerBasics } from './describe';
import type { Rule } from './rules';

type PrecisionOf = Pick<LayerBasics, 'weightBits' | 'actBits' | 'actFloat' | 'floatOutActBits' | 'gridBits'>;

/** w8a8, w4a8 ... for layers with weights; a8 for weightless integer layers; f32 for float;
 *  w4a4f32 for an integer layer with a float output; w8f32 for a float layer whose weights are
 *  stored as 8-bit integers (weight-only quantized). */
export const precisionText = (d: PrecisionOf): string =>
  d.floatOutActBits !== undefined && d.weightBits !== undefined ? `w${d.weightBits}a${d.floatOutActBits}f32`
    : d.actFloat ? (d.gridBits !== undefined ? `w${d.gridBits}f32` : 'f32')
      : d.weightBits !== undefined ? `w${d.weightBits}a${d.actBits}` : `a${d.actBits}`;

/** "4-bit weights (w4a8)", "2-bit weights and 4-bit activations (w2a4)". */
export function subByteText(d: PrecisionOf): string {
  const parts: string[] = [];
  if (d.weightBits !== undefined && d.weightBits < 8) parts.push(`${d.weightBits}-bit weights`);
  if (!d.actFloat && d.actBits < 8) parts.push(`${d.actBits}-bit activations`);
  return `${parts.join(' and ')} (${precisionText(d)})`;
}

export const fmtMs = (us: number): string => `${(us / 1000).toFixed(us < 1000 ? 3 : 2)} ms`;
export const fmtBytes = (b: number): string => (b >= 1024 * 1024 ? `${(b / 1024 / 1024).toFixed(2)} MiB` : `${(b / 1024).toFixed(1)} KiB`);
export const fmtKiB = (b: number): string => `${(b / 1024).toFixed(b < 10240 ? 1 : 0)} KiB`;

function cliWhere(dev: Device, p: string): string { return `--force-${dev} ${p}`; }

/** Who forced the layer: "by --force-cpu conv9", "by config placement["conv2"]", ... */
export function forceText(r: Rule<Device>): string {
  return r.source === 'cli' ? `by ${cliWhere(r.value, r.pattern)}` : r.source === 'config' ? `by config placement["${r.pattern}"]` : `by annotation hsq.placement on '${r.pattern}'`;
}

/** Who allowed widening: "--widen conv7", "config widen "conv8"", ... */
export function widenText(r: Rule<boolean>): string {
  return r.source === 'cli' ? `--widen ${r.pattern}` : r.source === 'config' ? `config widen "${r.pattern}"` : `annotation hsq.widen on '${r.pattern}'`;
}

// ------------------------------------------------------------------------------ policy

export const reason = {
  forcedCpu: (d: LayerBasics, force: Rule<Device>): string =>
    `forced to the CPU ${forceText(force)}${d.subByte ? ` (${precisionText(d)}, packed weights)` : ''}`,
  forcedNpu: (force: Rule<Device>): string => `forced to the NPU ${forceText(force)}`,
  forcedNpuWidened: (d: LayerBasics, force: Rule<Device>, widen: Rule<boolean>): string =>
    `forced to the NPU ${forceText(force)}; ${subByteText(d)} widened losslessly to int8 (${widenText(widen)})`,
  npuCannot: (reasons: readonly string[]): string => `NPU cannot run it: ${reasons.join('; ')}`,
  int8OnNpu: (d: LayerBasics): string => `int8 (${precisionText(d)}): runs on the NPU`,
  /** A sub-8-bit layer the NPU runs as it is (4-bit weights on a release that takes them). */
  nativeOnNpu: (d: LayerBasics): string => `${subByteText(d)}: runs natively on the NPU (no widening, packed weights)`,
  widenedOnNpu: (d: LayerBasics, widen: Rule<boolean>): string =>
    `${subByteText(d)} widened losslessly to int8 for the NPU (${widenText(widen)}; same numbers, more flash)`,
  packedOnCpu: (d: LayerBasics, why: readonly string[]): string =>
    `${subByteText(d)}: not on the NPU as it is (${why.join('; ')}); runs on the CPU with packed weights (--widen ${d.name} would put it on the NPU)`,
  weightlessSubByte: (d: LayerBasics, why: readonly string[]): string =>
    `${subByteText(d)}: not on the NPU as it is (${why.join('; ')}) (--widen ${d.name} would allow it on the NPU)`,
  /** A target without an NPU: the layer runs on its CPU. */
  cpuOnly: (target: string): string => `${target} has no NPU: every layer runs on the CPU`,
};

/** The error for a --force-npu the NPU cannot honour without widening. */
export function forceNeedsWidenMessage(d: LayerBasics, force: Rule<Device>, why: readonly string[]): string {
  const drop = force.source === 'cli' ? `drop ${force.where}` : force.source === 'config' ? `remove ${force.where}` : `remove ${force.where}`;
  return `${force.where}: ${d.name} has ${subByteText(d)}, which the NPU cannot run as it is (${why.join('; ')}); allow lossless widening with --widen ${d.name} (more flash), or ${drop}`;
}

/** The error for a --force-npu of a layer the NPU cannot run at all. */
export function forceImpossibleMessage(d: LayerBasics, force: Rule<Device>, reasons: readonly string[]): string {
  const drop = force.source === 'cli' ? `drop ${force.where}` : `remove ${force.where}`;
  return `${force.where}: the NPU cannot run ${d.name} (${d.op}, ${precisionText(d)}): ${reasons.join('; ')}; ${drop} (it runs on the CPU)`;
}

// ------------------------------------------------------------------------------ followers

export interface FollowerContext {
  readonly device: Device;
  /** Neighbour layers on the same device and on the other one. */
  readonly same: readonly string[];
  readonly other: readonly string[];
  /** µs on the chosen device and on the other one (Infinity where it cannot run). */
  readonly mine: number;
  readonly alt: number;
  /** The NPU runs the layer only with its integers widened to int8. */
  readonly npuOnlyWidened: boolean;
  /** On the NPU only because its integers are widened to int8. */
  readonly widened: boolean;
}

export function followerReason(d: LayerBasics, c: FollowerContext): string {
  const dev = c.device, { same, other, mine, alt } = c;
  const widenNote = c.widened ? `; ${subByteText(d)} widened to int8` : '';
  let r: string;
  if (other.length === 0 && same.length && !c.npuOnlyWidened && alt < mine) r = `follows ${same.slice(0, 3).join(', ')}${same.length > 3 ? ', …' : ''} on the ${dev.toUpperCase()}: ${fmtMs(mine)} here vs ${fmtMs(alt)} on the ${dev === 'npu' ? 'CPU' : 'NPU'}, but a separate segment would add NPU↔CPU transitions`;
  else if (other.length === 0 && same.length) r = `follows ${same.slice(0, 3).join(', ')}${same.length > 3 ? ', …' : ''} on the ${dev.toUpperCase()} (no NPU↔CPU transition)`;
  else if (same.length === 0 && other.length) r = `on the ${dev.toUpperCase()} though its neighbours are not: ${fmtMs(mine)} here vs ${fmtMs(alt)} outweighs the transitions`;
  else if (other.length) r = `at a device boundary (${same.join(', ')} on the ${dev.toUpperCase()}, ${other.join(', ')} not): cheaper here (${fmtMs(mine)} vs ${fmtMs(alt)} and the smaller hand-over)`;
  else r = `on the ${dev.toUpperCase()}: ${fmtMs(mine)} vs ${fmtMs(alt)}`;
  return r + widenNote;
}

// ------------------------------------------------------------------------------ optimiser

/** "saves 1.234 ms, costs 2304.0 KiB of flash vs npu-widened". */
export function tradeText(dUs: number, dFlash: number, altKey: string): string {
  return `${dUs >= 0 ? 'saves' : 'costs'} ${fmtMs(Math.abs(dUs))}, ${dFlash >= 0 ? 'saves' : 'costs'} ${fmtKiB(Math.abs(dFlash))} of flash vs ${altKey}`;
}

export const optimiserReason = {
  widened: (budget: string, d: LayerBasics, trade: string): string => `${budget}: ${subByteText(d)} widened losslessly to int8 for the NPU (${trade})`,
  packed: (budget: string, d: LayerBasics, trade: string): string => `${budget}: ${subByteText(d)} on the CPU with packed weights (${trade})`,
  lowered: (budget: string, lowerTo: string, sensitivity: number, trade: string): string =>
    `${budget}: lowered to ${lowerTo} (sensitivity ${sensitivity}) on the CPU with packed weights (${trade})`,
  int8: (budget: string, trade: string): string => `${budget}: int8 on the NPU (${trade})`,
  native: (budget: string, d: LayerBasics, trade: string): string => `${budget}: ${subByteText(d)} natively on the NPU (${trade})`,
  cpuInt8: (budget: string, trade: string): string => `${budget}: int8 on the CPU (${trade})`,
};

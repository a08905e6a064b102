// Per-layer profiles (`hsq run --profile`): build the model with -DHSQ_PROFILE, run it once, and
// put each layer's measured time beside the cost model's estimate for that layer.
//
// What is measured, by target:
//   host        ns (clock_gettime) of the second of two runs; no estimate (the cost model is the MCU's).
//   cortex-m55  executed instructions in QEMU mps3-an547 (-icount shift=0, SysTick ticks × 31.25),
//               and instructions → ms at the cost model's CPU clock and IPC; estimate:
//               estimateCpuLayer at the layer's precision (placement's estCpu).
//   stm32n6     the emulated program (NPU segments on hsq's int8 kernels) in QEMU: instructions as
//               above, per layer and per segment; estimates: estNpu / estCpu from placement. NPU
//               layers' counts are the emulation's, not the NPU's.
// Rows: on the MCU targets, the timed blocks of the C schedule (one per IR node or lookup-table
// chain) are summed per placement layer, so each row is one layer of the cost model (a quantized
// MaxPool row holds its DequantizeLinear, MaxPool and QuantizeLinear blocks). On the host a row is
// one block. A row's name is the ONNX node (origin[0] of a fused node).
import { Graph } from '../core/ir/graph';
import { Tensor } from '../core/ir/tensor';
import type { ProfileLayer } from '../targets/c/emit-model';
import { Placement, placeGraph } from '../placement/placement';
import type { Device } from '../placement/cost-model';
import { defaultCostParams } from '../targets/stm32n6/cost-model';
import { STM32N6_PLACEMENT } from '../targets/stm32n6/capabilities';

export type ProfileTarget = 'host' | 'cortex-m55' | 'stm32n6';

export interface ProfileRow {
  /** The layer: ONNX node name (placement layer name on the MCU targets). */
  readonly name: string;
  readonly op: string;
  /** Timed blocks (their ONNX names) summed into this row. */
  readonly blocks: readonly string[];
  /** stm32n6: where placement put the layer, and its segment. */
  readonly device?: Device;
  readonly segment?: string;
  /** In `unit` (ns or instructions). */
  readonly measured: number;
  /** ms: ns / 1e6 on the host; instructions / (ipc × clock) on the MCU targets. */
  readonly measuredMs: number;
  /** Cost-model estimate on the device that runs the layer (µs); absent on the host. */
  readonly estUs?: number;
  /** stm32n6: both devices' estimates (µs), where the layer can run. */
  readonly estNpuUs?: number;
  readonly estCpuUs?: number;
}

export interface ProfileSegment {
  readonly name: string;
  readonly device: Device;
  readonly measured: number;
  readonly measuredMs: number;
  /** Sum of the segment's layers' estimates on its device, and on the CPU (µs). */
  readonly estUs: number;
  readonly estCpuUs: number;
}

export interface ProfileReport {
  readonly target: ProfileTarget;
  readonly where: string;
  readonly unit: 'ns' | 'instructions';
  /** MCU targets: the conversion of instructions to ms. */
  readonly cpuClockHz?: number;
  readonly ipc?: number;
  readonly layers: readonly ProfileRow[];
  /** Entries of the C tables (NAME_profile), all summed into `layers`. */
  readonly timedBlocks: number;
  readonly segments?: readonly ProfileSegment[];
  /** Sum of the layers' measured times. */
  readonly totalMeasured: number;
  /** The whole NAME_run (boundary copies included) where measured: host ns, cortex-m55 instructions. */
  readonly runMeasured?: number;
  readonly runMeasuredMs?: number;
  /** Sum of the rows' estimates (µs), MCU targets. */
  readonly totalEstUs?: number;
  /** Why a column is missing, when one is. */
  readonly note?: string;
}

export interface ProfileOptions {
  readonly target: ProfileTarget;
  /** cortex-m55: no MVE; optimisation level. */
  readonly scalar?: boolean;
  readonly opt?: '-O2' | '-Os';
  /** stm32n6: run the emulated program on the host (ns) instead of QEMU. */
  readonly host?: boolean;
  readonly cacheDir?: string;
}

/** Builds `g` (lowered) with -DHSQ_PROFILE for the target, runs it on `inputs`, returns outputs and the profile. */
export async function profileModel(g: Graph, inputs: Record<string, Tensor>, opts: ProfileOptions): Promise<{ outputs: Record<string, Tensor>; report: ProfileReport }> {
  if (opts.target === 'host') {
    const { profileHostC } = await import('../targets/host/run');
    const r = await profileHostC(g, inputs, { cacheDir: opts.cacheDir });
    const layers = r.program.models[0].profile.map((l, i): ProfileRow => ({
      name: l.name, op: l.op, blocks: [l.name], measured: r.layerNs[i], measuredMs: r.layerNs[i] / 1e6,
    }));
    return {
      outputs: r.outputs,
      report: { target: 'host', where: 'host C (-O2), CLOCK_MONOTONIC, second of two runs', unit: 'ns', layers, timedBlocks: layers.length, totalMeasured: sum(layers.map((l) => l.measured)), runMeasured: r.totalNs, runMeasuredMs: r.totalNs / 1e6 },
    };
  }
  if (opts.target === 'cortex-m55') {
    const { runM55Batch } = await import('../targets/cortex-m55/run');
    const r = await runM55Batch([{ graph: g, inputs: [inputs] }], { profile: true, scalar: opts.scalar, opt: opts.opt, cacheDir: opts.cacheDir });
    // Estimates from placement's per-layer estCpu; a graph it cannot describe still gets its profile.
    let placement: Placement | undefined;
    let noEstimates: string | undefined;
    try { placement = placeGraph(g, STM32N6_PLACEMENT).placement; } catch (err) { noEstimates = `no estimates: placement failed (${(err as Error).message})`; }
    const params = placement?.params ?? defaultCostParams;
    const conv = instrToMs(params);
    const ticks = r.stats.profileTicks![0][0];
    const layers = groupRows(r.stats.program.models[0].profile, ticks.map((t) => t * TICK_INSTR), placement, conv, 'm55');
    return {
      outputs: r.outputs[0][0],
      report: {
        target: 'cortex-m55', where: `QEMU mps3-an547 (-icount shift=0), ${opts.scalar ? 'scalar, ' : ''}${opts.opt ?? '-O2'}`,
        unit: 'instructions', cpuClockHz: params['cpu.clockHz'], ipc: params['cpu.ipc'], layers, timedBlocks: ticks.length,
        totalMeasured: sum(layers.map((l) => l.measured)), runMeasured: r.stats.instructions?.[0]?.[0],
        runMeasuredMs: r.stats.instructions ? conv(r.stats.instructions[0][0]) : undefined,
        totalEstUs: sum(layers.map((l) => l.estUs ?? 0)), ...(noEstimates ? { note: noEstimates } : {}),
      },
    };
  }
  const { profileStm32n6 } = await import('../targets/stm32n6/run');
  const r = await profileStm32n6(g, inputs, { host: opts.host, cacheDir: opts.cacheDir });
  const e = r.program.emitted;
  const params = e.placement.params ?? defaultCostParams;
  const perTick = opts.host ? 1 : TICK_INSTR;
  const conv = opts.host ? (v: number) => v / 1e6 : instrToMs(params);
  const layers: ProfileRow[] = [];
  const segments: ProfileSegment[] = [];
  e.schedule.forEach((s, k) => {
    // The segment model's own table (its emitter may fuse nodes): ONNX names and ops as the C has them.
    const blocks = r.layers[k].map((b): ProfileLayer => ({ name: b.name, op: b.op, nodes: [b.name] }));
    const rows = groupRows(blocks, r.layers[k].map((b) => b.ticks * perTick), e.placement, conv, 'n6')
      .map((row) => ({ ...row, segment: s.name }));
    layers.push(...rows);
    const measured = r.segmentTicks[k] * perTick;
    segments.push({ name: s.name, device: s.device, measured, measuredMs: conv(measured), estUs: sum(rows.map((x) => x.estUs ?? 0)), estCpuUs: sum(rows.map((x) => x.estCpuUs ?? 0)) });
  });
  return {
    outputs: r.outputs,
    report: {
      target: 'stm32n6',
      where: `${opts.host ? 'host' : 'QEMU mps3-an547 (-icount shift=0)'}, NPU segments emulated by hsq's int8 kernels (HSQ_NPU_EMULATION)`,
      unit: opts.host ? 'ns' : 'instructions', ...(opts.host ? {} : { cpuClockHz: params['cpu.clockHz'], ipc: params['cpu.ipc'] }),
      layers, segments, timedBlocks: sum(r.layers.map((l) => l.length)), totalMeasured: sum(layers.map((l) => l.measured)), totalEstUs: sum(layers.map((l) => l.estUs ?? 0)),
    },
  };
}

/** Instructions per SysTick tick under -icount shift=0 on mps3-an547 (runtime-c/m55/hsq_m55.h). */
const TICK_INSTR = 31.25;

function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

function instrToMs(params: Readonly<Record<string, number>>): (instr: number) => number {
  return (instr) => (instr / (params['cpu.ipc'] * params['cpu.clockHz'])) * 1e3;
}

/** Sums the blocks of each placement layer (first-seen order); blocks no layer claims stay rows. */
function groupRows(blocks: readonly ProfileLayer[], measured: readonly number[], p: Placement | undefined, toMs: (v: number) => number, mode: 'm55' | 'n6'): ProfileRow[] {
  const byName = new Map((p?.layers ?? []).map((l) => [l.name, l]));
  const rows = new Map<string, { name: string; op: string; blocks: string[]; measured: number; layer?: Placement['layers'][number] }>();
  blocks.forEach((b, i) => {
    const lname = p ? [...b.nodes, b.name].map((n) => p.layerOfNode[n]).find((x) => x !== undefined)
      ?? p.layers.find((l) => l.name === b.name || l.origin.includes(b.name))?.name : undefined;
    const layer = lname !== undefined ? byName.get(lname) : undefined;
    const key = layer ? `L:${layer.name}` : `B:${i}`;
    let row = rows.get(key);
    if (!row) { row = { name: layer?.name ?? b.name, op: layer?.op ?? b.op, blocks: [], measured: 0, layer }; rows.set(key, row); }
    row.blocks.push(b.name);
    row.measured += measured[i];
  });
  return [...rows.values()].map((r): ProfileRow => {
    const l = r.layer;
    const base = { name: r.name, op: r.op, blocks: r.blocks, measured: r.measured, measuredMs: toMs(r.measured) };
    if (!l) return base;
    // The whole model on the M55: the CPU estimate (estimateCpuLayer at the layer's precision).
    if (mode === 'm55') return { ...base, estUs: l.estCpu?.us };
    return { ...base, device: l.device, estUs: l.est?.us, estNpuUs: l.estNpu?.us, estCpuUs: l.estCpu?.us };
  });
}

// ------------------------------------------------------------------------------------ text

const int = (v: number) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '?');
const ms = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(3));

/** The profile as a table: one row per layer, then totals (and segments for stm32n6). */
export function formatProfile(r: ProfileReport): string {
  const mcu = r.unit === 'instructions';
  const n6 = r.target === 'stm32n6';
  const out: string[] = [];
  out.push(`profile on ${r.target}: ${r.where}`);
  if (mcu) out.push(`measured: executed instructions (not cycles); ms = instructions / (${r.ipc} instr/cycle × ${(r.cpuClockHz! / 1e6).toFixed(0)} MHz), the cost model's cpu.ipc and cpu.clockHz`);
  else out.push('measured: wall time in ns' + (r.target === 'host' ? '; no cost-model estimate on the host' : ''));
  if (r.note) out.push(r.note);
  if (n6) out.push('est NPU/CPU ms: the cost model on each device (dev: placement\'s choice). Every layer runs on the Cortex-M55 here (NPU segments emulated), so meas/est compares with est CPU');
  const head = ['#', 'layer', 'op', ...(n6 ? ['dev'] : []), mcu ? 'instructions' : 'ns', 'meas ms',
    ...(n6 ? ['est NPU ms', 'est CPU ms'] : ['est ms']), 'meas/est'];
  const toMs = (us: number | undefined) => (us !== undefined ? us / 1000 : undefined);
  const ratio = (m: number, e: number | undefined) => (e !== undefined && e > 0 ? (m / e).toFixed(2) : '-');
  const rows: string[][] = r.layers.map((l, i) => {
    const est = toMs(n6 ? l.estCpuUs : l.estUs);
    return [String(i), l.name, l.op, ...(n6 ? [l.device ?? '-'] : []), int(l.measured), ms(l.measuredMs),
      ...(n6 ? [ms(toMs(l.estNpuUs)), ms(toMs(l.estCpuUs))] : [ms(est)]), ratio(l.measuredMs, est)];
  });
  const totalMs = sum(r.layers.map((l) => l.measuredMs));
  if (n6) {
    const estCpu = sum(r.layers.map((l) => l.estCpuUs ?? 0)) / 1000;
    rows.push(['', 'total (sum of layers)', '', '', int(r.totalMeasured), ms(totalMs), '', ms(estCpu), ratio(totalMs, estCpu)]);
    rows.push(['', 'as placed (est on dev)', '', '', '', '', ms(toMs(r.totalEstUs)), '', '']);
  } else {
    const totEst = toMs(r.totalEstUs);
    rows.push(['', 'total (sum of layers)', '', int(r.totalMeasured), ms(totalMs), ms(totEst), ratio(totalMs, totEst)]);
  }
  if (r.runMeasured !== undefined) {
    rows.push(['', 'whole run (with I/O copies)', '', ...(n6 ? [''] : []), int(r.runMeasured), ms(r.runMeasuredMs), ...(n6 ? ['', ''] : ['']), '']);
  }
  out.push(...table(head, rows));
  if (r.segments) {
    out.push('');
    out.push('segments (the glue\'s timing of each segment, boundary copies and cache maintenance included):');
    out.push(...table(['segment', 'dev', mcu ? 'instructions' : 'ns', 'meas ms', 'est ms on dev', 'est CPU ms'],
      r.segments.map((s) => [s.name, s.device, int(s.measured), ms(s.measuredMs), ms(s.estUs / 1000), ms(s.estCpuUs / 1000)])));
  }
  return out.join('\n') + '\n';
}

function table(head: string[], rows: string[][]): string[] {
  const w = head.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const textCols = new Set(head.map((h, c) => (['layer', 'op', 'dev', 'segment'].includes(h) ? c : -1)).filter((c) => c >= 0));
  const fmt = (r: string[]) => r.map((v, c) => (textCols.has(c) ? v.padEnd(w[c]) : v.padStart(w[c]))).join('  ').trimEnd();
  return [fmt(head), ...rows.map(fmt)];
}

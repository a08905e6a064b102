// Writes one model as C99: NAME.h (API), NAME.c (the schedule, one call per layer) and
// NAME_weights.c (the constant blob), plus the runtime sources. Deterministic: output depends
// only on the graph and the options.
import { fail } from '../../core/diagnostics';
import { quantRange } from '../../core/numerics';
import { intRange } from '../../core/ir/dtype';
import { Graph, Node, TensorInfo } from '../../core/ir/graph';
import { numel } from '../../core/ir/tensor';
import { planMemory, PlanItem } from '../../core/memory-planner';
import { safeComment } from './comment';
import { ModelContext, NodeContext } from './context';
import { HSQ_DTYPE_NAME, byteSize, cFloat, cIdent, channelsLast, ctype, physStrides, rowMajor } from './ctypes';
import { ndLoop } from './nd-loop';
import { findEmitter } from './ops';
import { runtimeSources } from './runtime-files';
import { WeightsFormat, weightsSourceC, weightsSourceIncbin } from './weights';
import { LutChain, findLutChains } from './lut';
import { findSoftmaxChains } from './qsoftmax';
import { emitSoftmaxRows } from './ops/softmax';
import { traceNameC } from './trace';
import { withInjectedFault } from './fault-inject';

function emitLut(ctx: NodeContext, lut: LutChain): void {
  const xi = ctx.model.info(lut.input), yi = ctx.model.info(lut.output);
  const xt = ctype(xi.dtype).name, yt = ctype(yi.dtype).name;
  const table = yt === 'int8_t' ? Int8Array.from(lut.table) : Uint8Array.from(lut.table);
  const tp = ctx.weight(new Uint8Array(table.buffer), yt);
  const n = numel(xi.shape);
  ctx.emit('  {',
    `    const ${xt}* x = ${ctx.ptrOf(lut.input)};`,
    `    ${yt}* y = ${ctx.ptrOf(lut.output, true)};`,
    `    const ${yt}* t = ${tp};`,
    `    const ${xt}* const xend = x + ${n};`,
    `    for (; x != xend; x++, y++) *y = t[(uint8_t)*x];`,
    '  }');
}

/** A chain of IR nodes emitted as one block at its last node (a lookup table, a quantized
 *  softmax): reads `input`, writes `output`; the tensors between are never stored. */
interface ChainBlock {
  readonly nodes: readonly Node[];
  readonly input: string;
  readonly output: string;
  /** The node the block's NodeContext stands for. */
  readonly node: Node;
  readonly what: string;
  readonly emit: (ctx: NodeContext) => void;
}

/** Every chain the portable C emits as one block, keyed by the node that ends it. */
function findChains(g: Graph): Map<Node, ChainBlock> {
  const res = new Map<Node, ChainBlock>();
  const names = (nodes: readonly Node[]) => nodes.map((m) => `'${m.name}' (${m.op})`).join(' -> ');
  for (const [q, lut] of findLutChains(g)) {
    res.set(q, { nodes: lut.nodes, input: lut.input, output: lut.output, node: q, what: `lookup table for ${names(lut.nodes)}`, emit: (ctx) => emitLut(ctx, lut) });
  }
  for (const [q, sm] of findSoftmaxChains(g)) {
    res.set(q, { nodes: sm.nodes, input: sm.node.inputs[0], output: sm.node.outputs[0], node: sm.node, what: `quantized ${sm.node.op} (dequantize, float32, quantize) for ${names(sm.nodes)}`, emit: (ctx) => emitSoftmaxRows(ctx, sm.log, sm.quant) });
  }
  return res;
}

export interface EmitOptions {
  /** Model name: file names and the prefix of every symbol. */
  readonly name: string;
  readonly weightsFormat?: WeightsFormat;
  /** Layout of 4-D tensors at the public API (default: the model's own, NCHW). */
  readonly layout?: 'nchw' | 'nhwc';
  /** Leave the runtime-c sources out (when several models share one copy). */
  readonly omitRuntime?: boolean;
  /** Lets a target emit its own code for a node (e.g. generated per-layer kernels); returns
   * true when it did, false to use the portable emitter. */
  readonly kernelOverride?: (ctx: NodeContext) => boolean;
}

/** One timed block of the schedule (an entry of NAME_profile under -DHSQ_PROFILE). */
export interface ProfileLayer {
  /** The ONNX node: origin[0] of a fused node, the compute node of a lookup-table chain. */
  readonly name: string;
  readonly op: string;
  /** IR nodes the block computes. */
  readonly nodes: readonly string[];
}

/** One hsq_trace_layer call of a -DHSQ_TRACE build (its index is the position in EmittedC.trace). */
export interface TracePoint {
  /** The IR tensor traced (its traceName is the line's name). */
  readonly tensor: string;
  /** The layer (ProfileLayer name) that wrote it. */
  readonly layer: string;
}

export interface EmittedC {
  readonly files: Record<string, string | Uint8Array>;
  /** The calls of hsq_trace_layer in order (-DHSQ_TRACE builds). */
  readonly trace: readonly TracePoint[];
  /** The blocks of NAME_forward in order: NAME_profile[k] times profile[k]. */
  readonly profile: readonly ProfileLayer[];
  readonly arenaSize: number;
  /** Most bytes live at any step of the schedule: no plan can use less. */
  readonly arenaLowerBound: number;
  readonly weightsSize: number;
  /** Bytes each node added to the weights blob (with the alignment before them); nodes that
   *  added none are absent. The blob is these plus its final padding to 16 bytes. */
  readonly weightBytesByNode: Readonly<Record<string, number>>;
  readonly name: string;
}

const ALIGN = 16;

export function describeTensor(info: TensorInfo): string {
  let s = `${info.dtype}[${info.shape.join(',')}]`;
  const q = info.quant;
  if (q) {
    const kind = q.bipolar ? 'bipolar' : `${q.signed ? 'int' : 'uint'}${q.bits}`;
    s += ` ${kind}${q.axis !== undefined ? ` per-axis(${q.axis})` : ''}`;
  }
  const gq = info.weightGrid;
  if (gq) s += ` (weight-only ${gq.bipolar ? 'bipolar' : `${gq.signed ? 'int' : 'uint'}${gq.bits}`}${gq.axis !== undefined ? ` per-axis(${gq.axis})` : ''})`;
  return s;
}

function nodeComment(g: Graph, n: Node): string {
  const ins = n.inputs.filter((i) => i && !(i in g.initializers)).map((i) => `${i}: ${describeTensor(g.tensors[i])}`);
  const ws = n.inputs.filter((i) => i && i in g.initializers).map((i) => `${i}: ${describeTensor(g.tensors[i] ?? { ...g.initializers[i], name: i })}`);
  const outs = n.outputs.filter((o) => o).map((o) => `${o}: ${describeTensor(g.tensors[o])}`);
  const origin = n.origin && n.origin.length ? ` from ${n.origin.join(' + ')}` : '';
  const dom = n.domain ? `${n.domain}.` : '';
  let s = `node '${n.name}' (${dom}${n.op}${origin}): ${ins.join(', ')} -> ${outs.join(', ')}`;
  if (ws.length) s += `; const ${ws.join(', ')}`;
  return `/* ${safeComment(s)} */`;
}

const BOUNDARY_OPS = new Set(['QuantizeLinear', 'DequantizeLinear']);

/** The ONNX name and op of a block: a lookup table is named after its compute node. */
function profileLayerOf(nodes: readonly Node[]): ProfileLayer {
  const core = nodes.find((n) => !BOUNDARY_OPS.has(n.op)) ?? nodes[nodes.length - 1];
  return { name: core.origin?.[0] ?? core.name, op: core.op, nodes: nodes.map((n) => n.name) };
}

/** The blocks emitModel(g) times, in schedule order: a lookup-table chain is one block, every
 * other node one. (A target emitter that rewrites the graph first, as cortex-m55's fusion does,
 * has its own list: read EmittedC.profile or NAME_profile_names.) */
export function profileLayers(g: Graph, luts: ReadonlyMap<Node, { readonly nodes: readonly Node[] }> = findChains(g)): ProfileLayer[] {
  const inLut = new Set<Node>();
  for (const ch of luts.values()) for (const n of ch.nodes) inLut.add(n);
  const out: ProfileLayer[] = [];
  for (const n of g.nodes) {
    const lut = luts.get(n);
    if (lut) out.push(profileLayerOf(lut.nodes));
    else if (!inLut.has(n)) out.push(profileLayerOf([n]));
  }
  return out;
}

function cString(s: string): string {
  // Non-ASCII and control characters become '?'; every '?' is escaped (no trigraphs in -std=c99).
  return `"${s.replace(/[^\x20-\x7e]/g, '?').replace(/[\\"?]/g, (c) => `\\${c}`)}"`;
}

function macroFloat(v: number): string {
  return `(${cFloat(v)})`;
}

export function runtimeInputs(g: Graph): string[] {
  return g.inputs.filter((n) => !(n in g.initializers));
}

export function emitModel(g0: Graph, opts: EmitOptions): EmittedC {
  // HSQ_FAULT_INJECT (tests only): the C computes a wrong layer, to prove verify finds it.
  const g = withInjectedFault(g0);
  const P = cIdent(opts.name);
  const UP = P.toUpperCase();
  const mc = new ModelContext(g, P);
  const inputs = runtimeInputs(g);
  const outputs = [...g.outputs];
  const nSteps = g.nodes.length + 2;

  // Quantized unary chains become lookup tables, quantized softmaxes one 8-bit block (emitted
  // at their QuantizeLinear).
  const luts = findChains(g);
  const inLut = new Set<Node>();
  for (const ch of luts.values()) for (const n of ch.nodes) inLut.add(n);

  // Emit every node; `reads` are the tensors each step reads (for lifetimes).
  const bodies: string[][] = [];
  const reads: string[][] = [];
  const writes: string[][] = [];
  // Profiling: every block is timed, HSQ_PROFILE_BEGIN/END(k) around it (k-th of profileLayers).
  const profile = profileLayers(g, luts);
  let block = 0;
  // Tracing (-DHSQ_TRACE): every tensor a block writes, right after the block.
  const trace: TracePoint[] = [];
  const timed = (comment: string, lines: readonly string[], outs: readonly string[]): string[] => {
    const k = block++;
    const traced = outs.filter((t) => t && !mc.isConst(t)).map((t) => {
      trace.push({ tensor: t, layer: profile[k].name });
      return `  HSQ_TRACE_LAYER(${trace.length - 1}, ${traceNameC(t)}, A + @@T:${t}@@, ${Math.max(byteSize(mc.info(t)), 0)});`;
    });
    return [comment, `  HSQ_PROFILE_BEGIN(${k});`, ...lines, `  HSQ_PROFILE_END(${k});`, ...traced];
  };
  function emitNode(n: Node, i: number): void {
    const lut = luts.get(n);
    const ctx = new NodeContext(mc, lut ? lut.node : n, i + 1);
    if (lut) {
      lut.emit(ctx);
      bodies.push(timed(`  /* ${safeComment(`${lut.what}: ${lut.input}: ${describeTensor(g.tensors[lut.input])} -> ${lut.output}: ${describeTensor(g.tensors[lut.output])}`)} */`, ctx.lines, [lut.output]));
      reads.push([lut.input]);
      writes.push([lut.output]);
      return;
    }
    if (inLut.has(n)) { bodies.push([]); reads.push([]); writes.push([]); return; }
    const em = opts.kernelOverride?.(ctx) ? () => {} : findEmitter(n);
    if (!em) fail('unsupported', `node '${n.name}': op ${n.domain ? n.domain + '.' : ''}${n.op} is not supported by the C backend`, n.name);
    em(ctx);
    bodies.push(timed(`  ${nodeComment(g, n)}`, ctx.lines, n.outputs));
    reads.push([...n.inputs]);
    writes.push([...n.outputs]);
  }
  // What each node adds to the weights blob (measured, for the report's per-layer flash).
  const weightBytesByNode: Record<string, number> = {};
  g.nodes.forEach((n, i) => {
    const before = mc.weights.length;
    emitNode(n, i);
    const added = mc.weights.length - before;
    if (added > 0) weightBytesByNode[n.name] = (weightBytesByNode[n.name] ?? 0) + added;
  });
  if (block !== profile.length) throw new Error(`internal: ${block} timed blocks, ${profile.length} profile layers`);

  // Lifetimes of activations.
  const first = new Map<string, number>(), last = new Map<string, number>();
  const touch = (t: string, s: number) => {
    if (!t || mc.isConst(t)) return;
    if (!first.has(t)) first.set(t, s);
    last.set(t, Math.max(last.get(t) ?? s, s));
  };
  for (const t of inputs) touch(t, 0);
  g.nodes.forEach((_, i) => { for (const t of reads[i]) touch(t, i + 1); for (const t of writes[i]) touch(t, i + 1); });
  for (const t of outputs) touch(t, nSteps - 1);
  const items: PlanItem[] = [];
  for (const [t, f] of first) items.push({ id: `T:${t}`, size: Math.max(byteSize(mc.info(t)), 1), first: f, last: last.get(t)!, align: ALIGN });
  for (const s of mc.scratch) items.push({ id: `S:${s.id}`, size: s.size, first: s.step, last: s.step, align: ALIGN });
  const plan = planMemory(items, [{ name: 'arena' }]);
  const arenaSize = Math.ceil((plan.poolSizes['arena'] ?? 0) / ALIGN) * ALIGN;
  const offsetOf = (id: string): number => {
    const p = plan.offsets.get(id);
    if (!p) throw new Error(`internal: no arena offset for ${id}`);
    return p.offset;
  };
  const resolve = (s: string) => s.replace(/@@([TS]):(.*?)@@/g, (_, k: string, id: string) => String(offsetOf(`${k}:${id}`)));

  const tensorPtr = (t: string, mutable: boolean): string => {
    const ct = ctype(mc.info(t).dtype, t);
    if (mc.isConst(t)) return `((const ${ct.name}*)(W + ${mc.constOffset(t)}))`;
    return `((${mutable ? '' : 'const '}${ct.name}*)(A + ${offsetOf(`T:${t}`)}))`;
  };

  // Boundary copies: public layout <-> internal (NHWC for 4-D).
  const boundary = (t: string, dir: 'in' | 'out', user: string, conv: 'copy' | 'quant'): string[] => {
    const info = mc.info(t);
    const ct = ctype(info.dtype, t);
    const n = numel(info.shape);
    const internal = tensorPtr(t, dir === 'in');
    const q = info.quant;
    const lines: string[] = [];
    const perTensorQuant = q && q.axis === undefined && q.scale.length === 1;
    let elem: (dst: string, src: string) => string;
    let userType = ct.name;
    if (conv === 'quant') {
      userType = 'float';
      if (ct.float) elem = (d, s) => `${d} = ${s};`;
      else if (perTensorQuant) {
        const [lo, hi] = quantRangeOf(info);
        elem = dir === 'in'
          ? (d, s) => `${d} = (${ct.name})hsq_quantize(${s}, ${cFloat(q!.scale[0])}, ${q!.zeroPoint[0]}, ${lo}, ${hi});`
          : (d, s) => `${d} = hsq_dequantize(${s}, ${cFloat(q!.scale[0])}, ${q!.zeroPoint[0]});`;
      } else return [`  return HSQ_E_DTYPE; /* ${dir}put '${safeComment(t)}' is ${info.dtype} without per-tensor quantization */`];
    } else elem = (d, s) => `${d} = ${s};`;
    const src = dir === 'in' ? `((const ${userType}*)${user})` : internal;
    const dst = dir === 'in' ? internal : `((${userType}*)${user})`;
    if (conv === 'copy' && !channelsLast(info.shape)) {
      lines.push(`  memcpy(${dir === 'in' ? `A + ${offsetOf(`T:${t}`)}` : user}, ${dir === 'in' ? user : internal}, ${n * ct.size});`);
      return lines;
    }
    const phys = physStrides(info.shape), logical = rowMajor(info.shape);
    const userStrides = channelsLast(info.shape) ? phys : logical;
    const dType = dir === 'in' ? ct.name : userType, sType = `const ${dir === 'in' ? userType : ct.name}`;
    const loop = (us: readonly number[]) => [
      '  {',
      `    ${dType}* d = ${dst};`,
      `    ${sType}* s = ${src};`,
      ...ndLoop(info.shape,
        dir === 'in' ? [{ strides: phys, ptr: 'd', type: dType }, { strides: us, ptr: 's', type: sType }] : [{ strides: us, ptr: 'd', type: dType }, { strides: phys, ptr: 's', type: sType }],
        ([a, b]) => [elem(a, b)], '    '),
      '  }',
    ];
    if (channelsLast(info.shape)) {
      lines.push(`#if ${UP}_LAYOUT_NHWC`);
      lines.push(...loop(userStrides));
      lines.push('#else');
      lines.push(...loop(logical));
      lines.push('#endif');
    } else lines.push(...loop(logical));
    return lines;
  };

  const usesExp = bodies.some((b) => b.some((l) => l.includes('hsq_expf')));

  // ---- NAME.c
  const c: string[] = [];
  c.push(`/* ${P}: schedule of the model '${safeComment(g.name)}'. Generated by hsq; do not edit. */`);
  c.push(`#include "${P}.h"`);
  if (usesExp) c.push('#include "hsq_expf.h"');
  c.push('');
  for (const s of mc.statics) c.push(resolve(s));
  if (mc.statics.length) c.push('');
  c.push('#ifdef HSQ_PROFILE');
  c.push(`/* Per-layer time of the last run in hsq_profile_now() ticks (hsq_runtime.h): a static table, debug builds only. */`);
  c.push('#undef HSQ_PROFILE_TABLE');
  c.push(`#define HSQ_PROFILE_TABLE ${P}_profile`);
  c.push(`uint64_t ${P}_profile[${Math.max(profile.length, 1)}];`);
  c.push(`const char* const ${P}_profile_names[${Math.max(profile.length, 1)}] = { ${profile.length ? profile.map((l) => cString(l.name)).join(', ') : '""'} };`);
  c.push(`const char* const ${P}_profile_ops[${Math.max(profile.length, 1)}] = { ${profile.length ? profile.map((l) => cString(l.op)).join(', ') : '""'} };`);
  c.push('#endif');
  c.push('');
  c.push(`static void ${P}_forward(uint8_t* A) {`);
  c.push(`  const uint8_t* W = ${P}_weights;`);
  c.push('  (void)A;');
  c.push('  (void)W;');
  for (const b of bodies) for (const l of b) c.push(resolve(l));
  c.push('}');
  c.push('');
  const runFn = (kind: 'copy' | 'quant') => {
    const fname = kind === 'copy' ? `${P}_run` : `${P}_run_float`;
    const sig = kind === 'copy'
      ? `int ${fname}(const void* const* inputs, void* const* outputs, void* arena)`
      : `int ${fname}(const float* const* inputs, float* const* outputs, void* arena)`;
    c.push(`${sig} {`);
    c.push('  uint8_t* A = (uint8_t*)arena;');
    c.push(`  const uint8_t* W = ${P}_weights;`);
    c.push('  (void)W;');
    c.push('  if (!arena || (!inputs && ' + inputs.length + ') || (!outputs && ' + outputs.length + ')) return HSQ_E_ARG;');
    inputs.forEach((t, i) => { c.push(`  /* input ${i}: ${safeComment(t)} */`); c.push(...boundary(t, 'in', `inputs[${i}]`, kind)); });
    c.push(`  ${P}_forward(A);`);
    outputs.forEach((t, i) => { c.push(`  /* output ${i}: ${safeComment(t)} */`); c.push(...boundary(t, 'out', `outputs[${i}]`, kind)); });
    c.push('  return HSQ_OK;');
    c.push('}');
    c.push('');
  };
  runFn('copy');
  runFn('quant');

  // ---- NAME.h
  const h: string[] = [];
  const guard = `${UP}_H`;
  h.push(`/* ${P}: C99 model '${safeComment(g.name)}' generated by hsq; do not edit.`);
  h.push(' *');
  h.push(` *   static uint8_t arena[${UP}_ARENA_SIZE];   (16-byte aligned; holds all activations)`);
  h.push(` *   int rc = ${P}_run(inputs, outputs, arena);`);
  h.push(' *');
  h.push(` * ${P}_run takes one pointer per input/output, in the order below, to data of the listed`);
  h.push(' * dtype and shape (sub-byte types unpacked, one element a byte). 4-D tensors are NCHW at the');
  h.push(` * API unless ${UP}_LAYOUT_NHWC is defined to 1 when compiling ${P}.c (then NHWC, no copy).`);
  h.push(` * ${P}_run_float takes float32 for every tensor: quantized ones are quantized on the way in`);
  h.push(' * and dequantized on the way out with the scale and zero point below.');
  h.push(' * Returns HSQ_OK (0), or a negative HSQ_E_* code. Reentrant: all state is in the arena (a');
  h.push(` * -DHSQ_PROFILE debug build adds one static table, ${P}_profile: see below).`);
  h.push(' * No malloc, no globals; symbols are prefixed with the model name. */');
  h.push(`#ifndef ${guard}`);
  h.push(`#define ${guard}`);
  h.push('');
  h.push('#include "hsq_runtime.h"');
  h.push('');
  h.push('#ifdef __cplusplus');
  h.push('extern "C" {');
  h.push('#endif');
  h.push('');
  h.push(`#ifndef ${UP}_LAYOUT_NHWC`);
  h.push(`#define ${UP}_LAYOUT_NHWC ${opts.layout === 'nhwc' ? 1 : 0}`);
  h.push('#endif');
  h.push('');
  h.push(`#define ${UP}_ARENA_SIZE ${arenaSize}`);
  h.push(`#define ${UP}_WEIGHTS_SIZE ${mc.weights.length}`);
  h.push(`#define ${UP}_NUM_INPUTS ${inputs.length}`);
  h.push(`#define ${UP}_NUM_OUTPUTS ${outputs.length}`);
  const describe = (kind: 'INPUT' | 'OUTPUT', i: number, t: string) => {
    const info = mc.info(t);
    const ct = ctype(info.dtype, t);
    const m = `${UP}_${kind}${i}`;
    h.push('');
    h.push(`/* ${kind.toLowerCase()} ${i}: ${safeComment(describeTensor(info))} */`);
    h.push(`#define ${m}_NAME "${t.replace(/["\\]/g, '_')}"`);
    h.push(`#define ${m}_DTYPE ${HSQ_DTYPE_NAME[ct.code]}`);
    h.push(`#define ${m}_RANK ${info.shape.length}`);
    if (channelsLast(info.shape)) {
      const [N, C, H, Wd] = info.shape;
      h.push(`#if ${UP}_LAYOUT_NHWC`);
      h.push(`#define ${m}_SHAPE { ${[N, H, Wd, C].join(', ')} }`);
      h.push('#else');
      h.push(`#define ${m}_SHAPE { ${info.shape.join(', ')} }`);
      h.push('#endif');
    } else h.push(`#define ${m}_SHAPE { ${info.shape.join(', ')} }`);
    h.push(`#define ${m}_SIZE ${numel(info.shape)}`);
    h.push(`#define ${m}_BYTES ${numel(info.shape) * ct.size}`);
    const q = info.quant;
    if (q && q.axis === undefined && q.scale.length === 1) {
      h.push(`#define ${m}_SCALE ${macroFloat(q.scale[0])}`);
      h.push(`#define ${m}_ZERO_POINT ${q.zeroPoint[0]}`);
      h.push(`#define ${m}_BITS ${q.bits}`);
    }
  };
  inputs.forEach((t, i) => describe('INPUT', i, t));
  outputs.forEach((t, i) => describe('OUTPUT', i, t));
  h.push('');
  h.push(`/* Layers of the schedule; -DHSQ_PROFILE times each one (hsq_runtime.h): ${P}_profile[k] holds`);
  h.push(` * the last run's ticks of the layer ${P}_profile_names[k] (ONNX node), op ${P}_profile_ops[k]. */`);
  h.push(`#define ${UP}_NUM_LAYERS ${profile.length}`);
  h.push('#ifdef HSQ_PROFILE');
  h.push(`extern uint64_t ${P}_profile[];`);
  h.push(`extern const char* const ${P}_profile_names[];`);
  h.push(`extern const char* const ${P}_profile_ops[];`);
  h.push('#endif');
  h.push('');
  h.push(`extern const uint8_t ${P}_weights[];`);
  h.push('');
  h.push(`int ${P}_run(const void* const* inputs, void* const* outputs, void* arena);`);
  h.push(`int ${P}_run_float(const float* const* inputs, float* const* outputs, void* arena);`);
  h.push('');
  h.push('#ifdef __cplusplus');
  h.push('}');
  h.push('#endif');
  h.push('#endif');
  h.push('');

  const blob = mc.weights.bytes();
  const files: Record<string, string | Uint8Array> = {};
  files[`${P}.h`] = h.join('\n');
  files[`${P}.c`] = c.join('\n');
  if (opts.weightsFormat === 'incbin') {
    files[`${P}_weights.bin`] = blob;
    files[`${P}_weights.c`] = weightsSourceIncbin(`${P}_weights`, `${P}.h`, `${P}_weights.bin`, blob.length);
  } else {
    files[`${P}_weights.c`] = weightsSourceC(`${P}_weights`, `${P}.h`, blob);
  }
  if (!opts.omitRuntime) Object.assign(files, runtimeSources());
  return { files, trace, profile, arenaSize, arenaLowerBound: plan.lowerBound, weightsSize: blob.length, weightBytesByNode, name: P };
}

export function quantRangeOf(info: TensorInfo): [number, number] {
  const q = info.quant;
  if (q) return quantRange(q.bits, q.signed, q.narrow);
  const r = intRange(info.dtype);
  // Wider or float types clamp at int32 in the C (the accumulator type).
  return r[0] < -2147483648 ? [-2147483648, 2147483647] : r;
}

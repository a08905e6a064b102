// ONNX Runtime as the numerics oracle (DEVELOPERS.md "Numerics"): run a model on hsq Tensor
// values and compare results in quantization steps. One intra-op thread by default so runs
// are reproducible and timings comparable; graph optimizations stay at ORT's default.
import * as path from 'path';
import { floatToHalf, halfToFloat } from '../frontend/onnx/tensor-proto';
import * as vm from 'vm';
import type * as OrtModule from 'onnxruntime-node';
import { DType, arrayCtor } from '../core/ir/dtype';
import { Tensor } from '../core/ir/tensor';

// onnxruntime-node is loaded with Node's own require and fed typed arrays of Node's main
// realm. Under jest, test code runs in a separate realm whose Float32Array differs from the
// one the native addon creates, and onnxruntime-common's `instanceof` checks would reject
// ORT's own outputs. Loading outside jest's registry, passing inputs as main-realm views of
// the same memory and copying outputs into this realm's arrays avoids that (plain Node: the
// realms are one and the views are free).
// (jest replaces `createRequire`, but a Module instance's own `require` is Node's loader.)
function nodeRequire(id: string): unknown {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const M = require('module') as typeof import('module') & { _nodeModulePaths(dir: string): string[] };
  const m = new M(__filename) as InstanceType<typeof import('module')> & { paths: string[]; filename: string };
  m.filename = __filename;
  m.paths = M._nodeModulePaths(path.dirname(__filename));
  return m.require(id);
}
const ort = nodeRequire('onnxruntime-node') as typeof OrtModule;
type MainCtors = {
  Float32Array: Float32ArrayConstructor; Float64Array: Float64ArrayConstructor;
  Int8Array: Int8ArrayConstructor; Uint8Array: Uint8ArrayConstructor;
  Int16Array: Int16ArrayConstructor; Uint16Array: Uint16ArrayConstructor;
  Int32Array: Int32ArrayConstructor; Uint32Array: Uint32ArrayConstructor;
  BigInt64Array: BigInt64ArrayConstructor; BigUint64Array: BigUint64ArrayConstructor;
};
const MAIN: MainCtors = vm.runInThisContext(
  '({Float32Array, Float64Array, Int8Array, Uint8Array, Int16Array, Uint16Array, Int32Array, Uint32Array, BigInt64Array, BigUint64Array})');

/** The same elements as a typed array of the main realm (a view over the same memory). */
function mainView<T extends ArrayBufferView>(a: T): T {
  const name = Object.prototype.toString.call(a).slice(8, -1) as keyof MainCtors;
  const C = MAIN[name] as unknown as new (b: ArrayBufferLike, off: number, len: number) => T;
  return new C(a.buffer, a.byteOffset, (a as unknown as { length: number }).length);
}

export interface OrtOptions {
  /** intra-op threads (default 1). */
  readonly threads?: number;
  /** Graph outputs to fetch (default: all). */
  readonly outputs?: readonly string[];
  /** ORT graph optimization level (default: ORT's own, 'all'). A QONNX reference runs 'disabled'. */
  readonly optimization?: 'disabled' | 'basic' | 'extended' | 'all';
}

type OrtType = OrtModule.Tensor.Type;
type OrtTensor = OrtModule.Tensor;

const TO_ORT: Partial<Record<DType, OrtType>> = {
  float32: 'float32', float16: 'float16', float64: 'float64',
  int8: 'int8', uint8: 'uint8', int16: 'int16', uint16: 'uint16', int32: 'int32', uint32: 'uint32',
  int64: 'int64', uint64: 'uint64', bool: 'bool', int4: 'int4', uint4: 'uint4', string: 'string',
};

// float16 <-> float32 by bit manipulation (round half to even on the way down).

function pack4(data: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array((data.length + 1) >> 1);
  for (let i = 0; i < data.length; i++) out[i >> 1] |= (data[i] & 0x0f) << ((i & 1) * 4);
  return out;
}

/** hsq Tensor → ORT tensor (sub-byte types packed, float16 converted to bits). */
export function toOrtTensor(t: Tensor): OrtTensor {
  const type = TO_ORT[t.dtype];
  if (!type) throw new Error(`dtype ${t.dtype} has no ONNX Runtime tensor type`);
  const dims = [...t.shape];
  switch (t.dtype) {
    case 'string': return new ort.Tensor('string', [...(t.strings ?? [])], dims);
    case 'float16': return new ort.Tensor('float16', mainView(Uint16Array.from(t.data as Float32Array, floatToHalf)), dims);
    case 'int4': case 'uint4': return new ort.Tensor(type, mainView(pack4(t.data as Int8Array)), dims);
    case 'bool': return new ort.Tensor('bool', mainView(Uint8Array.from(t.data as Uint8Array, (v) => (v ? 1 : 0))), dims);
    default: return new ort.Tensor(type, mainView(t.data) as never, dims);
  }
}

/** ORT tensor → hsq Tensor (sub-byte types unpacked, float16 widened to float32 values). */
export function fromOrtTensor(t: OrtTensor): Tensor {
  const shape = t.dims.map(Number);
  const n = shape.reduce((a, b) => a * b, 1);
  switch (t.type) {
    case 'float16': {
      const bits = t.data as Uint16Array;
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = halfToFloat(bits[i]);
      return { dtype: 'float16', shape, data: out };
    }
    case 'int4': case 'uint4': {
      const bytes = t.data as Uint8Array;
      const signed = t.type === 'int4';
      const out = signed ? new Int8Array(n) : new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const nib = (bytes[i >> 1] >> ((i & 1) * 4)) & 0x0f;
        out[i] = signed && nib >= 8 ? nib - 16 : nib;
      }
      return { dtype: t.type, shape, data: out };
    }
    case 'string': return { dtype: 'string', shape, data: new Uint8Array(0), strings: t.data as string[] };
    case 'bool': return { dtype: 'bool', shape, data: Uint8Array.from(t.data as Uint8Array) };
    default: {
      const dtype = (Object.keys(TO_ORT) as DType[]).find((k) => TO_ORT[k] === t.type);
      if (!dtype) throw new Error(`ONNX Runtime output type ${t.type} has no hsq dtype`);
      // A copy in this realm's array type (ORT's buffers may be the main realm's).
      const C = arrayCtor(dtype) as unknown as new (a: ArrayLike<number | bigint>) => Tensor['data'];
      return { dtype, shape, data: new C(t.data as ArrayLike<number | bigint>) };
    }
  }
}

/** An open ORT session, for repeated runs (benchmarks, many inputs on one model). */
export interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(inputs: Record<string, Tensor>, outputs?: readonly string[]): Promise<Record<string, Tensor>>;
  release(): Promise<void>;
}

export async function openOrt(model: Uint8Array | string, opts: OrtOptions = {}): Promise<OrtSession> {
  const sessOpts: OrtModule.InferenceSession.SessionOptions = {
    intraOpNumThreads: opts.threads ?? 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    // Warnings about initializers listed as inputs (old exporters) are noise for an oracle.
    logSeverityLevel: 3,
    ...(opts.optimization ? { graphOptimizationLevel: opts.optimization } : {}),
  };
  const session = typeof model === 'string'
    ? await ort.InferenceSession.create(model, sessOpts)
    : await ort.InferenceSession.create(mainView(model), sessOpts);
  return {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    async run(inputs, outputs) {
      const feeds: Record<string, OrtTensor> = {};
      for (const name of session.inputNames) {
        const t = inputs[name];
        if (!t) throw new Error(`ONNX Runtime: model input '${name}' not given (have: ${Object.keys(inputs).join(', ') || 'none'})`);
        feeds[name] = toOrtTensor(t);
      }
      for (const name of Object.keys(inputs)) {
        if (!session.inputNames.includes(name)) throw new Error(`ONNX Runtime: '${name}' is not a model input (inputs: ${session.inputNames.join(', ')})`);
      }
      const fetch = [...(outputs ?? opts.outputs ?? session.outputNames)];
      let res: Record<string, OrtTensor>;
      try {
        res = await session.run(feeds, fetch);
      } catch (e) {
        throw new Error(`ONNX Runtime run failed: ${(e as Error).message}`);
      }
      const out: Record<string, Tensor> = {};
      for (const name of fetch) out[name] = fromOrtTensor(res[name]);
      return out;
    },
    release: () => session.release(),
  };
}

/** Runs a model once in ONNX Runtime (bytes or a file path) and returns all (or the chosen) outputs. */
export async function runOrt(
  model: Uint8Array | string,
  inputs: Record<string, Tensor>,
  opts: OrtOptions = {},
): Promise<Record<string, Tensor>> {
  const s = await openOrt(model, opts);
  try {
    return await s.run(inputs);
  } finally {
    await s.release();
  }
}

/** Runs a model once per input set in one session. */
export async function runOrtMany(
  model: Uint8Array | string,
  sets: readonly Record<string, Tensor>[],
  opts: OrtOptions = {},
): Promise<Record<string, Tensor>[]> {
  const s = await openOrt(model, opts);
  try {
    const out: Record<string, Tensor>[] = [];
    for (const inputs of sets) out.push(await s.run(inputs));
    return out;
  } finally {
    await s.release();
  }
}

type Values = Tensor | ArrayLike<number>;

// Globals read once: inside jest's vm sandbox every global lookup in a hot loop is slow.
const { abs, round } = Math;

function values(v: Values): ArrayLike<number> {
  if ('dtype' in v && 'data' in v) {
    const d = (v as Tensor).data;
    return d instanceof BigInt64Array || d instanceof BigUint64Array ? Array.from(d, Number) : (d as ArrayLike<number>);
  }
  return v as ArrayLike<number>;
}

function pair(a: Values, b: Values): [ArrayLike<number>, ArrayLike<number>] {
  const x = values(a);
  const y = values(b);
  if (x.length !== y.length) throw new Error(`compared tensors differ in size: ${x.length} vs ${y.length}`);
  if ('shape' in a && 'shape' in b) {
    const sa = (a as Tensor).shape, sb = (b as Tensor).shape;
    if (sa.length !== sb.length || sa.some((d, i) => d !== sb[i])) {
      throw new Error(`compared tensors differ in shape: [${sa.join(',')}] vs [${sb.join(',')}]`);
    }
  }
  return [x, y];
}

/** Largest |a - b| over all elements (NaN on either side counts as Infinity unless both NaN). */
export function maxAbsDiff(a: Values, b: Values): number {
  const [x, y] = pair(a, b);
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    const xi = x[i], yi = y[i];
    if (xi !== xi || yi !== yi) { // NaN
      if (!(xi !== xi && yi !== yi)) return Infinity;
      continue;
    }
    if (xi === yi) continue; // also equal infinities
    const d = abs(xi - yi);
    if (d > m) m = d;
  }
  return m;
}

export interface StepStats {
  /** Largest difference in quantization steps. */
  readonly max: number;
  /** histogram[k]: elements differing by k steps (k = round(|a-b| / scale)). */
  readonly histogram: readonly number[];
  readonly count: number;
  /** Fraction of elements within k steps. */
  within(k: number): number;
}

/**
 * Differences in quantization steps between two dequantized tensors of one scale (or two
 * integer tensors with scale 1): round(|a - b| / scale) per element. The contract against
 * ORT is at most 1 step per layer on identical inputs (verify/metrics.ts); end to end, none.
 */
export function quantSteps(a: Values, b: Values, scale: number): StepStats {
  if (!(scale > 0)) throw new Error(`quantSteps: scale must be > 0, got ${scale}`);
  const [x, y] = pair(a, b);
  const hist: number[] = [];
  let max = 0;
  for (let i = 0; i < x.length; i++) {
    const d = abs(x[i] - y[i]);
    const k = d < Infinity ? round(d / scale) : 9007199254740991; // NaN/Inf: as far as it gets
    if (k > max) max = k;
    const slot = k < 1024 ? k : 1024; // differences beyond 1024 steps share the last bucket
    while (hist.length <= slot) hist.push(0);
    hist[slot]++;
  }
  const count = x.length;
  return {
    max,
    histogram: hist,
    count,
    within(k: number) {
      let s = 0;
      for (let i = 0; i <= k && i < hist.length; i++) s += hist[i];
      return count === 0 ? 1 : s / count;
    },
  };
}

/**
 * Signal-to-quantization-noise ratio in dB: 10 log10(Σ ref² / Σ (ref - test)²).
 * Infinity when identical; -Infinity when the reference is all zero but the test is not.
 */
export function sqnrDb(ref: Values, test: Values): number {
  const [x, y] = pair(ref, test);
  let sig = 0, noise = 0;
  for (let i = 0; i < x.length; i++) {
    sig += x[i] * x[i];
    const d = x[i] - y[i];
    noise += d * d;
  }
  if (noise === 0) return Infinity;
  if (sig === 0) return -Infinity;
  return 10 * Math.log10(sig / noise);
}

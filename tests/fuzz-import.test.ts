// Seeded fuzzing of the importer and the core pipeline, in-process: every mutated or truncated
// model either loads or fails with one HsqError (the CLI's exit 2). Anything else (a TypeError,
// RangeError, a stack trace, a hang) fails the test.
import * as fs from 'fs';
import * as path from 'path';
import { onnx } from 'onnx-proto';
import { decodeModel } from '../frontend/onnx/import';
import { lower } from '../driver/frontend';
import { HsqError } from '../core/diagnostics';
import { SHARED } from './support/conformance';
import { describeShared } from './support/shared';

function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SOURCE_FILES = [
  'models/qonnx/mnist-conv/model.onnx',
  'models/qonnx/bsd300x3-espcn/subpixel/quant_model.onnx',
  'conformance/onnx-node/test_qlinearconv/model.onnx',
  'conformance/onnx-node/test_resize_upsample_scales_nearest/model.onnx',
  'conformance/onnx-node/test_dequantizelinear_int4/model.onnx',
  'conformance/onnx-node/test_maxpool_2d_pads/model.onnx',
];

type Rng = () => number;
const pick = <T>(r: Rng, a: readonly T[]): T => a[Math.floor(r() * a.length)];

/** Byte-level damage: flips, truncation, splices. */
function mutateBytes(r: Rng, src: Uint8Array): Uint8Array {
  const b = Uint8Array.from(src);
  switch (Math.floor(r() * 4)) {
    case 0: return b.subarray(0, Math.floor(r() * b.length));
    case 1: { for (let k = 0; k < 1 + r() * 8; k++) b[Math.floor(r() * b.length)] ^= 1 << Math.floor(r() * 8); return b; }
    case 2: { for (let k = 0; k < 1 + r() * 4; k++) b[Math.floor(r() * b.length)] = pick(r, [0, 0xff, 0x7f, 0x80, 0x08, 0x12]); return b; }
    default: { const at = Math.floor(r() * b.length); const len = Math.floor(r() * 32); return new Uint8Array([...b.subarray(0, at), ...b.subarray(at + len)]); }
  }
}

const BIG = [0, -1, 1, 2, 3, 7, 1 << 20, 2 ** 31 - 1, 2 ** 40, -(2 ** 31)];

/** Structure-aware damage: valid protobuf with wrong ONNX contents. */
function mutateModel(r: Rng, src: Uint8Array): Uint8Array {
  const m = onnx.ModelProto.decode(src);
  const g = m.graph!;
  const nodes = g.node ?? [];
  const inits = g.initializer ?? [];
  for (let k = 0; k < 1 + Math.floor(r() * 3); k++) {
    switch (Math.floor(r() * 10)) {
      case 0: if (inits.length) { const t = pick(r, inits); t.dims = (t.dims ?? []).map((d) => (r() < 0.5 ? pick(r, BIG) : d)); } break;
      case 1: if (inits.length) pick(r, inits).dataType = pick(r, [0, 1, 2, 3, 6, 7, 8, 10, 16, 21, 22, 99]); break;
      case 2: if (nodes.length) pick(r, nodes).opType = pick(r, ['Conv', 'Relu', 'NoSuchOp', '', 'Reshape', 'QLinearConv', 'Quant']); break;
      case 3: if (nodes.length) { const n = pick(r, nodes); n.input = (n.input ?? []).map((i) => (r() < 0.3 ? pick(r, ['', 'missing', i + 'x']) : i)); } break;
      case 4: if (nodes.length) { const n = pick(r, nodes); for (const a of n.attribute ?? []) { if (a.ints?.length) a.ints = a.ints.map(() => pick(r, BIG)); if (a.i !== undefined && a.i !== null) a.i = pick(r, BIG); if (a.f !== undefined && a.f !== null) a.f = pick(r, [NaN, 0, -1, 1e30]); } } break;
      case 5: { const vi = pick(r, [...(g.input ?? []), ...(g.output ?? [])]); const dims = vi?.type?.tensorType?.shape?.dim; if (dims) for (const d of dims) if (r() < 0.5) { d.dimValue = pick(r, BIG); d.dimParam = r() < 0.2 ? 'N' : ''; } } break;
      case 6: if (nodes.length > 1) { const i = Math.floor(r() * nodes.length); const [n] = nodes.splice(i, 1); nodes.splice(Math.floor(r() * nodes.length), 0, n); } break;
      case 7: if (inits.length) { const t = pick(r, inits); if (t.rawData) t.rawData = t.rawData.subarray(0, Math.floor(r() * t.rawData.length)); } break;
      case 8: if (nodes.length) { const n = pick(r, nodes); n.output = (n.output ?? []).map((o) => (r() < 0.5 ? (nodes[0].output ?? [''])[0] : o)); } break;
      default: m.opsetImport = [{ domain: '', version: pick(r, [1, 6, 11, 13, 21, 99, -1]) }]; break;
    }
  }
  return onnx.ModelProto.encode(m).finish();
}

describeShared('fuzzed models fail cleanly', () => {
  const COUNT = 3000;
  const SOURCES = SOURCE_FILES.map((p) => fs.readFileSync(path.join(SHARED, p)));
  test(`${COUNT} seeded mutations: load or one HsqError`, () => {
    const r = mulberry32(20261126);
    const bad: string[] = [];
    let loaded = 0;
    let rejected = 0;
    for (let i = 0; i < COUNT; i++) {
      const src = SOURCES[i % SOURCES.length];
      const bytes = i % 2 === 0 ? mutateBytes(r, src) : mutateModel(r, src);
      try {
        lower(decodeModel(bytes));
        loaded++;
      } catch (e) {
        if (e instanceof HsqError && !e.message.includes('\n')) rejected++;
        else if (bad.length < 10) bad.push(`#${i}: ${(e as Error).name}: ${(e as Error).message}\n${(e as Error).stack?.split('\n').slice(1, 4).join('\n')}`);
        else bad.push('');
      }
    }
    expect(bad).toEqual([]);
    expect(loaded + rejected).toBe(COUNT);
    expect(rejected).toBeGreaterThan(COUNT / 4);
  });
});

// A tiny WebAssembly SIMD kernel for the conv inner loop: 16 output channels at once, each lane
// its own accumulator. f32x4.mul / f32x4.add are IEEE float32 operations (round to nearest
// even, subnormals kept), so lane k computes exactly acc = fround(acc + fround(x * w)) in the
// same order as the scalar code; i32x4 wraps like `| 0`. The module is assembled here from
// named opcodes (no toolchain); hosts without WebAssembly SIMD use the scalar kernels.
//
//   dot16f(x, w, len, acc) / dot16i(...): for i < len:
//     for lane < 16: acc[lane] += x[i] * w[i * 16 + lane]      (byte addresses, 4-byte elements)

// The slice of the WebAssembly JS API used here (tsconfig's lib has no WebAssembly types).
interface WasmMemory { readonly buffer: ArrayBuffer; grow(pages: number): number }
declare const WebAssembly: {
  validate(bytes: Uint8Array): boolean;
  Memory: new (limits: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: object };
} | undefined;

const OP = {
  end: 0x0b, block: 0x02, loop: 0x03, br: 0x0c, brIf: 0x0d, void: 0x40,
  localGet: 0x20, localSet: 0x21, i32Const: 0x41, i32Add: 0x6a, i32Shl: 0x74, i32GeU: 0x4f,
  i32Load: 0x28, f32Load: 0x2a,
  simd: 0xfd,
} as const;
const SIMD = { load: 0x00, store: 0x0b, i32x4Splat: 0x11, f32x4Splat: 0x13, i32x4Add: 0xae, i32x4Mul: 0xb5, f32x4Add: 0xe4, f32x4Mul: 0xe6 } as const;
const T = { i32: 0x7f, v128: 0x7b, func: 0x60 } as const;

function uleb(n: number): number[] {
  const out: number[] = [];
  do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; out.push(b); } while (n);
  return out;
}
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f; n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) { out.push(b); return out; }
    out.push(b | 0x80);
  }
}
const str = (s: string) => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))]; // ASCII names
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
const simd = (op: number, ...imm: number[]) => [OP.simd, ...uleb(op), ...imm];
const get = (i: number) => [OP.localGet, i];
const set = (i: number) => [OP.localSet, i];

/** Body of dot16 for float (f32x4) or int (i32x4) lanes. Params 0..3: x, w, len, acc. */
function dotBody(float: boolean): number[] {
  const X = 0, W = 1, LEN = 2, ACC = 3, XEND = 4, A = 5 /* 5..8 */, XV = 9;
  const code: number[] = [
    ...get(X), ...get(LEN), OP.i32Const, 2, OP.i32Shl, OP.i32Add, ...set(XEND),
  ];
  for (let k = 0; k < 4; k++) code.push(...get(ACC), ...simd(SIMD.load, 0, ...uleb(16 * k)), ...set(A + k));
  code.push(OP.block, OP.void, OP.loop, OP.void,
    ...get(X), ...get(XEND), OP.i32GeU, OP.brIf, 1,
    ...get(X), float ? OP.f32Load : OP.i32Load, 2, 0, ...simd(float ? SIMD.f32x4Splat : SIMD.i32x4Splat), ...set(XV));
  for (let k = 0; k < 4; k++) {
    code.push(...get(A + k), ...get(XV), ...get(W), ...simd(SIMD.load, 0, ...uleb(16 * k)),
      ...simd(float ? SIMD.f32x4Mul : SIMD.i32x4Mul), ...simd(float ? SIMD.f32x4Add : SIMD.i32x4Add), ...set(A + k));
  }
  code.push(...get(X), OP.i32Const, ...sleb(4), OP.i32Add, ...set(X),
    ...get(W), OP.i32Const, ...sleb(64), OP.i32Add, ...set(W),
    OP.br, 0, OP.end, OP.end);
  for (let k = 0; k < 4; k++) code.push(...get(ACC), ...get(A + k), ...simd(SIMD.store, 0, ...uleb(16 * k)));
  code.push(OP.end);
  const locals = vec([[1, T.i32], [5, T.v128]]);
  const body = [...locals, ...code];
  return [...uleb(body.length), ...body];
}

function moduleBytes(): Uint8Array {
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[T.func, ...vec([[T.i32], [T.i32], [T.i32], [T.i32]]), ...vec([])]])),
    ...section(2, vec([[...str('env'), ...str('mem'), 0x02, 0x00, ...uleb(1)]])),
    ...section(3, vec([[0], [0]])),
    ...section(7, vec([[...str('dot16f'), 0x00, 0], [...str('dot16i'), 0x00, 1]])),
    ...section(10, vec([dotBody(true), dotBody(false)])),
  ];
  return new Uint8Array(bytes);
}

export interface SimdDot {
  /** Make the memory at least `bytes` long; views from before may be detached. */
  reserve(bytes: number): void;
  f32(): Float32Array;
  i32(): Int32Array;
  readonly dot16f: (x: number, w: number, len: number, acc: number) => void;
  readonly dot16i: (x: number, w: number, len: number, acc: number) => void;
}

let cached: SimdDot | null | undefined;

/** The SIMD kernel, or null where WebAssembly SIMD is not available. */
export function simdDot(): SimdDot | null {
  if (cached !== undefined) return cached;
  cached = null;
  try {
    const bytes = moduleBytes();
    if (typeof WebAssembly === 'undefined' || !WebAssembly || !WebAssembly.validate(bytes)) return null;
    const mem = new WebAssembly.Memory({ initial: 1 });
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { mem } });
    const ex = inst.exports as unknown as { dot16f: SimdDot['dot16f']; dot16i: SimdDot['dot16i'] };
    let f32 = new Float32Array(mem.buffer), i32 = new Int32Array(mem.buffer);
    cached = {
      reserve(bytes: number) {
        const need = Math.ceil((bytes - mem.buffer.byteLength) / 65536);
        if (need > 0) mem.grow(need);
        if (f32.buffer !== mem.buffer) { f32 = new Float32Array(mem.buffer); i32 = new Int32Array(mem.buffer); }
      },
      f32: () => f32,
      i32: () => i32,
      dot16f: ex.dot16f,
      dot16i: ex.dot16i,
    };
  } catch {
    cached = null;
  }
  return cached;
}

// hsq's one float32 natural log (used by LogSoftmax). runtime-c/hsq_runtime.h hsq_logf is its C
// twin: the same constants, the same float32 operations in the same order.
//
// Algorithm (Cephes logf): x = m * 2^e with m in [0.5, 1) (frexp, exact, subnormals included);
//   m < sqrt(1/2): e -= 1, t = (m + m) - 1;  else t = m - 1        (both exact)
//   y = P(t) * t * t^2  (P the Cephes degree-8 polynomial, Horner)
//   y = y + e * L2_LO;  y = y - 0.5 t^2;  z = t + y;  z = z + e * L2_HI   (L2_HI has 9 bits)
// log(NaN) = NaN, log(x < 0) = NaN, log(0) = -Inf, log(+Inf) = +Inf.

const f = Math.fround;

const SQRTHF = f(0.707106781186547524);
const L = [7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1,
  -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1].map(f);
const L2_LO = f(-2.12194440e-4);
const L2_HI = f(0.693359375);

const buf = new DataView(new ArrayBuffer(4));

/** float32 frexp: [m, e] with x = m * 2^e, m in [0.5, 1), for finite x > 0. */
function frexpf(x: number): [number, number] {
  let off = 0;
  buf.setFloat32(0, x, true);
  if (((buf.getUint32(0, true) >>> 23) & 0xff) === 0) { buf.setFloat32(0, x * 2 ** 25, true); off = -25; }
  const u = buf.getUint32(0, true);
  const e = ((u >>> 23) & 0xff) - 126 + off;
  buf.setUint32(0, ((u & 0x807fffff) | (126 << 23)) >>> 0, true);
  return [buf.getFloat32(0, true), e];
}

/** float32 log; the argument is taken as float32. */
export function logf(xIn: number): number {
  const x = f(xIn);
  if (x !== x || x < 0) return NaN;
  if (x === 0) return -Infinity;
  if (x === Infinity) return x;
  let [m, e] = frexpf(x);
  let t: number;
  if (m < SQRTHF) { e -= 1; t = f(f(m + m) - 1); } else t = f(m - 1);
  const z = f(t * t);
  let p = L[0];
  for (let i = 1; i < L.length; i++) p = f(f(p * t) + L[i]);
  let y = f(f(p * t) * z);
  y = f(y + f(e * L2_LO));
  y = f(y - f(0.5 * z));
  let r = f(t + y);
  r = f(r + f(e * L2_HI));
  return r;
}

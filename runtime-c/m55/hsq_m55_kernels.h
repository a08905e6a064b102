/* Helpers of the generated Cortex-M55 kernels (targets/cortex-m55/kernels/). Portable C with
 * an FPv5 fast path; results equal compiler/numerics.ts `requantize` bit for bit. */
#ifndef HSQ_M55_KERNELS_H
#define HSQ_M55_KERNELS_H
#include <stdint.h>
#include <math.h>
#if defined(__ARM_FEATURE_MVE)
#include <arm_mve.h>
#endif

/* Round half to even of a float32 (numerics.ts roundHalfEven). */
static inline float hsq_m55_round_half_even(float v) {
#if defined(__ARM_ARCH) && __ARM_ARCH >= 8 && defined(__ARM_FP) && (__ARM_FP & 4)
  float r; /* VRINTN: round to nearest, ties to even, whatever FPSCR.RMode says */
  __asm("vrintn.f32 %0, %1" : "=t"(r) : "t"(v));
  return r;
#else
  float f = floorf(v);
  float d = v - f;
  if (d > 0.5f) return f + 1.0f;
  if (d < 0.5f) return f;
  return fmodf(f, 2.0f) == 0.0f ? f : f + 1.0f;
#endif
}

/* int32 accumulator -> output integer: float(acc) * mult (float32, one rounding), round half
 * to even, + zp, saturate to [lo, hi]. The clamp runs in float before the conversion, so no
 * int32 overflow; mult is finite (checked by the generator), so no NaN. */
static inline int32_t hsq_m55_requant(int32_t acc, float mult, int32_t zp, int32_t lo, int32_t hi) {
  float r = hsq_m55_round_half_even((float)acc * mult);
  const float flo = (float)(lo - zp), fhi = (float)(hi - zp);
  r = r < flo ? flo : r;
  r = r > fhi ? fhi : r;
  return (int32_t)r + zp;
}

#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 2)
/* Requantize n accumulators of one output pixel, 4 lanes at a time (MVE-F): acc = bias +
 * (raw >> shift) (shift 4 undoes the x16 of the nibble kernels; raw is a multiple of 16),
 * float(acc) * mult, VCVTN (round half to even), clamp to [lo - zp, hi - zp], + zp, store
 * the low byte (int8 or uint8 container). Same numbers as hsq_m55_requant. */
static inline void hsq_m55_requant_row(const int32_t *raw, const int32_t *bias, const float *mult, int n, int shift,
                                       int32_t zp, int32_t lo, int32_t hi, void *y) {
  int8_t *out = (int8_t *)y;
  const int32x4_t vlo = vdupq_n_s32(lo - zp), vhi = vdupq_n_s32(hi - zp);
  for (int m = 0; m < n; m += 4) {
    const mve_pred16_t p = vctp32q((uint32_t)(n - m));
    int32x4_t a = vldrwq_z_s32(raw + m, p);
    if (shift) a = vshrq_n_s32(a, 4);
    a = vaddq_s32(a, vldrwq_z_s32(bias + m, p));
    const float32x4_t f = vmulq_f32(vcvtq_f32_s32(a), vldrwq_z_f32(mult + m, p));
    int32x4_t r = vcvtnq_s32_f32(f);
    r = vaddq_n_s32(vminq_s32(vmaxq_s32(r, vlo), vhi), zp);
    vstrbq_p_s32(out + m, r, p);
  }
}
#endif

/* ------------------------------------------------------------------ conv / FC (kernels/conv.ts)
 * Raw accumulators of the packed-weight kernels are X = R * raw + biasT + S terms, an exact
 * multiple T of the true accumulator, and mult = m / T (kernels/pack.ts), so float(X) * mult is
 * float(acc) * m bit for bit. */

/* Sum of `rows` rows of `len` int8 values `stride` bytes apart (a window sum S). */
static inline int32_t hsq_m55_sum_rows(const int8_t *x, int32_t stride, int32_t rows, int32_t len) {
  int32_t s = 0;
  for (int32_t r = 0; r < rows; r++, x += stride) {
#if defined(__ARM_FEATURE_MVE)
    const int8_t *p = x;
    for (int32_t n = len; n > 0; n -= 16, p += 16) s = vaddvaq_s8(s, vldrbq_z_s8(p, vctp8q((uint32_t)n)));
#else
    for (int32_t i = 0; i < len; i++) s += x[i];
#endif
  }
  return s;
}

/* One value: float(X) * mult (+ fb when has_fb), round half to even, + zp, saturate. */
static inline int32_t hsq_m55_requant_x(int32_t X, float mult, float fb, int has_fb, int32_t zp, int32_t lo, int32_t hi) {
  float f = (float)X * mult;
  if (has_fb) f = f + fb;
  float r = hsq_m55_round_half_even(f);
  const float flo = (float)(lo - zp), fhi = (float)(hi - zp);
  r = r < flo ? flo : r;
  r = r > fhi ? fhi : r;
  return (int32_t)r + zp;
}

/* BipolarQuant output of accumulator X: the sign of float(X) * mult (+ fb), +1 for >= 0
 * (numerics.ts accumulatorOutput, mode 'bipolar'). */
static inline int8_t hsq_m55_sign_x(int32_t X, float mult, float fb, int has_fb) {
  float f = (float)X * mult;
  if (has_fb) f = f + fb;
  return f >= 0.0f ? (int8_t)1 : (int8_t)-1;
}

/* Requantize the n raw accumulators of one output pixel: X = R * raw + biasT (NULL: 0) (+ sterm, the
 * window-sum term when every channel has the same coefficient, or + coef[c] * s), float(X) *
 * mult (+ fbias, the optional float term after the multiplier), round half to even, clamp to
 * [lo, hi] after + zp, store the low byte (int8 or uint8). The call passes literals, so the
 * unused terms fold away; n a multiple of 4 takes the unpredicated loop. */
static inline void hsq_m55_requant_px(const int32_t *raw, const int32_t *biasT, const float *mult, int n, int32_t R,
                                      int32_t sterm, const int32_t *coef, int32_t s, const float *fbias,
                                      int32_t zp, int32_t lo, int32_t hi, void *y) {
  int8_t *out = (int8_t *)y;
#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 2)
  const int32x4_t vlo = vdupq_n_s32(lo - zp), vhi = vdupq_n_s32(hi - zp);
  if ((n & 3) == 0) {
    for (int m = 0; m < n; m += 4) {
      const int32x4_t r = vldrwq_s32(raw + m);
      int32x4_t a = biasT ? vldrwq_s32(biasT + m) : vdupq_n_s32(0);
      a = R == 1 ? vaddq_s32(a, r) : vmlaq_n_s32(a, r, R);
      if (sterm) a = vaddq_n_s32(a, sterm);
      if (coef) a = vmlaq_n_s32(a, vldrwq_s32(coef + m), s);
      float32x4_t f = vmulq_f32(vcvtq_f32_s32(a), vldrwq_f32(mult + m));
      if (fbias) f = vaddq_f32(f, vldrwq_f32(fbias + m));
      const int32x4_t q = vaddq_n_s32(vminq_s32(vmaxq_s32(vcvtnq_s32_f32(f), vlo), vhi), zp);
      vstrbq_s32(out + m, q);
    }
    return;
  }
  for (int m = 0; m < n; m += 4) {
    const mve_pred16_t p = vctp32q((uint32_t)(n - m));
    const int32x4_t r = vldrwq_z_s32(raw + m, p);
    int32x4_t a = biasT ? vldrwq_z_s32(biasT + m, p) : vdupq_n_s32(0);
    a = R == 1 ? vaddq_s32(a, r) : vmlaq_n_s32(a, r, R);
    if (sterm) a = vaddq_n_s32(a, sterm);
    if (coef) a = vmlaq_n_s32(a, vldrwq_z_s32(coef + m, p), s);
    float32x4_t f = vmulq_f32(vcvtq_f32_s32(a), vldrwq_z_f32(mult + m, p));
    if (fbias) f = vaddq_f32(f, vldrwq_z_f32(fbias + m, p));
    const int32x4_t q = vaddq_n_s32(vminq_s32(vmaxq_s32(vcvtnq_s32_f32(f), vlo), vhi), zp);
    vstrbq_p_s32(out + m, q, p);
  }
#else
  for (int m = 0; m < n; m++) {
    const int32_t X = R * raw[m] + (biasT ? biasT[m] : 0) + sterm + (coef ? coef[m] * s : 0);
    out[m] = (int8_t)hsq_m55_requant_x(X, mult[m], fbias ? fbias[m] : 0.0f, fbias != 0, zp, lo, hi);
  }
#endif
}

/* ------------------------------------------------------------------ non-MAC layers
 * Parameterised helpers of the per-layer kernels that targets/cortex-m55/kernels/{lut,eltwise,
 * pool,movement}.ts generate: each generated function calls them with literal shapes and
 * quantization, so the compiler folds the constants. Every helper has an MVE path
 * (__ARM_FEATURE_MVE, tail-predicated) and the portable scalar path, equal bit for bit. */

/* Round half to even, + zp, saturate to [lo, hi], of a float32 quotient (hsq_quantize's steps;
 * q is finite). */
static inline int32_t hsq_m55_quant_q(float q, int32_t zp, int32_t lo, int32_t hi) {
  float r = hsq_m55_round_half_even(q);
  const float flo = (float)(lo - zp), fhi = (float)(hi - zp);
  r = r < flo ? flo : r;
  r = r > fhi ? fhi : r;
  return (int32_t)r + zp;
}

/* n bytes: y[i] = t[(uint8_t)x[i]] (256-entry table; int8 or uint8 containers). MVE: 16 byte
 * gathers (VLDRB.U8 gather, 8-bit offsets) a vector. */
static inline void hsq_m55_lut(int32_t n, const void *xv, void *yv, const uint8_t *t) {
  const uint8_t *x = (const uint8_t *)xv;
  uint8_t *y = (uint8_t *)yv;
#if defined(__ARM_FEATURE_MVE)
  for (; n > 0; n -= 16, x += 16, y += 16) {
    const mve_pred16_t p = vctp8q((uint32_t)n);
    const uint8x16_t i = vldrbq_z_u8(x, p);
    vstrbq_p_u8(y, vldrbq_gather_offset_z_u8(t, i, p), p);
  }
#else
  for (int32_t i = 0; i < n; i++) y[i] = t[x[i]];
#endif
}

/* n bytes copied (vector copies of 16). */
static inline void hsq_m55_copy(int32_t n, const void *xv, void *yv) {
  const uint8_t *x = (const uint8_t *)xv;
  uint8_t *y = (uint8_t *)yv;
#if defined(__ARM_FEATURE_MVE)
  for (; n > 0; n -= 16, x += 16, y += 16) {
    const mve_pred16_t p = vctp8q((uint32_t)n);
    vstrbq_p_u8(y, vldrbq_z_u8(x, p), p);
  }
#else
  for (int32_t i = 0; i < n; i++) y[i] = x[i];
#endif
}

/* n values clamped to [lo, hi] (Relu / Clip on integers): VMAX/VMIN, 16 lanes. `u`: uint8. */
static inline void hsq_m55_clamp(int32_t n, const void *xv, void *yv, int u, int32_t lo, int32_t hi) {
#if defined(__ARM_FEATURE_MVE)
  if (u) {
    const uint8_t *x = (const uint8_t *)xv;
    uint8_t *y = (uint8_t *)yv;
    const uint8x16_t vlo = vdupq_n_u8((uint8_t)lo), vhi = vdupq_n_u8((uint8_t)hi);
    for (; n > 0; n -= 16, x += 16, y += 16) {
      const mve_pred16_t p = vctp8q((uint32_t)n);
      vstrbq_p_u8(y, vminq_u8(vmaxq_u8(vldrbq_z_u8(x, p), vlo), vhi), p);
    }
  } else {
    const int8_t *x = (const int8_t *)xv;
    int8_t *y = (int8_t *)yv;
    const int8x16_t vlo = vdupq_n_s8((int8_t)lo), vhi = vdupq_n_s8((int8_t)hi);
    for (; n > 0; n -= 16, x += 16, y += 16) {
      const mve_pred16_t p = vctp8q((uint32_t)n);
      vstrbq_p_s8(y, vminq_s8(vmaxq_s8(vldrbq_z_s8(x, p), vlo), vhi), p);
    }
  }
#else
  for (int32_t i = 0; i < n; i++) {
    int32_t v = u ? (int32_t)((const uint8_t *)xv)[i] : (int32_t)((const int8_t *)xv)[i];
    v = v < lo ? lo : v > hi ? hi : v;
    if (u) ((uint8_t *)yv)[i] = (uint8_t)v; else ((int8_t *)yv)[i] = (int8_t)v;
  }
#endif
}

/* One output pixel of a max pool, NHWC: the max over nh x nw taps (x at the first valid tap;
 * th, tw: element steps between taps) of C channels, `empty` when the window has no tap.
 * MVE: 16 channels a vector, VMAX. */
static inline void hsq_m55_maxpool_px(const void *xv, void *yv, int u, int32_t C, int32_t th, int32_t tw,
                                      int32_t nh, int32_t nw, int32_t empty) {
#if defined(__ARM_FEATURE_MVE)
  if (u) {
    const uint8_t *x = (const uint8_t *)xv;
    uint8_t *y = (uint8_t *)yv;
    for (int32_t c = 0; c < C; c += 16) {
      const mve_pred16_t p = vctp8q((uint32_t)(C - c));
      uint8x16_t m = vdupq_n_u8((uint8_t)((nh > 0 && nw > 0) ? 0 : empty));
      for (int32_t i = 0; i < nh; i++)
        for (int32_t j = 0; j < nw; j++) m = vmaxq_u8(m, vldrbq_z_u8(x + i * th + j * tw + c, p));
      vstrbq_p_u8(y + c, m, p);
    }
  } else {
    const int8_t *x = (const int8_t *)xv;
    int8_t *y = (int8_t *)yv;
    for (int32_t c = 0; c < C; c += 16) {
      const mve_pred16_t p = vctp8q((uint32_t)(C - c));
      int8x16_t m = vdupq_n_s8((int8_t)((nh > 0 && nw > 0) ? -128 : empty));
      for (int32_t i = 0; i < nh; i++)
        for (int32_t j = 0; j < nw; j++) m = vmaxq_s8(m, vldrbq_z_s8(x + i * th + j * tw + c, p));
      vstrbq_p_s8(y + c, m, p);
    }
  }
#else
  for (int32_t c = 0; c < C; c++) {
    int32_t m = (nh > 0 && nw > 0) ? (u ? 0 : -128) : empty;
    for (int32_t i = 0; i < nh; i++)
      for (int32_t j = 0; j < nw; j++) {
        const int32_t k = i * th + j * tw + c;
        const int32_t v = u ? (int32_t)((const uint8_t *)xv)[k] : (int32_t)((const int8_t *)xv)[k];
        if (v > m) m = v;
      }
    if (u) ((uint8_t *)yv)[c] = (uint8_t)m; else ((int8_t *)yv)[c] = (int8_t)m;
  }
#endif
}

#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 2)
/* a / b rounded once (IEEE division) for finite a, from r = RN(1/b): q = a r, e = a - q b (exact
 * with the fused VFMS), q + e r (fused VFMA) is RN(a / b) (Markstein's theorem: r within half
 * an ulp of 1/b, q within one ulp of a/b, no underflow of e). */
static inline float32x4_t hsq_m55_vdiv(float32x4_t a, float b, float r) {
  const float32x4_t q = vmulq_n_f32(a, r);
  const float32x4_t e = vfmsq_f32(a, q, vdupq_n_f32(b));
  return vfmaq_n_f32(q, e, r);
}

/* 4 int8/uint8 values widened to int32 lanes (zero-predicated loads). */
static inline int32x4_t hsq_m55_vld4(const void *x, int u, mve_pred16_t p) {
  return u ? vreinterpretq_s32_u32(vldrbq_z_u32((const uint8_t *)x, p)) : vldrbq_z_s32((const int8_t *)x, p);
}

/* QuantizeLinear of 4 lanes: v / s (hsq_m55_vdiv, rs = RN(1/s)), clamp to [lo - zp, hi - zp] in
 * float, VCVTN (round half to even), + zp. */
static inline int32x4_t hsq_m55_vquant(float32x4_t v, float s, float rs, int32_t zp, int32_t lo, int32_t hi) {
  float32x4_t q = hsq_m55_vdiv(v, s, rs);
  q = vminnmq_f32(vmaxnmq_f32(q, vdupq_n_f32((float)(lo - zp))), vdupq_n_f32((float)(hi - zp)));
  return vaddq_n_s32(vcvtnq_s32_f32(q), zp);
}
#define HSQ_M55_VFLOAT 1
#else
#define HSQ_M55_VFLOAT 0
#endif

/* Quantized Add / Mul (DequantizeLinear -> Add|Mul -> QuantizeLinear) of n elements:
 * a' = (a - za) sa, b' = (b - zb) sb (float32), a' + b' or a' * b', / sy, round half to even,
 * + zy, saturate. `sta`, `stb`: 1, or 0 for a broadcast operand. `mul`: 1 for Mul. MVE: 4
 * lanes of float32 (same operations, same order; the division as hsq_m55_vdiv). */
static inline void hsq_m55_qbinary(int32_t n, int mul, const void *a, int au, int32_t sta, float sa, int32_t za,
                                   const void *b, int bu, int32_t stb, float sb, int32_t zb,
                                   void *y, float sy, float rsy, int32_t zy, int32_t lo, int32_t hi, int vec) {
  const uint8_t *pa = (const uint8_t *)a, *pb = (const uint8_t *)b;
  uint8_t *py = (uint8_t *)y;
  int32_t i = 0;
#if HSQ_M55_VFLOAT
  if (vec) {
    const float32x4_t ca = vdupq_n_f32((float)((au ? (int32_t)pa[0] : (int32_t)(int8_t)pa[0]) - za) * sa);
    const float32x4_t cb = vdupq_n_f32((float)((bu ? (int32_t)pb[0] : (int32_t)(int8_t)pb[0]) - zb) * sb);
    for (; i < n; i += 4) {
      const mve_pred16_t p = vctp32q((uint32_t)(n - i));
      const float32x4_t va = sta ? vmulq_n_f32(vcvtq_f32_s32(vsubq_n_s32(hsq_m55_vld4(pa + i, au, p), za)), sa) : ca;
      const float32x4_t vb = stb ? vmulq_n_f32(vcvtq_f32_s32(vsubq_n_s32(hsq_m55_vld4(pb + i, bu, p), zb)), sb) : cb;
      const float32x4_t v = mul ? vmulq_f32(va, vb) : vaddq_f32(va, vb);
      vstrbq_p_s32((int8_t *)(py + i), hsq_m55_vquant(v, sy, rsy, zy, lo, hi), p);
    }
    return;
  }
#endif
  (void)rsy; (void)vec;
  for (; i < n; i++) {
    const uint8_t ra = pa[i * sta], rb = pb[i * stb];
    const float va = (float)((au ? (int32_t)ra : (int32_t)(int8_t)ra) - za) * sa;
    const float vb = (float)((bu ? (int32_t)rb : (int32_t)(int8_t)rb) - zb) * sb;
    const float v = mul ? va * vb : va + vb;
    py[i] = (uint8_t)hsq_m55_quant_q(v / sy, zy, lo, hi);
  }
}

/* One output pixel of DequantizeLinear -> AveragePool -> QuantizeLinear, NHWC: per channel
 * s = sum over nh x nw taps (in order) of (x - zx) sx with float32 rounding after each add,
 * s / cnt, / sy, round half to even, + zy, saturate; cnt > 0. MVE: 4 channels a vector (the
 * same float32 adds in the same order; the divisions as hsq_m55_vdiv, RN(1/cnt) by one VDIV). */
static inline void hsq_m55_qavgpool_px(const void *xv, int xu, void *yv, int32_t C, int32_t th, int32_t tw,
                                       int32_t nh, int32_t nw, int32_t cnt, float sx, int32_t zx,
                                       float sy, float rsy, int32_t zy, int32_t lo, int32_t hi) {
  const uint8_t *x = (const uint8_t *)xv;
  uint8_t *y = (uint8_t *)yv;
  const float fc = (float)cnt;
#if HSQ_M55_VFLOAT
  const float rc = 1.0f / fc;
  for (int32_t c = 0; c < C; c += 4) {
    const mve_pred16_t p = vctp32q((uint32_t)(C - c));
    float32x4_t s = vdupq_n_f32(0.0f);
    for (int32_t i = 0; i < nh; i++)
      for (int32_t j = 0; j < nw; j++)
        s = vaddq_f32(s, vmulq_n_f32(vcvtq_f32_s32(vsubq_n_s32(hsq_m55_vld4(x + i * th + j * tw + c, xu, p), zx)), sx));
    vstrbq_p_s32((int8_t *)(y + c), hsq_m55_vquant(hsq_m55_vdiv(s, fc, rc), sy, rsy, zy, lo, hi), p);
  }
#else
  (void)rsy;
  for (int32_t c = 0; c < C; c++) {
    float s = 0.0f;
    for (int32_t i = 0; i < nh; i++)
      for (int32_t j = 0; j < nw; j++) {
        const uint8_t r = x[i * th + j * tw + c];
        s = s + (float)((xu ? (int32_t)r : (int32_t)(int8_t)r) - zx) * sx;
      }
    y[c] = (uint8_t)hsq_m55_quant_q((s / fc) / sy, zy, lo, hi);
  }
#endif
}

#endif

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

#endif

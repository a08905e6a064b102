/* hsq's one float32 exp. It MUST stay identical to compiler/interp/expf.ts (same constants,
 * same operations in the same order): the interpreter defines the numbers and the C equals
 * them bit for bit. Build with -ffp-contract=off, no fast-math, no flush-to-zero.
 *
 * Cephes expf with exact scaling:
 *   k = floor(x * log2(e) + 0.5)
 *   r = (x - k * LN2_HI) - k * LN2_LO          (k * LN2_HI and the subtraction are exact)
 *   p = ((((((P0 r + P1) r + P2) r + P3) r + P4) r + P5) * r^2 + r) + 1
 *   exp(x) = p * 2^k; for k < -126 as (p * 2^(k+126)) * 2^-126 (one rounding into the
 *   subnormals), for k = 128 as (p * 2^127) * 2.
 * Within 1 ulp of exp over [-87, 88].
 */
#ifndef HSQ_EXPF_H
#define HSQ_EXPF_H

#include <stdint.h>
#include <string.h>

/* 2^k as a float for -126 <= k <= 127, built from its bits (exact). */
static inline float hsq_pow2f(int k) {
  uint32_t u = (uint32_t)(k + 127) << 23;
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}

static inline float hsq_expf(float x) {
  const float LOG2E = 1.44269502162933349609375f;
  const float LN2_HI = 0.693359375f;
  const float LN2_LO = -2.12194440e-4f;
  const float P0 = 1.9875691500e-4f;
  const float P1 = 1.3981999507e-3f;
  const float P2 = 8.3334519073e-3f;
  const float P3 = 4.1665795894e-2f;
  const float P4 = 1.6666665459e-1f;
  const float P5 = 5.0000001201e-1f;
  if (x != x) return x;
  if (x > 88.72283172607421875f) return 1.0f / 0.0f;
  if (x < -104.0f) return 0.0f;
  float fk = x * LOG2E;
  fk = fk + 0.5f;
  int k = (int)fk;
  if ((float)k > fk) k -= 1; /* floor */
  float kf = (float)k;
  float r = x - kf * LN2_HI;
  r = r - kf * LN2_LO;
  float z = r * r;
  float p = P0 * r + P1;
  p = p * r + P2;
  p = p * r + P3;
  p = p * r + P4;
  p = p * r + P5;
  p = p * z + r;
  p = p + 1.0f;
  if (k > 127) return (p * hsq_pow2f(127)) * 2.0f;
  if (k < -126) return (p * hsq_pow2f(k + 126)) * hsq_pow2f(-126);
  return p * hsq_pow2f(k);
}

#endif /* HSQ_EXPF_H */

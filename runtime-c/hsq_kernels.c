/* hsq portable kernels (C99). Numbers equal the TypeScript interpreter bit for bit:
 * float32 only (build with -ffp-contract=off, no fast-math), conv accumulation in the order
 * bias, kh, kw, ci with padding taps skipped; integer accumulation in int32. */
#include "hsq_runtime.h"
#if defined(__ARM_FEATURE_MVE)
#include <arm_mve.h>
#endif

/* ---------------------------------------------------------------- per-layer trace (-DHSQ_TRACE) */
#ifdef HSQ_TRACE
/* The default: no output. A weak symbol, so the platform's own definition wins at link time. */
__attribute__((weak)) void hsq_trace_layer(uint32_t index, const char* name, const void* data, uint32_t bytes) {
  (void)index; (void)name; (void)data; (void)bytes;
}

uint32_t hsq_fnv1a32(const void* data, uint32_t bytes) {
  const uint8_t* p = (const uint8_t*)data;
  uint32_t h = 2166136261u, i;
  for (i = 0; i < bytes; i++) { h ^= p[i]; h *= 16777619u; }
  return h;
}

static uint32_t hsq_trace_u32(char* buf, uint32_t v, int hex8) {
  static const char digits[] = "0123456789abcdef";
  char tmp[10];
  uint32_t n = 0, k = 0;
  if (hex8) { for (k = 0; k < 8; k++) buf[k] = digits[(v >> (28 - 4 * k)) & 15u]; return 8; }
  do { tmp[n++] = (char)('0' + v % 10u); v /= 10u; } while (v);
  while (n) buf[k++] = tmp[--n];
  return k;
}

void hsq_trace_write(hsq_trace_put_fn put, void* ctx, uint32_t index, const char* name,
                     const void* data, uint32_t bytes, int full) {
  static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  char buf[96];
  uint32_t n = 0, i;
  const uint8_t* p = (const uint8_t*)data;
  memcpy(buf, "HSQTRACE ", 9); n = 9;
  n += hsq_trace_u32(buf + n, index, 0);
  buf[n++] = ' ';
  put(buf, n, ctx);
  put(name, (uint32_t)strlen(name), ctx);
  n = 0;
  buf[n++] = ' ';
  n += hsq_trace_u32(buf + n, bytes, 0);
  buf[n++] = ' ';
  n += hsq_trace_u32(buf + n, hsq_fnv1a32(data, bytes), 1);
  if (full) {
    buf[n++] = ' ';
    for (i = 0; i < bytes; i += 3) {
      const uint32_t rest = bytes - i;
      const uint32_t v = ((uint32_t)p[i] << 16) | (rest > 1 ? (uint32_t)p[i + 1] << 8 : 0u) | (rest > 2 ? (uint32_t)p[i + 2] : 0u);
      if (n + 4 > sizeof buf - 2) { put(buf, n, ctx); n = 0; }
      buf[n++] = b64[(v >> 18) & 63u];
      buf[n++] = b64[(v >> 12) & 63u];
      buf[n++] = rest > 1 ? b64[(v >> 6) & 63u] : '=';
      buf[n++] = rest > 2 ? b64[v & 63u] : '=';
    }
  }
  buf[n++] = '\n';
  put(buf, n, ctx);
}
#endif

/* ---------------------------------------------------------------- sub-byte weights */

/* Unpacks `rows` rows of `row_len` codes (bits each, LSB first, rows starting on a byte every
 * row_bytes) into int8 values code * mul + add. */
void hsq_unpack_rows(int8_t* dst, const uint8_t* src, int32_t rows, int32_t row_len,
                     int32_t row_bytes, int32_t bits, int32_t mul, int32_t add) {
  int32_t r, i;
  for (r = 0; r < rows; r++) {
    const uint8_t* s = src + (size_t)r * (size_t)row_bytes;
    int8_t* d = dst + (size_t)r * (size_t)row_len;
    if (bits == 4) {
      for (i = 0; i + 1 < row_len; i += 2) {
        uint8_t b = s[i >> 1];
        d[i] = (int8_t)((int32_t)(b & 15) * mul + add);
        d[i + 1] = (int8_t)((int32_t)(b >> 4) * mul + add);
      }
      if (i < row_len) d[i] = (int8_t)((int32_t)(s[i >> 1] & 15) * mul + add);
    } else {
      const int32_t per = 8 / bits, mask = (1 << bits) - 1;
      for (i = 0; i < row_len; i++) {
        int32_t code = (s[i / per] >> ((i % per) * bits)) & mask;
        d[i] = (int8_t)(code * mul + add);
      }
    }
  }
}

/* ---------------------------------------------------------------- helpers */

/* Valid taps [lo, hi) of output position o along one dim (conv-geometry.ts tapRanges). */
static void hsq_taps(int32_t o, int32_t len, int32_t k, int32_t stride, int32_t pad, int32_t dil,
                     int32_t* lo, int32_t* hi) {
  int32_t start = o * stride - pad, a = 0, b = k;
  while (a < k && start + a * dil < 0) a++;
  while (b > a && start + (b - 1) * dil >= len) b--;
  *lo = a;
  *hi = b;
}

static float hsq_act(float v, int32_t act, float a0, float a1) {
  switch (act) {
    case HSQ_ACT_RELU: return (v > 0.0f || v != v) ? v : 0.0f;
    case HSQ_ACT_CLIP:
      if (v < a0) v = a0;
      if (v > a1) v = a1;
      return v;
    case HSQ_ACT_LEAKY: return v < 0.0f ? v * a0 : v;
    default: return v;
  }
}

/* ---------------------------------------------------------------- float conv */

/* One output element of a float conv: acc0 (the bias) plus the window's products in the order
 * kh, kw, ci; wm is the output channel's weights [KH][KW][C/group], cofs its group's first input
 * channel. Shared by the float conv and the weight-only quantized conv (dequantized row). */
static float hsq_conv_window_f32(const hsq_conv_t* p, const float* xn, const float* wm, float acc0, int32_t cofs,
                                 int32_t ih0, int32_t iw0, int32_t khlo, int32_t khhi, int32_t kwlo, int32_t kwhi) {
  const int32_t C = p->c, Cg = C / p->group;
  const int merged = p->group == 1 && p->dw == 1;
  float acc = acc0;
  int32_t kh, kw, i;
  for (kh = khlo; kh < khhi; kh++) {
    const float* xr = xn + (size_t)(ih0 + kh * p->dh) * p->w * C;
    const float* wr = wm + kh * p->kw * Cg;
    if (merged) {
      const float* xp = xr + (size_t)(iw0 + kwlo) * C;
      const float* wp = wr + kwlo * Cg;
      const int32_t len = (kwhi - kwlo) * C;
      for (i = 0; i < len; i++) acc += xp[i] * wp[i];
    } else {
      for (kw = kwlo; kw < kwhi; kw++) {
        const float* xp = xr + (size_t)(iw0 + kw * p->dw) * C + cofs;
        const float* wp = wr + kw * Cg;
        for (i = 0; i < Cg; i++) acc += xp[i] * wp[i];
      }
    }
  }
  return acc;
}

/* Generic float conv: weights [M][KH][KW][C/group], one output element at a time. */
static void hsq_conv_f32_rows(const hsq_conv_t* p, const float* x, const float* w, const float* bias,
                              float* y, int32_t act, float a0, float a1) {
  const int32_t C = p->c, M = p->m, Cg = C / p->group, Mg = M / p->group;
  const int32_t ws = p->kh * p->kw * Cg;
  int32_t n, oh, ow, m;
  for (n = 0; n < p->n; n++) {
    const float* xn = x + (size_t)n * p->h * p->w * C;
    for (oh = 0; oh < p->oh; oh++) {
      int32_t khlo, khhi, ih0 = oh * p->sh - p->pt;
      hsq_taps(oh, p->h, p->kh, p->sh, p->pt, p->dh, &khlo, &khhi);
      for (ow = 0; ow < p->ow; ow++) {
        int32_t kwlo, kwhi, iw0 = ow * p->sw - p->pl;
        float* yp = y + (((size_t)n * p->oh + oh) * p->ow + ow) * M;
        hsq_taps(ow, p->w, p->kw, p->sw, p->pl, p->dw, &kwlo, &kwhi);
        for (m = 0; m < M; m++) {
          const int32_t cofs = (m / Mg) * Cg;
          const float* wm = w + (size_t)m * ws;
          const float acc = hsq_conv_window_f32(p, xn, wm, bias ? bias[m] : 0.0f, cofs, ih0, iw0, khlo, khhi, kwlo, kwhi);
          yp[m] = act ? hsq_act(acc, act, a0, a1) : acc;
        }
      }
    }
  }
}

/* Blocked float conv (group 1): weights [ceil(M/8)][KH][KW][C][8] (zero rows pad the last
 * block), bias padded to a multiple of 8. HSQ_CONV_TILE output pixels of one row times 8 output
 * channels are computed together, each element in its own accumulator and in the order bias,
 * kh, kw, ci: the same float32 operations as the generic kernel, only independent chains run
 * side by side. The fixed-length j loops vectorise at -O2 (SIMD lanes = output channels). */
#define HSQ_CONV_TILE 4
#define HSQ_CONV_MB 8

static void hsq_conv_f32_px(const hsq_conv_t* p, const float* xn, const float* wb, const float* bb,
                            float* yp, int32_t nm, int32_t oh, int32_t ow, int32_t act, float a0, float a1) {
  const int32_t C = p->c;
  int32_t khlo, khhi, kwlo, kwhi, kh, kw, ci, j;
  const int32_t ih0 = oh * p->sh - p->pt, iw0 = ow * p->sw - p->pl;
  float acc[HSQ_CONV_MB];
  hsq_taps(oh, p->h, p->kh, p->sh, p->pt, p->dh, &khlo, &khhi);
  hsq_taps(ow, p->w, p->kw, p->sw, p->pl, p->dw, &kwlo, &kwhi);
  for (j = 0; j < HSQ_CONV_MB; j++) acc[j] = bb ? bb[j] : 0.0f;
  for (kh = khlo; kh < khhi; kh++) {
    for (kw = kwlo; kw < kwhi; kw++) {
      const float* xp = xn + ((size_t)(ih0 + kh * p->dh) * p->w + (iw0 + kw * p->dw)) * C;
      const float* wp = wb + (size_t)(kh * p->kw + kw) * C * HSQ_CONV_MB;
      for (ci = 0; ci < C; ci++) {
        const float xv = xp[ci];
        const float* wc = wp + (size_t)ci * HSQ_CONV_MB;
        for (j = 0; j < HSQ_CONV_MB; j++) acc[j] = acc[j] + xv * wc[j];
      }
    }
  }
  for (j = 0; j < nm; j++) yp[j] = act ? hsq_act(acc[j], act, a0, a1) : acc[j];
}

/* HSQ_CONV_TILE pixels ow..ow+TILE-1 of row oh whose kw taps are all inside the input. */
static void hsq_conv_f32_tile(const hsq_conv_t* p, const float* xn, const float* wb, const float* bb,
                              float* yp, int32_t nm, int32_t oh, int32_t ow, int32_t act, float a0, float a1) {
  const int32_t C = p->c, M = p->m, xs = p->sw * C;
  int32_t khlo, khhi, kh, kw, ci, j, t;
  const int32_t ih0 = oh * p->sh - p->pt, iw0 = ow * p->sw - p->pl;
  float acc0[HSQ_CONV_MB], acc1[HSQ_CONV_MB], acc2[HSQ_CONV_MB], acc3[HSQ_CONV_MB];
  hsq_taps(oh, p->h, p->kh, p->sh, p->pt, p->dh, &khlo, &khhi);
  for (j = 0; j < HSQ_CONV_MB; j++) {
    const float b = bb ? bb[j] : 0.0f;
    acc0[j] = b; acc1[j] = b; acc2[j] = b; acc3[j] = b;
  }
  for (kh = khlo; kh < khhi; kh++) {
    for (kw = 0; kw < p->kw; kw++) {
      const float* xp = xn + ((size_t)(ih0 + kh * p->dh) * p->w + (iw0 + kw * p->dw)) * C;
      const float* wp = wb + (size_t)(kh * p->kw + kw) * C * HSQ_CONV_MB;
      for (ci = 0; ci < C; ci++) {
        const float x0 = xp[ci], x1 = xp[xs + ci], x2 = xp[2 * xs + ci], x3 = xp[3 * xs + ci];
        const float* wc = wp + (size_t)ci * HSQ_CONV_MB;
        for (j = 0; j < HSQ_CONV_MB; j++) {
          acc0[j] = acc0[j] + x0 * wc[j];
          acc1[j] = acc1[j] + x1 * wc[j];
          acc2[j] = acc2[j] + x2 * wc[j];
          acc3[j] = acc3[j] + x3 * wc[j];
        }
      }
    }
  }
  for (t = 0; t < HSQ_CONV_TILE; t++) {
    const float* a = t == 0 ? acc0 : t == 1 ? acc1 : t == 2 ? acc2 : acc3;
    float* yt = yp + (size_t)t * M;
    for (j = 0; j < nm; j++) yt[j] = act ? hsq_act(a[j], act, a0, a1) : a[j];
  }
}

/* Output columns whose kw taps all lie inside the input: [*owlo, *owhi). */
static void hsq_conv_inner_cols(const hsq_conv_t* p, int32_t* owlo, int32_t* owhi) {
  int32_t lo = 0, hi = p->ow;
  while (lo < p->ow && lo * p->sw - p->pl < 0) lo++;
  while (hi > lo && (hi - 1) * p->sw - p->pl + (p->kw - 1) * p->dw >= p->w) hi--;
  *owlo = lo;
  *owhi = hi;
}

/* Output row oh, channels m0 .. m0 + nm - 1 (one block of weights wb [KH][KW][C][8], bias bb). */
static void hsq_conv_f32_block_row(const hsq_conv_t* p, const float* xn, const float* wb, const float* bb,
                                   float* yr, int32_t m0, int32_t nm, int32_t oh, int32_t owlo, int32_t owhi,
                                   int32_t act, float a0, float a1) {
  const int32_t M = p->m;
  int32_t ow = 0;
  for (; ow < owlo; ow++) hsq_conv_f32_px(p, xn, wb, bb, yr + (size_t)ow * M + m0, nm, oh, ow, act, a0, a1);
  for (; ow + HSQ_CONV_TILE <= owhi; ow += HSQ_CONV_TILE)
    hsq_conv_f32_tile(p, xn, wb, bb, yr + (size_t)ow * M + m0, nm, oh, ow, act, a0, a1);
  for (; ow < p->ow; ow++) hsq_conv_f32_px(p, xn, wb, bb, yr + (size_t)ow * M + m0, nm, oh, ow, act, a0, a1);
}

static void hsq_conv_f32_blocked(const hsq_conv_t* p, const float* x, const float* w, const float* bias,
                                 float* y, int32_t act, float a0, float a1) {
  const int32_t C = p->c, M = p->m;
  const size_t wblk = (size_t)p->kh * p->kw * C * HSQ_CONV_MB;
  int32_t n, oh, m0, owlo, owhi;
  hsq_conv_inner_cols(p, &owlo, &owhi);
  for (n = 0; n < p->n; n++) {
    const float* xn = x + (size_t)n * p->h * p->w * C;
    for (oh = 0; oh < p->oh; oh++) {
      float* yr = y + ((size_t)n * p->oh + oh) * p->ow * M;
      for (m0 = 0; m0 < M; m0 += HSQ_CONV_MB) {
        const float* wb = w + (size_t)(m0 / HSQ_CONV_MB) * wblk;
        const float* bb = bias ? bias + m0 : NULL;
        const int32_t nm = M - m0 < HSQ_CONV_MB ? M - m0 : HSQ_CONV_MB;
        hsq_conv_f32_block_row(p, xn, wb, bb, yr, m0, nm, oh, owlo, owhi, act, a0, a1);
      }
    }
  }
}

void hsq_conv_f32(const hsq_conv_t* p, const float* x, const float* w, const float* bias,
                  float* y, int32_t act, float a0, float a1) {
  if (p->wblock == HSQ_CONV_MB && p->group == 1) hsq_conv_f32_blocked(p, x, w, bias, y, act, a0, a1);
  else hsq_conv_f32_rows(p, x, w, bias, y, act, a0, a1);
}

/* Group 1: one block of 8 output channels at a time is dequantized into wblk [KH][KW][C][8]
 * (zeros past M) and computed by the blocked float conv's pixel and tile loops. */
static void hsq_conv_wq_f32_blocked(const hsq_conv_t* p, const hsq_wq_t* q, const float* x, const uint8_t* w,
                                    const float* scale, const float* bias, float* y, int32_t act, float a0,
                                    float a1, int8_t* qrow, float* wblk) {
  const int32_t C = p->c, M = p->m;
  const int32_t ws = p->kh * p->kw * C;
  int32_t n, oh, m0, j, i, owlo, owhi;
  float bb[HSQ_CONV_MB];
  hsq_conv_inner_cols(p, &owlo, &owhi);
  for (m0 = 0; m0 < M; m0 += HSQ_CONV_MB) {
    const int32_t nm = M - m0 < HSQ_CONV_MB ? M - m0 : HSQ_CONV_MB;
    for (j = 0; j < HSQ_CONV_MB; j++) {
      if (j < nm) {
        const float s = scale[q->per_channel ? m0 + j : 0];
        hsq_unpack_rows(qrow, w + (size_t)(m0 + j) * q->row_bytes, 1, ws, q->row_bytes, q->wbits, q->wmul, q->wadd);
        for (i = 0; i < ws; i++) wblk[(size_t)i * HSQ_CONV_MB + j] = (float)qrow[i] * s;
        bb[j] = bias ? bias[m0 + j] : 0.0f;
      } else {
        for (i = 0; i < ws; i++) wblk[(size_t)i * HSQ_CONV_MB + j] = 0.0f;
        bb[j] = 0.0f;
      }
    }
    for (n = 0; n < p->n; n++) {
      const float* xn = x + (size_t)n * p->h * p->w * C;
      for (oh = 0; oh < p->oh; oh++)
        hsq_conv_f32_block_row(p, xn, wblk, bb, y + ((size_t)n * p->oh + oh) * p->ow * M, m0, nm, oh, owlo, owhi, act, a0, a1);
    }
  }
}

void hsq_conv_wq_f32(const hsq_conv_t* p, const hsq_wq_t* q, const float* x, const uint8_t* w,
                     const float* scale, const float* bias, float* y, int32_t act, float a0,
                     float a1, int8_t* qrow, float* wrow) {
  const int32_t C = p->c, M = p->m, Cg = C / p->group, Mg = M / p->group;
  const int32_t ws = p->kh * p->kw * Cg;
  int32_t n, oh, ow, m, i;
  if (p->group == 1) {
    hsq_conv_wq_f32_blocked(p, q, x, w, scale, bias, y, act, a0, a1, qrow, wrow);
    return;
  }
  for (m = 0; m < M; m++) {
    const float s = scale[q->per_channel ? m : 0];
    const int32_t cofs = (m / Mg) * Cg;
    hsq_unpack_rows(qrow, w + (size_t)m * q->row_bytes, 1, ws, q->row_bytes, q->wbits, q->wmul, q->wadd);
    for (i = 0; i < ws; i++) wrow[i] = (float)qrow[i] * s;
    for (n = 0; n < p->n; n++) {
      const float* xn = x + (size_t)n * p->h * p->w * C;
      for (oh = 0; oh < p->oh; oh++) {
        int32_t khlo, khhi, ih0 = oh * p->sh - p->pt;
        hsq_taps(oh, p->h, p->kh, p->sh, p->pt, p->dh, &khlo, &khhi);
        for (ow = 0; ow < p->ow; ow++) {
          int32_t kwlo, kwhi, iw0 = ow * p->sw - p->pl;
          float acc;
          hsq_taps(ow, p->w, p->kw, p->sw, p->pl, p->dw, &kwlo, &kwhi);
          acc = hsq_conv_window_f32(p, xn, wrow, bias ? bias[m] : 0.0f, cofs, ih0, iw0, khlo, khhi, kwlo, kwhi);
          y[(((size_t)n * p->oh + oh) * p->ow + ow) * M + m] = act ? hsq_act(acc, act, a0, a1) : acc;
        }
      }
    }
  }
}

/* ---------------------------------------------------------------- integer dot products */

/* sum (x - zx) * w over n elements; products fit int16 for 8-bit weights, sums int32. The
 * body runs in blocks of 32 with a fixed trip count so that GCC's -O2 ("very cheap") vectoriser
 * turns it into SIMD multiply-adds; the tail is scalar. */
#define HSQ_DOT_BODY(XT, WT)                                                                   \
  int32_t i = 0, s = 0;                                                                        \
  for (; i + 32 <= n; i += 32) {                                                               \
    const XT* xb = x + i;                                                                      \
    const WT* wb = w + i;                                                                      \
    int32_t j, t = 0;                                                                          \
    for (j = 0; j < 32; j++) t += (int32_t)((int16_t)((int16_t)xb[j] - (int16_t)zx) * (int16_t)wb[j]); \
    s += t;                                                                                    \
  }                                                                                            \
  for (; i < n; i++) s += ((int32_t)x[i] - zx) * (int32_t)w[i];                              \
  return s;

static int32_t hsq_dot_s8s8(const int8_t* x, const int8_t* w, int32_t n, int32_t zx) { HSQ_DOT_BODY(int8_t, int8_t) }
static int32_t hsq_dot_u8s8(const uint8_t* x, const int8_t* w, int32_t n, int32_t zx) { HSQ_DOT_BODY(uint8_t, int8_t) }
static int32_t hsq_dot_s8s16(const int8_t* x, const int16_t* w, int32_t n, int32_t zx) {
  int32_t i, s = 0;
  for (i = 0; i < n; i++) s += ((int32_t)x[i] - zx) * (int32_t)w[i];
  return s;
}
static int32_t hsq_dot_u8s16(const uint8_t* x, const int16_t* w, int32_t n, int32_t zx) {
  int32_t i, s = 0;
  for (i = 0; i < n; i++) s += ((int32_t)x[i] - zx) * (int32_t)w[i];
  return s;
}

/* x + offset (elements) dotted with weights row + offset, dispatching on the containers. */
static int32_t hsq_dot(const hsq_qparams_t* q, const void* x, size_t xo, const void* w, size_t wo,
                       int32_t n) {
  if (q->wbits == 16) {
    return q->x_unsigned ? hsq_dot_u8s16((const uint8_t*)x + xo, (const int16_t*)w + wo, n, q->zx)
                         : hsq_dot_s8s16((const int8_t*)x + xo, (const int16_t*)w + wo, n, q->zx);
  }
  return q->x_unsigned ? hsq_dot_u8s8((const uint8_t*)x + xo, (const int8_t*)w + wo, n, q->zx)
                       : hsq_dot_s8s8((const int8_t*)x + xo, (const int8_t*)w + wo, n, q->zx);
}

static void hsq_store_q(const hsq_qparams_t* q, void* y, size_t o, int32_t acc, float mult, int32_t ch) {
  int32_t v;
  if (q->y_kind == HSQ_Y_ACC) { ((int32_t*)y)[o] = acc; return; }
  if (q->y_kind == HSQ_Y_F32 || q->y_bipolar) {
    float p = (float)acc * mult;
    if (q->fbias) p = p + q->fbias[ch];
    if (q->y_kind == HSQ_Y_F32) { ((float*)y)[o] = p; return; }
    ((int8_t*)y)[o] = (int8_t)(p >= 0.0f ? 1 : -1);
    return;
  }
  v = q->fbias ? hsq_requantize_fb(acc, mult, q->fbias[ch], q->zy, q->qmin, q->qmax)
               : hsq_requantize(acc, mult, q->zy, q->qmin, q->qmax);
  if (q->y_kind == HSQ_Y_U8) ((uint8_t*)y)[o] = (uint8_t)v;
  else ((int8_t*)y)[o] = (int8_t)v;
}

/* The weights of output channels [m0, m0 + rows): a view into w (8/16-bit storage) or the rows
 * unpacked into scratch (sub-byte storage). */
static const void* hsq_weight_rows(const hsq_qparams_t* q, const void* w, int32_t m0, int32_t rows,
                                   int32_t row_len, int8_t* scratch) {
  if (q->wbits == 8) return (const int8_t*)w + (size_t)m0 * row_len;
  if (q->wbits == 16) return (const int16_t*)w + (size_t)m0 * row_len;
  hsq_unpack_rows(scratch, (const uint8_t*)w + (size_t)m0 * q->row_bytes, rows, row_len,
                  q->row_bytes, q->wbits, q->wmul, q->wadd);
  return scratch;
}

/* ---------------------------------------------------------------- quantized conv */

/* Dot products of an int16 patch (x - zx) with a weight row. Blocks of fixed length let gcc -O2
 * vectorise each as a multiply-add of int16 pairs into int32 (pmaddwd on x86); the products
 * are exact and integer sums do not depend on their order. */
#define HSQ_DOT16_BODY(WT)                                                                     \
  int32_t i = 0, s = 0, j;                                                                     \
  for (; i + 32 <= n; i += 32) {                                                               \
    const int16_t* vb = v + i;                                                                 \
    const WT* wb = w + i;                                                                      \
    int32_t t = 0;                                                                             \
    for (j = 0; j < 32; j++) t += vb[j] * (int16_t)wb[j];                                      \
    s += t;                                                                                    \
  }                                                                                            \
  for (; i + 8 <= n; i += 8) {                                                                 \
    const int16_t* vb = v + i;                                                                 \
    const WT* wb = w + i;                                                                      \
    int32_t t = 0;                                                                             \
    for (j = 0; j < 8; j++) t += vb[j] * (int16_t)wb[j];                                       \
    s += t;                                                                                    \
  }                                                                                            \
  for (; i < n; i++) s += v[i] * (int32_t)w[i];                                                \
  return s;

#if defined(__ARM_FEATURE_MVE)
/* Helium: gcc 12 does not vectorise these widening reductions, so 8 int16 products at a time
 * are summed into the scalar by VMLADAVA (the same exact integer sum). */
static int32_t hsq_dot16_s8(const int16_t* v, const int8_t* w, int32_t n) {
  int32_t i = 0, s = 0;
  for (; i + 8 <= n; i += 8) s = vmladavaq_s16(s, vld1q_s16(v + i), vldrbq_s16(w + i));
  for (; i < n; i++) s += v[i] * (int32_t)w[i];
  return s;
}
static int32_t hsq_dot16_s16(const int16_t* v, const int16_t* w, int32_t n) {
  int32_t i = 0, s = 0;
  for (; i + 8 <= n; i += 8) s = vmladavaq_s16(s, vld1q_s16(v + i), vld1q_s16(w + i));
  for (; i < n; i++) s += v[i] * (int32_t)w[i];
  return s;
}
#else
static int32_t hsq_dot16_s8(const int16_t* v, const int8_t* w, int32_t n) { HSQ_DOT16_BODY(int8_t) }
static int32_t hsq_dot16_s16(const int16_t* v, const int16_t* w, int32_t n) { HSQ_DOT16_BODY(int16_t) }
#endif

/* v[0..len) = x[0..len) - zx, widened to int16 (blocks of 16 vectorise). */
#define HSQ_WIDEN_BODY(XT)                                                                     \
  int32_t i = 0, j;                                                                            \
  for (; i + 16 <= len; i += 16)                                                               \
    for (j = 0; j < 16; j++) v[i + j] = (int16_t)((int16_t)x[i + j] - (int16_t)zx);            \
  for (; i < len; i++) v[i] = (int16_t)((int16_t)x[i] - (int16_t)zx);

#if defined(__ARM_FEATURE_MVE)
/* Helium: widening loads of 8 bytes, one int16 subtract (the scalar C loop is not vectorised). */
static void hsq_widen_s8(int16_t* restrict v, const int8_t* restrict x, int32_t len, int32_t zx) {
  int32_t i = 0;
  for (; i + 8 <= len; i += 8) vst1q_s16(v + i, vsubq_n_s16(vldrbq_s16(x + i), (int16_t)zx));
  for (; i < len; i++) v[i] = (int16_t)((int16_t)x[i] - (int16_t)zx);
}
static void hsq_widen_u8(int16_t* restrict v, const uint8_t* restrict x, int32_t len, int32_t zx) {
  int32_t i = 0;
  for (; i + 8 <= len; i += 8) vst1q_s16(v + i, vsubq_n_s16(vreinterpretq_s16_u16(vldrbq_u16(x + i)), (int16_t)zx));
  for (; i < len; i++) v[i] = (int16_t)((int16_t)x[i] - (int16_t)zx);
}
#else
static void hsq_widen_s8(int16_t* restrict v, const int8_t* restrict x, int32_t len, int32_t zx) { HSQ_WIDEN_BODY(int8_t) }
static void hsq_widen_u8(int16_t* restrict v, const uint8_t* restrict x, int32_t len, int32_t zx) { HSQ_WIDEN_BODY(uint8_t) }
#endif

/* The [KH][KW][C] input patch of output pixel (n, oh, ow) as int16 x - zx, 0 on padding taps
 * (a padding tap contributes 0 to the integer sum either way). group must be 1. */
static void hsq_patch(const hsq_conv_t* p, const hsq_qparams_t* q, const void* x, int16_t* v,
                      int32_t n, int32_t oh, int32_t ow) {
  const int32_t C = p->c, rowlen = p->kw * C;
  const int32_t ih0 = oh * p->sh - p->pt, iw0 = ow * p->sw - p->pl;
  int32_t kh, kw, khlo, khhi, kwlo, kwhi;
  hsq_taps(oh, p->h, p->kh, p->sh, p->pt, p->dh, &khlo, &khhi);
  hsq_taps(ow, p->w, p->kw, p->sw, p->pl, p->dw, &kwlo, &kwhi);
  for (kh = 0; kh < p->kh; kh++) {
    int16_t* vr = v + (size_t)kh * rowlen;
    size_t xr;
    if (kh < khlo || kh >= khhi) { memset(vr, 0, sizeof(int16_t) * (size_t)rowlen); continue; }
    xr = (((size_t)n * p->h + (size_t)(ih0 + kh * p->dh)) * p->w) * C;
    if (kwlo > 0) memset(vr, 0, sizeof(int16_t) * (size_t)kwlo * C);
    if (kwhi < p->kw) memset(vr + (size_t)kwhi * C, 0, sizeof(int16_t) * (size_t)(p->kw - kwhi) * C);
    if (p->dw == 1) {
      const size_t xo = xr + (size_t)(iw0 + kwlo) * C;
      const int32_t len = (kwhi - kwlo) * C;
      if (q->x_unsigned) hsq_widen_u8(vr + (size_t)kwlo * C, (const uint8_t*)x + xo, len, q->zx);
      else hsq_widen_s8(vr + (size_t)kwlo * C, (const int8_t*)x + xo, len, q->zx);
    } else {
      for (kw = kwlo; kw < kwhi; kw++) {
        const size_t xo = xr + (size_t)(iw0 + kw * p->dw) * C;
        if (q->x_unsigned) hsq_widen_u8(vr + (size_t)kw * C, (const uint8_t*)x + xo, C, q->zx);
        else hsq_widen_s8(vr + (size_t)kw * C, (const int8_t*)x + xo, C, q->zx);
      }
    }
  }
}

/* Patch path (group 1): for each block of q->mblock output channels (unpacked into scratch when
 * sub-byte), for each run of q->patch output pixels: build their int16 patches, then every
 * weight row of the block is dotted with all of them while it is in cache. */
static void hsq_qconv_patch(const hsq_conv_t* p, const hsq_qparams_t* q, const void* x,
                            const void* w, const int32_t* bias, const float* mult, void* y,
                            int8_t* scratch) {
  const int32_t M = p->m, K = p->kh * p->kw * p->c;
  const int32_t npx = p->n * p->oh * p->ow, P = q->patch;
  const int32_t mblock = q->mblock > 0 ? q->mblock : M;
  int16_t* vbuf = (int16_t*)(void*)(scratch + (q->wbits < 8 ? ((size_t)mblock * K + 15) / 16 * 16 : 0));
  int32_t m0, m, t, k;
  for (m0 = 0; m0 < M; m0 += mblock) {
    const int32_t m1 = m0 + mblock < M ? m0 + mblock : M;
    const void* wb = hsq_weight_rows(q, w, m0, m1 - m0, K, scratch);
    for (t = 0; t < npx; t += P) {
      const int32_t np = npx - t < P ? npx - t : P;
      for (k = 0; k < np; k++) {
        const int32_t px = t + k, ow = px % p->ow, oh = (px / p->ow) % p->oh, n = px / (p->ow * p->oh);
        hsq_patch(p, q, x, vbuf + (size_t)k * K, n, oh, ow);
      }
      for (m = m0; m < m1; m++) {
        const int32_t b = bias ? bias[m] : 0;
        const float mu = mult[q->per_channel ? m : 0];
        for (k = 0; k < np; k++) {
          const int16_t* vk = vbuf + (size_t)k * K;
          const int32_t acc = b + (q->wbits == 16 ? hsq_dot16_s16(vk, (const int16_t*)wb + (size_t)(m - m0) * K, K)
                                                  : hsq_dot16_s8(vk, (const int8_t*)wb + (size_t)(m - m0) * K, K));
          hsq_store_q(q, y, (size_t)(t + k) * M + m, acc, mu, m);
        }
      }
    }
  }
}

void hsq_qconv(const hsq_conv_t* p, const hsq_qparams_t* q, const void* x, const void* w,
               const int32_t* bias, const float* mult, void* y, int8_t* scratch) {
  const int32_t C = p->c, M = p->m, Cg = C / p->group, Mg = M / p->group;
  const int32_t ws = p->kh * p->kw * Cg;
  const int merged = p->group == 1 && p->dw == 1;
  const int32_t mblock = q->wbits < 8 ? q->mblock : M;
  int32_t n, oh, ow, m, m0, kh, kw;
  if (q->patch > 0 && p->group == 1) {
    hsq_qconv_patch(p, q, x, w, bias, mult, y, scratch);
    return;
  }
  for (m0 = 0; m0 < M; m0 += mblock) {
    const int32_t m1 = m0 + mblock < M ? m0 + mblock : M;
    const void* wb = hsq_weight_rows(q, w, m0, m1 - m0, ws, scratch);
    for (n = 0; n < p->n; n++) {
      const size_t xn = (size_t)n * p->h * p->w * C;
      for (oh = 0; oh < p->oh; oh++) {
        int32_t khlo, khhi, ih0 = oh * p->sh - p->pt;
        hsq_taps(oh, p->h, p->kh, p->sh, p->pt, p->dh, &khlo, &khhi);
        for (ow = 0; ow < p->ow; ow++) {
          int32_t kwlo, kwhi, iw0 = ow * p->sw - p->pl;
          const size_t yo = (((size_t)n * p->oh + oh) * p->ow + ow) * M;
          hsq_taps(ow, p->w, p->kw, p->sw, p->pl, p->dw, &kwlo, &kwhi);
          for (m = m0; m < m1; m++) {
            const int32_t cofs = (m / Mg) * Cg;
            const size_t wm = (size_t)(m - m0) * ws;
            int32_t acc = bias ? bias[m] : 0;
            for (kh = khlo; kh < khhi; kh++) {
              const size_t xr = xn + (size_t)(ih0 + kh * p->dh) * p->w * C;
              const size_t wr = wm + (size_t)kh * p->kw * Cg;
              if (merged) {
                acc += hsq_dot(q, x, xr + (size_t)(iw0 + kwlo) * C, wb, wr + (size_t)kwlo * Cg,
                               (kwhi - kwlo) * C);
              } else {
                for (kw = kwlo; kw < kwhi; kw++)
                  acc += hsq_dot(q, x, xr + (size_t)(iw0 + kw * p->dw) * C + cofs, wb,
                                 wr + (size_t)kw * Cg, Cg);
              }
            }
            hsq_store_q(q, y, yo + m, acc, mult[q->per_channel ? m : 0], m);
          }
        }
      }
    }
  }
}

/* ---------------------------------------------------------------- quantized conv transpose */

void hsq_qconv_transpose(const hsq_conv_t* p, const hsq_qparams_t* q, const void* x,
                         const void* w, const int32_t* bias, const float* mult, void* y,
                         int8_t* scratch) {
  const int32_t C = p->c, M = p->m, Cg = C / p->group, Mg = M / p->group;
  const int32_t ws = p->kh * p->kw * Cg;
  const int32_t mblock = q->wbits < 8 && q->mblock > 0 ? q->mblock : M;
  int32_t n, oh, ow, m, m0, kh, kw;
  for (m0 = 0; m0 < M; m0 += mblock) {
    const int32_t m1 = m0 + mblock < M ? m0 + mblock : M;
    const void* wb = hsq_weight_rows(q, w, m0, m1 - m0, ws, scratch);
    for (n = 0; n < p->n; n++) {
      for (oh = 0; oh < p->oh; oh++) {
        for (ow = 0; ow < p->ow; ow++) {
          const size_t yo = (((size_t)n * p->oh + oh) * p->ow + ow) * M;
          for (m = m0; m < m1; m++) {
            const int32_t cofs = (m / Mg) * Cg;
            const size_t wm = (size_t)(m - m0) * ws;
            int32_t acc = bias ? bias[m] : 0;
            for (kh = 0; kh < p->kh; kh++) {
              const int32_t th = oh + p->pt - kh * p->dh;
              int32_t ih;
              if (th < 0 || th % p->sh != 0) continue;
              ih = th / p->sh;
              if (ih >= p->h) continue;
              for (kw = 0; kw < p->kw; kw++) {
                const int32_t tw = ow + p->pl - kw * p->dw;
                int32_t iw;
                if (tw < 0 || tw % p->sw != 0) continue;
                iw = tw / p->sw;
                if (iw >= p->w) continue;
                acc += hsq_dot(q, x, (((size_t)n * p->h + ih) * p->w + iw) * C + cofs, wb,
                               wm + ((size_t)kh * p->kw + kw) * Cg, Cg);
              }
            }
            hsq_store_q(q, y, yo + m, acc, mult[q->per_channel ? m : 0], m);
          }
        }
      }
    }
  }
}

/* ---------------------------------------------------------------- quantized gemm */

void hsq_qgemm(int32_t rows, int32_t k, int32_t n, const hsq_qparams_t* q, const void* x,
               const void* w, const int32_t* bias, const float* mult, void* y, int8_t* scratch) {
  const int32_t nblock = q->wbits < 8 ? q->mblock : n;
  int32_t r, j, j0;
  for (j0 = 0; j0 < n; j0 += nblock) {
    const int32_t j1 = j0 + nblock < n ? j0 + nblock : n;
    const void* wb = hsq_weight_rows(q, w, j0, j1 - j0, k, scratch);
    for (r = 0; r < rows; r++) {
      for (j = j0; j < j1; j++) {
        int32_t acc = bias ? bias[j] : 0;
        acc += hsq_dot(q, x, (size_t)r * k, wb, (size_t)(j - j0) * k, k);
        hsq_store_q(q, y, (size_t)r * n + j, acc, mult[q->per_channel ? j : 0], j);
      }
    }
  }
}

/* ---------------------------------------------------------------- LUT */

void hsq_lut_s8(int32_t n, const int8_t* x, int8_t* y, const int8_t* table) {
  int32_t i;
  for (i = 0; i < n; i++) y[i] = table[(uint8_t)x[i]];
}
void hsq_lut_u8(int32_t n, const uint8_t* x, uint8_t* y, const uint8_t* table) {
  int32_t i;
  for (i = 0; i < n; i++) y[i] = table[x[i]];
}

/* ---------------------------------------------------------------- float matrix products */

/* matmul-kernel.ts: per element acc = 0, then k ascending, float32 after every operation.
 * a_off/b_off: element offsets of the A and B matrices of each batch (broadcasting). */
void hsq_matmul_f32(int32_t batch, int32_t m, int32_t k, int32_t n,
                    const int32_t* a_off, const int32_t* b_off, const float* a, const float* b,
                    float* y) {
  int32_t e, i, j, kk;
  for (e = 0; e < batch; e++) {
    const float* ab = a + a_off[e];
    const float* bb = b + b_off[e];
    float* yb = y + (size_t)e * m * n;
    for (i = 0; i < m; i++) {
      float* yr = yb + (size_t)i * n;
      for (j = 0; j < n; j++) yr[j] = 0.0f;
      for (kk = 0; kk < k; kk++) {
        const float av = ab[(size_t)i * k + kk];
        const float* br = bb + (size_t)kk * n;
        for (j = 0; j < n; j++) yr[j] = yr[j] + av * br[j];
      }
    }
  }
}

void hsq_matmul_wq_f32(int32_t rows, int32_t k, int32_t n, const hsq_wq_t* q, const float* a,
                       const uint8_t* w, const float* scale, float* y, int8_t* qrow, float* wrow) {
  int32_t i, j, kk;
  for (j = 0; j < n; j++) {
    const float s = scale[q->per_channel ? j : 0];
    hsq_unpack_rows(qrow, w + (size_t)j * q->row_bytes, 1, k, q->row_bytes, q->wbits, q->wmul, q->wadd);
    for (kk = 0; kk < k; kk++) wrow[kk] = (float)qrow[kk] * s;
    for (i = 0; i < rows; i++) {
      const float* ar = a + (size_t)i * k;
      float acc = 0.0f;
      for (kk = 0; kk < k; kk++) acc = acc + ar[kk] * wrow[kk];
      y[(size_t)i * n + j] = acc;
    }
  }
}

/* gemm.ts: acc as matmul, then y = alpha * acc (+ beta * C), then the fused activation. */
void hsq_gemm_f32(int32_t m, int32_t k, int32_t n, int32_t trans_a, int32_t trans_b,
                  float alpha, float beta, const float* a, const float* b, const float* c,
                  int32_t c_sm, int32_t c_sn, float* y, int32_t act, float a0, float a1) {
  int32_t i, j, kk;
  for (i = 0; i < m; i++) {
    float* yr = y + (size_t)i * n;
    for (j = 0; j < n; j++) yr[j] = 0.0f;
    for (kk = 0; kk < k; kk++) {
      const float av = trans_a ? a[(size_t)kk * m + i] : a[(size_t)i * k + kk];
      if (trans_b) {
        for (j = 0; j < n; j++) yr[j] = yr[j] + av * b[(size_t)j * k + kk];
      } else {
        const float* br = b + (size_t)kk * n;
        for (j = 0; j < n; j++) yr[j] = yr[j] + av * br[j];
      }
    }
    for (j = 0; j < n; j++) {
      float v = alpha * yr[j];
      if (c) v = v + beta * c[(size_t)i * c_sm + (size_t)j * c_sn];
      yr[j] = act ? hsq_act(v, act, a0, a1) : v;
    }
  }
}

/* ---------------------------------------------------------------- pools (NHWC) */

/* Each output pixel accumulates tap by tap over its C channels (contiguous, vectorisable);
 * per channel the order is kh, kw as in the interpreter. */
#define HSQ_POOL_LOOP(TYPE, INIT, STEP, FINISH)                                                \
  int32_t n, oh, ow, kh, kw, c;                                                                \
  const int32_t C = p->c;                                                                      \
  for (n = 0; n < p->n; n++) {                                                                 \
    for (oh = 0; oh < p->oh; oh++) {                                                          \
      int32_t khlo, khhi, ih0 = oh * p->sh - p->pt;                                            \
      hsq_taps(oh, p->h, p->kh, p->sh, p->pt, p->dh, &khlo, &khhi);                            \
      for (ow = 0; ow < p->ow; ow++) {                                                         \
        int32_t kwlo, kwhi, iw0 = ow * p->sw - p->pl;                                          \
        TYPE* yp = y + (((size_t)n * p->oh + oh) * p->ow + ow) * C;                            \
        hsq_taps(ow, p->w, p->kw, p->sw, p->pl, p->dw, &kwlo, &kwhi);                          \
        for (c = 0; c < C; c++) yp[c] = INIT;                                                  \
        for (kh = khlo; kh < khhi; kh++) {                                                     \
          for (kw = kwlo; kw < kwhi; kw++) {                                                   \
            const TYPE* xp = x + (((size_t)n * p->h + ih0 + kh * p->dh) * p->w + iw0 + kw * p->dw) * C; \
            for (c = 0; c < C; c++) STEP;                                                      \
          }                                                                                    \
        }                                                                                      \
        FINISH;                                                                                \
      }                                                                                        \
    }                                                                                          \
  }

void hsq_maxpool_f32(const hsq_pool_t* p, const float* x, float* y) {
  HSQ_POOL_LOOP(float, -HUGE_VALF, if (xp[c] > yp[c]) yp[c] = xp[c],
                for (c = 0; c < C; c++) if (yp[c] == -HUGE_VALF) yp[c] = -3.40282346638528859812e+38f)
}
void hsq_maxpool_s8(const hsq_pool_t* p, const int8_t* x, int8_t* y) {
  HSQ_POOL_LOOP(int8_t, -128, if (xp[c] > yp[c]) yp[c] = xp[c], (void)0)
}
void hsq_maxpool_u8(const hsq_pool_t* p, const uint8_t* x, uint8_t* y) {
  HSQ_POOL_LOOP(uint8_t, 0, if (xp[c] > yp[c]) yp[c] = xp[c], (void)0)
}

/* average-pool.ts: sum in (kh, kw) order, then sum / count; count_include_pad counts taps
 * inside the padded extent. A window without taps gives NaN. */
static void hsq_avg_finish(const hsq_pool_t* p, float* yp, int32_t oh, int32_t ow, int32_t khlo,
                           int32_t khhi, int32_t kwlo, int32_t kwhi) {
  int32_t count, a, b, a2, b2, c;
  if (p->count_include_pad) {
    hsq_taps(oh, p->h + p->pt + p->pb, p->kh, p->sh, 0, p->dh, &a, &b);
    hsq_taps(ow, p->w + p->pl + p->pr, p->kw, p->sw, 0, p->dw, &a2, &b2);
    count = (b - a) * (b2 - a2);
  } else {
    count = (khhi - khlo) * (kwhi - kwlo);
  }
  for (c = 0; c < p->c; c++) yp[c] = count > 0 ? yp[c] / (float)count : NAN;
}

void hsq_avgpool_f32(const hsq_pool_t* p, const float* x, float* y) {
  HSQ_POOL_LOOP(float, 0.0f, yp[c] = yp[c] + xp[c], hsq_avg_finish(p, yp, oh, ow, khlo, khhi, kwlo, kwhi))
}

/* global-pool-kernel.ts: sum over the plane in memory order (h, w), then sum / plane. */
void hsq_global_avgpool_f32(int32_t n, int32_t hw, int32_t c, const float* x, float* y) {
  int32_t b, i, k;
  for (b = 0; b < n; b++) {
    float* yp = y + (size_t)b * c;
    const float* xb = x + (size_t)b * hw * c;
    for (k = 0; k < c; k++) yp[k] = 0.0f;
    for (i = 0; i < hw; i++)
      for (k = 0; k < c; k++) yp[k] = yp[k] + xb[(size_t)i * c + k];
    for (k = 0; k < c; k++) yp[k] = yp[k] / (float)hw;
  }
}

/* Max from the first element on (a NaN first element stays), as global-pool-kernel.ts. */
#define HSQ_GMAX(NAME, TYPE)                                                                   \
  void NAME(int32_t n, int32_t hw, int32_t c, const TYPE* x, TYPE* y) {                       \
    int32_t b, i, k;                                                                           \
    for (b = 0; b < n; b++) {                                                                  \
      TYPE* yp = y + (size_t)b * c;                                                            \
      const TYPE* xb = x + (size_t)b * hw * c;                                                 \
      for (k = 0; k < c; k++) yp[k] = xb[k];                                                   \
      for (i = 1; i < hw; i++)                                                                 \
        for (k = 0; k < c; k++) if (xb[(size_t)i * c + k] > yp[k]) yp[k] = xb[(size_t)i * c + k]; \
    }                                                                                          \
  }
HSQ_GMAX(hsq_global_maxpool_f32, float)
HSQ_GMAX(hsq_global_maxpool_s8, int8_t)
HSQ_GMAX(hsq_global_maxpool_u8, uint8_t)

/* hsq portable C99 runtime: numerics (the C twin of compiler/numerics.ts) and the kernel API
 * used by code that hsq emits. No malloc, no VLAs, no global state: every buffer a kernel
 * touches is passed in (activations and scratch live in the caller's arena).
 *
 * Layout: 4-D activations are NHWC. Kernels that index by logical dimension take per-dimension
 * strides in elements, so one kernel serves every layout. */
#ifndef HSQ_RUNTIME_H
#define HSQ_RUNTIME_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <math.h>
#include "hsq_expf.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Constant weights: 16-byte aligned, in section .hsq_weights where the compiler supports it.
 * Define HSQ_WEIGHTS_ATTR before including this header to place them elsewhere. */
#ifndef HSQ_WEIGHTS_ATTR
#if defined(__GNUC__) && !defined(__APPLE__)
#define HSQ_WEIGHTS_ATTR __attribute__((section(".hsq_weights"), aligned(16)))
#elif defined(__GNUC__)
#define HSQ_WEIGHTS_ATTR __attribute__((aligned(16)))
#else
#define HSQ_WEIGHTS_ATTR
#endif
#endif

/* Element types of public inputs/outputs (values of NAME_INPUTi_DTYPE). Sub-byte tensors are
 * passed unpacked, one element a byte (int4 in int8_t, uint4 in uint8_t). */
enum {
  HSQ_FLOAT32 = 1, HSQ_UINT8 = 2, HSQ_INT8 = 3, HSQ_UINT16 = 4, HSQ_INT16 = 5, HSQ_INT32 = 6,
  HSQ_INT64 = 7, HSQ_BOOL = 9, HSQ_UINT4 = 21, HSQ_INT4 = 22
};

/* Return codes of NAME_run / NAME_run_float. */
#define HSQ_OK 0
#define HSQ_E_ARG (-1)      /* null pointer */
#define HSQ_E_DTYPE (-2)    /* run_float on a tensor that is neither float32 nor quantized */

#define HSQ_MAX_RANK 8

/* ---------------------------------------------------------------- per-layer profiling
 * Built with -DHSQ_PROFILE, NAME.c times every layer of its schedule:
 *   HSQ_PROFILE_BEGIN(k); <layer k> HSQ_PROFILE_END(k);
 * stores hsq_profile_now() differences in NAME_profile[k] (names in NAME_profile_names[k], ops
 * in NAME_profile_ops[k], NAME_NUM_LAYERS entries; see NAME.h). Without HSQ_PROFILE both macros
 * are empty and NAME.c defines no profile symbol: the release build is unchanged.
 *
 * The platform defines the clock, once per program:
 *   uint64_t hsq_profile_now(void);   monotonic ticks
 *   host:       clock_gettime(CLOCK_MONOTONIC) in ns (hsq's host harness)
 *   QEMU M55:   SysTick ticks of hsq_m55_counter_read(); under -icount shift=0 one tick is
 *               31.25 executed instructions, not cycles (runtime-c/m55/hsq_m55.h,
 *               HSQ_M55_DEFINE_PROFILE_CLOCK)
 *   board:      DWT->CYCCNT core cycles: HSQ_PROFILE_DEFINE_DWT_CLOCK() below (the stm32n6 glue
 *               defines it unless HSQ_PROFILE_CLOCK_EXTERNAL is set)
 * The table is a static per model: a profiled build is a debug build, and two concurrent runs
 * of one model (threads, interrupts) overwrite each other's entries. Each entry holds the last
 * run's time of that layer. The macros expect HSQ_PROFILE_TABLE to name the table (NAME.c
 * defines it). */
#ifdef HSQ_PROFILE
uint64_t hsq_profile_now(void);
#define HSQ_PROFILE_BEGIN(k) const uint64_t hsq_profile_t0_##k = hsq_profile_now()
#define HSQ_PROFILE_END(k) HSQ_PROFILE_TABLE[k] = hsq_profile_now() - hsq_profile_t0_##k
/* Cortex-M DWT cycle counter (ARMv7-M/v8-M: DEMCR.TRCENA, DWT_CTRL.CYCCNTENA), widened to 64
 * bits; exact as long as it is read at least once every 2^32 cycles (5.3 s at 800 MHz). */
#define HSQ_PROFILE_DEFINE_DWT_CLOCK()                                                        \
  uint64_t hsq_profile_now(void) {                                                            \
    static uint32_t hsq_dwt_last, hsq_dwt_high, hsq_dwt_on;                                   \
    uint32_t now;                                                                             \
    if (!hsq_dwt_on) {                                                                        \
      *(volatile uint32_t*)0xE000EDFCu |= 1u << 24;        /* DEMCR.TRCENA */                 \
      *(volatile uint32_t*)0xE0001FB0u = 0xC5ACCE55u;      /* DWT_LAR unlock (WI if absent) */\
      *(volatile uint32_t*)0xE0001004u = 0u;               /* DWT_CYCCNT */                   \
      *(volatile uint32_t*)0xE0001000u |= 1u;              /* DWT_CTRL.CYCCNTENA */           \
      hsq_dwt_on = 1u;                                                                        \
    }                                                                                         \
    now = *(volatile uint32_t*)0xE0001004u;                                                   \
    if (now < hsq_dwt_last) hsq_dwt_high++;                                                   \
    hsq_dwt_last = now;                                                                       \
    return ((uint64_t)hsq_dwt_high << 32) | now;                                              \
  }
#else
#define HSQ_PROFILE_BEGIN(k)
#define HSQ_PROFILE_END(k)
#endif

/* ---------------------------------------------------------------- per-layer trace
 * Built with -DHSQ_TRACE, NAME.c calls
 *   void hsq_trace_layer(uint32_t index, const char* name, const void* data, uint32_t bytes);
 * after every CPU layer (and the stm32n6 glue at every NPU segment boundary), once per tensor
 * the layer writes: `index` numbers the calls of one C model from 0 (each CPU segment of an
 * stm32n6 program numbers its own; the glue's NPU calls pass the segment id), `name` is the tensor's name
 * (the IR name, as `hsq verify --trace` looks it up), `data` its bytes as the arena holds them
 * (4-D tensors NHWC, sub-byte types one element a byte). The runtime's definition is a weak
 * no-op: the platform overrides it, usually with hsq_trace_write() below, which formats one
 * text line per call,
 *   HSQTRACE <index> <name> <bytes> <fnv1a32 of the bytes, 8 hex digits>[ <base64 of the bytes>]
 * (the data only when `full` is set), and hands it out in pieces through `put` (semihosting
 * printf in QEMU, a UART on a board). Without HSQ_TRACE the calls vanish: HSQ_TRACE_LAYER is
 * empty and the release build is unchanged. */
#ifdef HSQ_TRACE
void hsq_trace_layer(uint32_t index, const char* name, const void* data, uint32_t bytes);
typedef void (*hsq_trace_put_fn)(const char* text, uint32_t len, void* ctx);
uint32_t hsq_fnv1a32(const void* data, uint32_t bytes);
void hsq_trace_write(hsq_trace_put_fn put, void* ctx, uint32_t index, const char* name,
                     const void* data, uint32_t bytes, int full);
#define HSQ_TRACE_LAYER(k, name, data, bytes) hsq_trace_layer((uint32_t)(k), (name), (data), (uint32_t)(bytes))
#else
#define HSQ_TRACE_LAYER(k, name, data, bytes)
#endif

/* ---------------------------------------------------------------- numerics (numerics.ts) */

/* Round half to even of a float32 value, returned as a float holding an integer. The same
 * floor-based algorithm as roundHalfEven in numerics.ts; independent of the FP rounding mode.
 * floor comes from the truncating float -> int conversion (no libm call: SSE2 has no floor
 * instruction); |v| >= 2^23, infinities and NaN are returned as they are (already integral),
 * as are zeros (keeping the sign of -0). */
static inline float hsq_round_half_even(float v) {
  int32_t i;
  float d;
  if (!(fabsf(v) < 8388608.0f) || v == 0.0f) return v;
  i = (int32_t)v;
  i -= (float)i > v;                    /* floor */
  d = v - (float)i;                     /* exact: the fraction of v */
  i += (d > 0.5f) | ((d == 0.5f) & (i & 1));
  return (float)i;
}

/* Saturating conversion of an integral float plus zero point into [lo, hi] (lo - zp and hi - zp
 * must be exact in float32, true for every container up to 16 bits). Branch-free clamps: the
 * per-element branches mispredicted on real data. */
static inline int32_t hsq_sat_zp(float r, int32_t zp, int32_t lo, int32_t hi) {
  const float flo = (float)(lo - zp), fhi = (float)(hi - zp);
  if (r != r) return zp < lo ? lo : zp > hi ? hi : zp;
  r = r < flo ? flo : r;
  r = r > fhi ? fhi : r;
  return (int32_t)r + zp;
}

/* int32 accumulator -> integer: float(acc) * mult, round half to even, + zp, saturate. */
static inline int32_t hsq_requantize(int32_t acc, float mult, int32_t zp, int32_t lo, int32_t hi) {
  float p = (float)acc * mult;
  return hsq_sat_zp(hsq_round_half_even(p), zp, lo, hi);
}

/* The same with a float term fb (QONNX float bias, output units): one float add after the
 * multiply, kept separate (-ffp-contract=off), then the same rounding. */
static inline int32_t hsq_requantize_fb(int32_t acc, float mult, float fb, int32_t zp, int32_t lo, int32_t hi) {
  float p = (float)acc * mult;
  p = p + fb;
  return hsq_sat_zp(hsq_round_half_even(p), zp, lo, hi);
}

/* QuantizeLinear of one value: x / scale (a division, as ONNX), round half even, + zp, saturate. */
static inline int32_t hsq_quantize(float x, float scale, int32_t zp, int32_t lo, int32_t hi) {
  float q = x / scale;
  if (q != q) return zp < lo ? lo : zp > hi ? hi : zp;
  return hsq_sat_zp(hsq_round_half_even(q), zp, lo, hi);
}

/* QuantizeLinear from an already divided quotient (integer inputs divide in double). */
static inline int32_t hsq_quantize_q(float q, int32_t zp, int32_t lo, int32_t hi) {
  if (q != q) return zp < lo ? lo : zp > hi ? hi : zp;
  return hsq_sat_zp(hsq_round_half_even(q), zp, lo, hi);
}

/* DequantizeLinear of one value: (q - zp) * scale in float32. For 32-bit containers the
 * difference is formed and multiplied in double and rounded once, as the interpreter does. */
static inline float hsq_dequantize(int32_t q, float scale, int32_t zp) {
  return (float)(q - zp) * scale;
}
static inline float hsq_dequantize32(int32_t q, float scale, int32_t zp) {
  return (float)((double)((int64_t)q - zp) * (double)scale);
}

/* ---------------------------------------------------------------- float functions
 * C twins of compiler/interp/ops/{tanh,erf}.ts: same constants, same float32 steps. */

static inline float hsq_tanhf(float x) {
  const float T0 = -5.70498872745e-3f, T1 = 2.06390887954e-2f, T2 = -5.37397155531e-2f;
  const float T3 = 1.33314422036e-1f, T4 = -3.33332819422e-1f;
  float ax = fabsf(x), z, p;
  if (ax >= 0.625f) {
    float e = hsq_expf(ax + ax);
    float t = 1.0f - 2.0f / (e + 1.0f);
    return x < 0.0f ? -t : t;
  }
  z = x * x;
  p = T0 * z + T1;
  p = p * z + T2;
  p = p * z + T3;
  p = p * z + T4;
  return (p * z) * x + x;
}

static inline float hsq_erff(float x) {
  static const float S[6] = { (float)(-1.0 / 1320), (float)(1.0 / 216), (float)(-1.0 / 42),
                              (float)(1.0 / 10), (float)(-1.0 / 3), 1.0f };
  static const float C[10] = { 0.17087277f, -0.82215223f, 1.48851587f, -1.13520398f,
                               0.27886807f, -0.18628806f, 0.09678418f, 0.37409196f,
                               1.00002368f, -1.26551223f };
  float ax = fabsf(x), p, t, erfc, r;
  int i;
  if (!(ax >= 0.5f)) {
    float z;
    if (x != x) return x;
    z = x * x;
    p = S[0];
    for (i = 1; i < 6; i++) p = p * z + S[i];
    return (1.1283791670955126f * x) * p;
  }
  t = 1.0f / (1.0f + 0.5f * ax);
  p = C[0];
  for (i = 1; i < 10; i++) p = p * t + C[i];
  erfc = t * hsq_expf(-ax * ax + p);
  r = 1.0f - erfc;
  return x < 0.0f ? -r : r;
}

/* C twin of core/logf.ts (Cephes logf): frexp from the bits (subnormals scaled by 2^25 first),
 * then the same float32 steps. */
static inline float hsq_logf(float x) {
  static const float L[9] = { 7.0376836292e-2f, -1.1514610310e-1f, 1.1676998740e-1f, -1.2420140846e-1f,
                              1.4249322787e-1f, -1.6668057665e-1f, 2.0000714765e-1f, -2.4999993993e-1f,
                              3.3333331174e-1f };
  uint32_t u;
  int e, off = 0, i;
  float m, t, z, p, y, r;
  if (x != x) return x;
  if (x < 0.0f) return NAN;
  if (x == 0.0f) return -1.0f / 0.0f;
  if (x == 1.0f / 0.0f) return x;
  memcpy(&u, &x, sizeof u);
  if (((u >> 23) & 0xffu) == 0u) { x = x * 33554432.0f; off = -25; memcpy(&u, &x, sizeof u); }
  e = (int)((u >> 23) & 0xffu) - 126 + off;
  u = (u & 0x807fffffu) | (126u << 23);
  memcpy(&m, &u, sizeof m);
  if (m < 0.707106781186547524f) { e -= 1; t = (m + m) - 1.0f; } else t = m - 1.0f;
  z = t * t;
  p = L[0];
  for (i = 1; i < 9; i++) p = p * t + L[i];
  y = (p * t) * z;
  y = y + (float)e * -2.12194440e-4f;
  y = y - 0.5f * z;
  r = t + y;
  r = r + (float)e * 0.693359375f;
  return r;
}

static inline float hsq_hard_sigmoid(float v, float alpha, float beta) {
  float t = alpha * v + beta;
  return t < 0.0f ? 0.0f : (t > 1.0f ? 1.0f : t);
}

/* Max/Min of float32 with NaN propagation (max.ts/min.ts). */
static inline float hsq_max_nan(float a, float b) { return (a != a || b != b) ? NAN : (a > b ? a : b); }
static inline float hsq_min_nan(float a, float b) { return (a != a || b != b) ? NAN : (a < b ? a : b); }

/* pow.ts: exponents 2 and 3 as products, otherwise the double pow rounded to float. */
static inline float hsq_powf(float a, float b) {
  if (b == 2.0f) return a * a;
  if (b == 3.0f) return (a * a) * a;
  return (float)pow((double)a, (double)b);
}

/* cast.ts: float -> integer truncates toward zero; NaN and +-Inf give 0; the store wraps. */
static inline int64_t hsq_trunc_i64(float v) {
  if (v != v || v > 9.2e18f || v < -9.2e18f) return 0;
  return (int64_t)v;
}
static inline int8_t hsq_wrap4(int32_t v, int is_signed) {
  int32_t u = ((v % 16) + 16) % 16;
  return (int8_t)(is_signed && u > 7 ? u - 16 : u);
}

/* ---------------------------------------------------------------- kernel parameter blocks */

/* An n-d iteration over `shape` (in iteration order, usually the output's physical order)
 * with per-dimension element strides for up to three operands (y, a, b). */
typedef struct {
  int32_t rank;
  int32_t shape[HSQ_MAX_RANK];
  int32_t sy[HSQ_MAX_RANK];
  int32_t sa[HSQ_MAX_RANK];
  int32_t sb[HSQ_MAX_RANK];
} hsq_nd_t;

/* Fused activation of float conv/gemm (passes/fuse-activation.ts). */
enum { HSQ_ACT_NONE = 0, HSQ_ACT_RELU = 1, HSQ_ACT_CLIP = 2, HSQ_ACT_LEAKY = 3 };

/* 2-D convolution over NHWC activations; weights [M][KH][KW][C/group], or for float convs
 * with group 1 and wblock 8: [ceil(M/8)][KH][KW][C][8] (zero rows and bias pad the last block). */
typedef struct {
  int32_t n, h, w, c;        /* input */
  int32_t oh, ow, m;         /* output */
  int32_t kh, kw, sh, sw, dh, dw, pt, pl;
  int32_t group;
  int32_t wblock;            /* 0: weight rows; 8: output channels interleaved in blocks of 8 */
} hsq_conv_t;

/* Quantized conv/gemm extras. Weights are stored minus their zero point (w' = w - zw), row per
 * output channel ([M][KH][KW][C/group] or [N][K]), each row starting on a byte; sub-byte rows
 * hold codes c (LSB first) with value c * wmul + wadd. */
enum { HSQ_Y_S8 = 0, HSQ_Y_U8 = 1, HSQ_Y_ACC = 2, HSQ_Y_F32 = 3 };

typedef struct {
  int32_t x_unsigned;
  int32_t y_kind;            /* HSQ_Y_S8, HSQ_Y_U8, HSQ_Y_ACC (raw int32 accumulator) or HSQ_Y_F32
                              * (float(acc) * mult + fbias, docs/qat-layers.md) */
  int32_t zx, zy, qmin, qmax;
  int32_t wbits;             /* 1, 2, 4, 8 or 16 */
  int32_t wmul, wadd;        /* sub-byte decoding */
  int32_t row_bytes;         /* bytes per packed weight row */
  int32_t mblock;            /* output channels unpacked (sub-byte) or processed (patch path) at a time */
  int32_t per_channel;       /* mult[] has one entry per output channel */
  int32_t patch;             /* qconv, group 1: output pixels whose int16 input patches (x - zx,
                              * zero in padding) are built at a time in scratch; 0: direct path */
  int32_t y_bipolar;         /* output is the sign of float(acc) * mult + fbias: +1 / -1 (BipolarQuant) */
  const float* fbias;        /* float term per output channel added after the multiplier, or NULL */
} hsq_qparams_t;

typedef struct {
  int32_t n, h, w, c, oh, ow;
  int32_t kh, kw, sh, sw, dh, dw, pt, pl, pb, pr;
  int32_t count_include_pad; /* average pool */
} hsq_pool_t;

/* ---------------------------------------------------------------- kernels (hsq_kernels.c) */

void hsq_unpack_rows(int8_t* dst, const uint8_t* src, int32_t rows, int32_t row_len,
                     int32_t row_bytes, int32_t bits, int32_t mul, int32_t add);

void hsq_conv_f32(const hsq_conv_t* p, const float* x, const float* w, const float* bias,
                  float* y, int32_t act, float a0, float a1);
/* Float conv with weight-only quantized weights (rows [M][KH][KW][C/group] packed as for
 * hsq_qconv: value v = code * wmul + wadd = q - zw), dequantized into scratch as
 * (float)v * scale[m] (scale[0] when !per_channel) -- the interpreter's fround((q - zw) * s) --
 * then summed in hsq_conv_f32's order (bias, kh, kw, ci). Group 1: a block of 8 output channels
 * at a time, interleaved [KH][KW][C][8] as hsq_conv_f32's blocked weights, computed by its
 * vectorised pixel loops; otherwise a channel at a time. Scratch: row_len int8 and row_len * 8
 * floats (group 1) or row_len floats (row_len = KH * KW * C/group). */
typedef struct {
  int32_t wbits, wmul, wadd, row_bytes, per_channel;
} hsq_wq_t;
void hsq_conv_wq_f32(const hsq_conv_t* p, const hsq_wq_t* q, const float* x, const uint8_t* w,
                     const float* scale, const float* bias, float* y, int32_t act, float a0,
                     float a1, int8_t* qrow, float* wrow);
/* Float MatMul a[rows][k] x w[k][n] with weight-only quantized w stored as packed rows per
 * output column ([n][k], as hsq_qgemm): column j dequantized into scratch, then summed in
 * hsq_matmul_f32's order (0, k ascending). Scratch: k int8 and k floats. */
void hsq_matmul_wq_f32(int32_t rows, int32_t k, int32_t n, const hsq_wq_t* q, const float* a,
                       const uint8_t* w, const float* scale, float* y, int8_t* qrow, float* wrow);
void hsq_qconv(const hsq_conv_t* p, const hsq_qparams_t* q, const void* x, const void* w,
               const int32_t* bias, const float* mult, void* y, int8_t* scratch);
void hsq_qgemm(int32_t rows, int32_t k, int32_t n, const hsq_qparams_t* q, const void* x,
               const void* w, const int32_t* bias, const float* mult, void* y, int8_t* scratch);
/* Quantized ConvTranspose as a gather per output element (NHWC): the taps (kh, kw) whose input
 * position ih = (oh + pt - kh * dh) / sh (and iw likewise) is whole and inside; h, w are the
 * input's, oh, ow the output's, pt, pl the output-side pads (negative: output_shape larger).
 * Weights and parameters as hsq_qconv, rows [M][KH][KW][C/group]; no patch path. */
void hsq_qconv_transpose(const hsq_conv_t* p, const hsq_qparams_t* q, const void* x,
                         const void* w, const int32_t* bias, const float* mult, void* y,
                         int8_t* scratch);
void hsq_matmul_f32(int32_t batch, int32_t m, int32_t k, int32_t n,
                    const int32_t* a_off, const int32_t* b_off, const float* a, const float* b,
                    float* y);
void hsq_gemm_f32(int32_t m, int32_t k, int32_t n, int32_t trans_a, int32_t trans_b,
                  float alpha, float beta, const float* a, const float* b, const float* c,
                  int32_t c_sm, int32_t c_sn, float* y, int32_t act, float a0, float a1);

void hsq_maxpool_f32(const hsq_pool_t* p, const float* x, float* y);
void hsq_maxpool_s8(const hsq_pool_t* p, const int8_t* x, int8_t* y);
void hsq_maxpool_u8(const hsq_pool_t* p, const uint8_t* x, uint8_t* y);
void hsq_avgpool_f32(const hsq_pool_t* p, const float* x, float* y);
void hsq_global_avgpool_f32(int32_t n, int32_t hw, int32_t c, const float* x, float* y);
void hsq_global_maxpool_f32(int32_t n, int32_t hw, int32_t c, const float* x, float* y);
void hsq_global_maxpool_s8(int32_t n, int32_t hw, int32_t c, const int8_t* x, int8_t* y);
void hsq_global_maxpool_u8(int32_t n, int32_t hw, int32_t c, const uint8_t* x, uint8_t* y);

void hsq_lut_s8(int32_t n, const int8_t* x, int8_t* y, const int8_t* table);
void hsq_lut_u8(int32_t n, const uint8_t* x, uint8_t* y, const uint8_t* table);

#ifdef __cplusplus
}
#endif
#endif

/* stm32n6570-dk: runs Tiny YOLOv2, compiled by hsq for the STM32N6 with the hybrid placement of
 * examples/tiny-yolov2/hsq.config.json (int8 layers on the Neural-ART NPU, 4-bit conv7/conv8 on
 * the Cortex-M55), in a loop and prints the time per inference.
 *
 * Builds: N6_PLATFORM=qemu (hsq's NPU emulation, QEMU mps3-an547) or board (STM32N6570-DK, the
 * real NPU through ST's LL_ATON runtime). See README.md.
 *
 * Input (the same every iteration; tests/firmware-examples.test.ts builds the same tensor):
 *   x[c][h][w] = ((i * 37 + 11) mod 256) / 256,  i = (c * H + h) * W + w  (the NCHW flat index),
 * stored channels-last (NHWC) as tiny_yolov2_run takes it (CMakeLists.txt compiles with --api-layout nhwc).
 * Output: the first N6_PRINT_OUTPUTS values in NCHW order ("out[i] = v", %.9g), and per iteration
 * "inference k: T us (...)" and the FNV-1a 32 checksum of the whole output as float32 in NCHW
 * order (bytes little-endian). */
#include <stdint.h>
#include <stdio.h>
#include "platform.h"
#include "timer.h"
#include "tiny_yolov2.h"

#ifndef N6_ITERATIONS
#define N6_ITERATIONS 10 /* 0: forever */
#endif
#ifndef N6_PRINT_OUTPUTS
#define N6_PRINT_OUTPUTS 8
#endif

#if TINY_YOLOV2_NUM_INPUTS != 1 || TINY_YOLOV2_NUM_OUTPUTS != 1 || TINY_YOLOV2_INPUT0_RANK != 4 || \
    TINY_YOLOV2_OUTPUT0_RANK != 4
#error "expects one 4-D input and one 4-D output"
#endif

/* Input and output: float32, channels-last. QEMU: SRAM2 (hsq's m55.ld .hsq_big). Board: a section
 * your linker script places outside hsq's memory pools (report.json, "memory.pools"). */
#ifndef N6_IO_SECTION
#define N6_IO_SECTION ".n6_io"
#endif
static float input[TINY_YOLOV2_INPUT0_SIZE] __attribute__((aligned(32), section(N6_IO_SECTION)));
static float output[TINY_YOLOV2_OUTPUT0_SIZE] __attribute__((aligned(32), section(N6_IO_SECTION)));

/* The arena: with the NPU emulated every memory pool lives in it; on the board the pools sit at
 * their addresses (AXISRAM, hyperRAM) and the arena is not used. */
#if defined(HSQ_NPU_EMULATION)
#if TINY_YOLOV2_ARENA_SIZE <= 3 * 1024 * 1024
static uint8_t arena_buf[TINY_YOLOV2_ARENA_SIZE] __attribute__((aligned(32), section(N6_IO_SECTION)));
#define ARENA ((void *)arena_buf)
#else
/* Larger than QEMU's SRAM2: DDR above the 256 MiB that m55.ld gives the weights. */
#define ARENA ((void *)0x70000000u)
#endif
#else
#define ARENA ((void *)0)
#endif

static const uint32_t in_shape[4] = TINY_YOLOV2_INPUT0_SHAPE;   /* N, H, W, C */
static const uint32_t out_shape[4] = TINY_YOLOV2_OUTPUT0_SHAPE; /* N, H, W, C */

/* The value at NCHW position (c, h, w) lives at NHWC index (h * W + w) * C + c. */
static void make_input(void) {
  const uint32_t H = in_shape[1], W = in_shape[2], C = in_shape[3];
  for (uint32_t c = 0; c < C; c++)
    for (uint32_t h = 0; h < H; h++)
      for (uint32_t w = 0; w < W; w++) {
        const uint32_t i = (c * H + h) * W + w;
        input[(h * W + w) * C + c] = (float)((i * 37u + 11u) % 256u) / 256.0f;
      }
}

static float output_nchw(uint32_t i) {
  const uint32_t H = out_shape[1], W = out_shape[2], C = out_shape[3];
  const uint32_t c = i / (H * W), h = i / W % H, w = i % W;
  return output[(h * W + w) * C + c];
}

/* FNV-1a 32 over the output's float32 bytes in NCHW order (as `hsq run` writes them). */
static uint32_t checksum(void) {
  uint32_t hsh = 2166136261u;
  for (uint32_t i = 0; i < TINY_YOLOV2_OUTPUT0_SIZE; i++) {
    const float v = output_nchw(i);
    const uint8_t *b = (const uint8_t *)&v;
    for (int k = 0; k < 4; k++) hsh = (hsh ^ b[k]) * 16777619u;
  }
  return hsh;
}

int main(void) {
  const void *in[1] = {input};
  void *out[1] = {output};
  platform_init();
  timer_init();
  printf("hsq stm32n6570-dk: Tiny YOLOv2 %lux%lu, %s NPU, arena %lu bytes\n", (unsigned long)in_shape[1],
         (unsigned long)in_shape[2],
#if defined(HSQ_NPU_EMULATION)
         "emulated",
#else
         "Neural-ART",
#endif
         (unsigned long)TINY_YOLOV2_ARENA_SIZE);
  printf("timer: %s at %lu Hz (%s)\n", timer_source(), (unsigned long)timer_hz(), platform_timing_note());
  make_input();
  tiny_yolov2_npu_init(); /* outside the timed loop: LL_ATON_RT_RuntimeInit once */

  uint64_t total = 0;
  for (uint32_t k = 1; N6_ITERATIONS == 0 || k <= N6_ITERATIONS; k++) {
    const uint64_t t0 = timer_now();
    const int rc = tiny_yolov2_run(in, out, ARENA);
    const uint64_t dt = timer_now() - t0;
    if (rc != HSQ_OK) {
      printf("tiny_yolov2_run failed: %d\n", rc);
      platform_done(1);
      return 1;
    }
    if (k == 1)
      for (uint32_t i = 0; i < TINY_YOLOV2_OUTPUT0_SIZE && i < N6_PRINT_OUTPUTS; i++)
        printf("out[%lu] = %.9g\n", (unsigned long)i, (double)output_nchw(i));
    total += dt;
    printf("inference %lu: %lu us (%llu counts), checksum fnv1a32 = 0x%08lx\n", (unsigned long)k,
           (unsigned long)timer_us(dt), (unsigned long long)dt, (unsigned long)checksum());
    if (N6_ITERATIONS != 0 && k == N6_ITERATIONS)
      printf("mean: %lu us per inference over %lu\n", (unsigned long)timer_us(total / k), (unsigned long)k);
  }
  platform_done(0);
  return 0;
}

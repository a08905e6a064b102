/* qemu-m55-firmware: runs the hsq-compiled model `net` once on a fixed input and prints its
 * outputs and a checksum on the semihosting console (QEMU's stdout), then exits 0.
 *
 * Input (documented in README.md; tests/firmware-examples.test.ts writes the same tensor):
 *   x[i] = ((i * 37 + 11) mod 256) / 256,  i the flat index of the input in its C order
 * (exact in float32, values in [0, 1)).
 * Output lines: "hsq qemu-m55-firmware: input 'NAME' [shape] -> output 'NAME' [shape], ...",
 *   "out[i] = v" (%.9g: prints every float32 exactly), then
 *   "checksum fnv1a32 = 0x........"  (FNV-1a over the output's float32 bytes, little-endian).
 * Exit status: 0; 1 when net_run_float fails (it printed its HSQ_E_* code). */
#include <stdint.h>
#include <stdio.h>
#include "net.h"

#ifdef HSQ_TRACE
/* -DHSQ_TRACE (cmake -DHSQ_TRACE_MODE=hash|full): hsq_trace_layer prints each layer's HSQTRACE
 * line on the semihosting console (hsq_runtime.h has the format). */
#include "hsq_m55.h"
#ifndef HSQ_TRACE_FULL_DATA
#define HSQ_TRACE_FULL_DATA 0
#endif
HSQ_M55_DEFINE_SEMIHOSTING_TRACE(HSQ_TRACE_FULL_DATA)
#endif

/* net_run_float takes and gives float32 whatever the model's input and output types. */
#if NET_NUM_INPUTS != 1 || NET_NUM_OUTPUTS != 1
#error "this example feeds one input and prints one output"
#endif

/* Activations: NET_ARENA_SIZE bytes, more than the DTCM keeps free next to the stack for larger
 * models, so in SRAM2 (4 MiB; m55.ld's .hsq_big, zeroed by startup.c). Weights are in DDR. */
static uint8_t arena[NET_ARENA_SIZE] __attribute__((aligned(16), section(".hsq_big")));
static float input[NET_INPUT0_SIZE] __attribute__((aligned(16), section(".hsq_big")));
static float output[NET_OUTPUT0_SIZE] __attribute__((aligned(16), section(".hsq_big")));

static uint32_t fnv1a32(const void *p, uint32_t n) {
  const uint8_t *b = (const uint8_t *)p;
  uint32_t h = 2166136261u;
  for (uint32_t i = 0; i < n; i++) h = (h ^ b[i]) * 16777619u;
  return h;
}

static const uint32_t in_shape[NET_INPUT0_RANK] = NET_INPUT0_SHAPE;
static const uint32_t out_shape[NET_OUTPUT0_RANK] = NET_OUTPUT0_SHAPE;

static void print_shape(const uint32_t *shape, int rank) {
  printf("[");
  for (int i = 0; i < rank; i++) printf(i ? ",%lu" : "%lu", (unsigned long)shape[i]);
  printf("]");
}

int main(void) {
  const float *in[1] = {input};
  float *out[1] = {output};
  for (uint32_t i = 0; i < NET_INPUT0_SIZE; i++) input[i] = (float)((i * 37u + 11u) % 256u) / 256.0f;

  printf("hsq qemu-m55-firmware: input '%s' ", NET_INPUT0_NAME);
  print_shape(in_shape, NET_INPUT0_RANK);
  printf(" -> output '%s' ", NET_OUTPUT0_NAME);
  print_shape(out_shape, NET_OUTPUT0_RANK);
  printf(", arena %lu bytes\n", (unsigned long)NET_ARENA_SIZE);
  int rc = net_run_float(in, out, arena);
  if (rc != HSQ_OK) {
    printf("net_run_float failed: %d\n", rc);
    return 1;
  }
  for (uint32_t i = 0; i < NET_OUTPUT0_SIZE; i++) printf("out[%lu] = %.9g\n", (unsigned long)i, (double)output[i]);
  printf("checksum fnv1a32 = 0x%08lx\n", (unsigned long)fnv1a32(output, sizeof output));
  return 0;
}

/* hsq Cortex-M55 platform (QEMU mps3-an547): instruction counter and platform helpers.
 *
 * Instruction counting. QEMU runs with `-icount shift=0`: every guest instruction advances
 * virtual time by exactly 1 ns. SysTick on the an547 is clocked from the 32 MHz CPU clock
 * (CLKSOURCE = processor clock), so one SysTick tick = 31.25 ns = 31.25 executed
 * instructions. The counter below is SysTick (24 bit) plus an interrupt that counts reloads,
 * giving a 64-bit tick count; hsq_m55_ticks_to_instructions() converts. The resolution is
 * one tick (31.25 instructions). The ratio is measured by tests/m55-platform.test.ts with a
 * loop of known instruction count. DWT CYCCNT is not modelled by QEMU (reads 0).
 * Without -icount the counts follow host time and mean nothing. */
#ifndef HSQ_M55_H
#define HSQ_M55_H
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Instructions per SysTick tick under -icount shift=0 on mps3-an547 (32 MHz SysTick clock). */
#define HSQ_M55_INSTR_PER_TICK_NUM 125u  /* 31.25 = 125 / 4 */
#define HSQ_M55_INSTR_PER_TICK_DEN 4u

/* Starts (or restarts) the free-running counter at 0. */
void hsq_m55_counter_start(void);
/* SysTick ticks since hsq_m55_counter_start(). */
uint64_t hsq_m55_counter_read(void);
/* Ticks -> executed instructions (exact under -icount shift=0, resolution 31.25). */
static inline uint64_t hsq_m55_ticks_to_instructions(uint64_t ticks) {
  return ticks * HSQ_M55_INSTR_PER_TICK_NUM / HSQ_M55_INSTR_PER_TICK_DEN;
}

/* DWT CYCCNT (enabled by hsq_m55_counter_start as well); 0 when not modelled. */
uint32_t hsq_m55_dwt_cyccnt(void);

/* The clock of -DHSQ_PROFILE builds (hsq_runtime.h) in QEMU: SysTick ticks, so a profiled
 * layer's entry times 31.25 is its executed INSTRUCTIONS under -icount shift=0 (not cycles:
 * QEMU has no timing model). Expand once in the program, after hsq_m55_counter_start(). */
#define HSQ_M55_DEFINE_PROFILE_CLOCK() \
  uint64_t hsq_profile_now(void) { return hsq_m55_counter_read(); }

/* hsq_trace_layer of a -DHSQ_TRACE build in QEMU: each trace line (hsq_runtime.h) on the
 * semihosting console (stdout), with the tensor's data in base64 when `full` is 1. Expand once
 * in the program, after including <stdio.h>. */
#define HSQ_M55_DEFINE_SEMIHOSTING_TRACE(full)                                                 \
  static void hsq_m55_trace_put(const char* s, uint32_t n, void* ctx) {                        \
    (void)ctx;                                                                                 \
    fwrite(s, 1, n, stdout);                                                                   \
  }                                                                                            \
  void hsq_trace_layer(uint32_t index, const char* name, const void* data, uint32_t bytes) {  \
    hsq_trace_write(hsq_m55_trace_put, NULL, index, name, data, bytes, (full));                \
  }

#ifdef __cplusplus
}
#endif
#endif

/* QEMU mps3-an547 (Corstone-300 Cortex-M55): hsq's startup (runtime-c/m55/startup.c) has set up the
 * FPU/MVE, memory and semihosting (printf goes to QEMU's stdout) before main(). The counter is
 * hsq's SysTick counter: the an547 clocks SysTick at 32 MHz of QEMU's virtual time, so the times
 * printed are emulation times, not the board's; under `-icount shift=0` one tick is exactly 31.25
 * executed instructions (runtime-c/m55/README.md). */
#include <stdlib.h>
#include "platform.h"
#include "hsq_m55.h"

void platform_init(void) {}

uint32_t platform_cpu_hz(void) { return 32000000u; }

void platform_counter_start(void) { hsq_m55_counter_start(); }

uint64_t platform_counter_read(void) { return hsq_m55_counter_read(); }

uint32_t platform_counter_hz(void) { return 32000000u; }

const char *platform_counter_name(void) { return "SysTick (QEMU)"; }

const char *platform_timing_note(void) {
  return "QEMU virtual time, not the board's; with -icount shift=0, instructions = ticks x 31.25";
}

void platform_done(int status) { exit(status); }

#ifdef HSQ_TRACE
/* -DHSQ_TRACE (cmake -DN6_TRACE=hash|full): the HSQTRACE lines on the semihosting console. */
#include <stdio.h>
#include "hsq_runtime.h"
#ifndef HSQ_TRACE_FULL_DATA
#define HSQ_TRACE_FULL_DATA 0
#endif
HSQ_M55_DEFINE_SEMIHOSTING_TRACE(HSQ_TRACE_FULL_DATA)
#endif

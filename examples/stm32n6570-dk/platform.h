/* What main.c needs from the platform: start-up, the CPU clock, a fallback counter, and where
 * buffers go. Two implementations: platform_qemu.c (QEMU mps3-an547, hsq's startup and
 * semihosting) and platform_n6570dk.c (STM32N6570-DK with ST's HAL/BSP; untested). */
#ifndef N6_PLATFORM_H
#define N6_PLATFORM_H
#include <stdint.h>

/* Clocks, caches, memories, NPU, console; after it printf works. */
void platform_init(void);
/* Core clock in Hz (DWT CYCCNT counts at this rate). */
uint32_t platform_cpu_hz(void);
/* The counter used when DWT CYCCNT does not count. */
void platform_counter_start(void);
uint64_t platform_counter_read(void);
uint32_t platform_counter_hz(void);
const char *platform_counter_name(void);
/* A note printed once with the timing (what the numbers mean on this platform). */
const char *platform_timing_note(void);
/* Called when main() is done (QEMU: exit; board: stay). */
void platform_done(int status);

#endif

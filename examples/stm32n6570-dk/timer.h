/* Time per inference. The Cortex-M55's DWT cycle counter (CYCCNT) where it counts (the board);
 * otherwise the platform's fallback counter: SysTick on QEMU, where DWT reads 0. */
#ifndef N6_TIMER_H
#define N6_TIMER_H
#include <stdint.h>

/* Starts the counter: DWT CYCCNT if it runs, else the platform's fallback. */
void timer_init(void);
/* Counts since timer_init() (64 bit; DWT wraps at 2^32 are tracked, so read at least once per wrap,
 * every 5.3 s at 800 MHz). */
uint64_t timer_now(void);
/* Counts per second. */
uint32_t timer_hz(void);
/* What counts: "DWT CYCCNT" or the fallback's name. */
const char *timer_source(void);
/* Microseconds from a count difference. */
static inline uint64_t timer_us(uint64_t counts) { return counts * 1000000u / timer_hz(); }

#endif

/* Timer abstraction (timer.h): DWT CYCCNT when it counts, the platform's counter otherwise. */
#include "timer.h"
#include "platform.h"

#define DEMCR (*(volatile uint32_t *)0xE000EDFCu)     /* CoreDebug DEMCR: TRCENA enables DWT */
#define DWT_CTRL (*(volatile uint32_t *)0xE0001000u)  /* bit 0 CYCCNTENA */
#define DWT_CYCCNT (*(volatile uint32_t *)0xE0001004u)

static int use_dwt;
static uint32_t dwt_last, dwt_wraps;

void timer_init(void) {
  DEMCR |= 1u << 24;
  DWT_CYCCNT = 0;
  DWT_CTRL |= 1u;
  for (volatile int i = 0; i < 64; i++) {
  }
  /* QEMU (7.x) does not model the cycle counter: it stays 0. */
  use_dwt = DWT_CYCCNT != 0;
  dwt_last = 0;
  dwt_wraps = 0;
  if (!use_dwt) platform_counter_start();
}

uint64_t timer_now(void) {
  if (!use_dwt) return platform_counter_read();
  uint32_t v = DWT_CYCCNT;
  if (v < dwt_last) dwt_wraps++;
  dwt_last = v;
  return ((uint64_t)dwt_wraps << 32) | v;
}

uint32_t timer_hz(void) { return use_dwt ? platform_cpu_hz() : platform_counter_hz(); }

const char *timer_source(void) { return use_dwt ? "DWT CYCCNT" : platform_counter_name(); }

/* hsq_n6.h: what hsq's stm32n6 glue needs around the NPU hand-overs.
 *
 * D-cache maintenance. The Cortex-M55 D-cache is not coherent with the Neural-ART NPU's bus
 * masters. Every buffer that changes hands is 32-byte aligned and padded to 32 bytes (one cache
 * line), so maintenance never touches a neighbour:
 * - hsq_n6_dcache_clean(p, n): before the NPU reads a buffer the CPU wrote (write dirty lines back);
 * - hsq_n6_dcache_invalidate(p, n): before the NPU writes a buffer (no dirty line may be evicted
 *   over its output) and after (the CPU must read memory, not stale lines).
 * Real builds call CMSIS's SCB_CleanDCache_by_Addr / SCB_InvalidateDCache_by_Addr from the device
 * header (HSQ_N6_CMSIS_HEADER, default "stm32n6xx.h"). With HSQ_NPU_EMULATION the "NPU" is the
 * CPU itself (one coherent view), so they do nothing.
 *
 * Pools. HSQ_N6_ARENA_POOLS (implied by HSQ_NPU_EMULATION) carves every memory pool out of the
 * arena passed to NAME_run (host and QEMU builds); otherwise pools sit at their STM32N6570-DK
 * addresses (AXISRAM1/2, hyperRAM) and the arena argument is not used. */
#ifndef HSQ_N6_H
#define HSQ_N6_H

#include <stddef.h>
#include <stdint.h>

#if defined(HSQ_NPU_EMULATION) && !defined(HSQ_N6_ARENA_POOLS)
#define HSQ_N6_ARENA_POOLS 1
#endif

/* Alignment and padding of every CPU<->NPU buffer: the Cortex-M55 D-cache line. */
#define HSQ_N6_CACHE_LINE 32u

/* Returned by NAME_run when stedgeai's generated code refuses a user buffer. */
#define HSQ_E_NPU_IO (-10)

#if defined(HSQ_NPU_EMULATION)
static inline void hsq_n6_dcache_clean(const void *p, size_t n) { (void)p; (void)n; }
static inline void hsq_n6_dcache_invalidate(void *p, size_t n) { (void)p; (void)n; }
#else
#ifndef HSQ_N6_CMSIS_HEADER
#define HSQ_N6_CMSIS_HEADER "stm32n6xx.h"
#endif
#include HSQ_N6_CMSIS_HEADER
static inline void hsq_n6_dcache_clean(const void *p, size_t n) {
  SCB_CleanDCache_by_Addr((volatile void *)(uintptr_t)p, (int32_t)n);
}
static inline void hsq_n6_dcache_invalidate(void *p, size_t n) {
  SCB_InvalidateDCache_by_Addr((volatile void *)p, (int32_t)n);
}
#endif

#endif

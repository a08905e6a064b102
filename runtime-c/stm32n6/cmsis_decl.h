/* cmsis_decl.h: the two CMSIS-Core cache functions hsq_n6.h calls, declared with CMSIS 5.9+'s
 * signatures (core_cm55.h defines them inline). For compile checks of the real-NPU glue only
 * (-DHSQ_N6_CMSIS_HEADER='"cmsis_decl.h"'); firmware includes the device header. */
#ifndef HSQ_CMSIS_DECL_H
#define HSQ_CMSIS_DECL_H
#include <stdint.h>
void SCB_CleanDCache_by_Addr(volatile void *addr, int32_t dsize);
void SCB_InvalidateDCache_by_Addr(volatile void *addr, int32_t dsize);
#endif

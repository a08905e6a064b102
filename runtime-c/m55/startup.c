/* hsq Cortex-M55 startup for QEMU mps3-an547: vector table at 0x0 (ITCM), Reset_Handler,
 * SysTick-based instruction counter, fault reporting through semihosting, _sbrk.
 * Linked with -nostartfiles and newlib's librdimon (semihosting syscalls: printf, fopen on
 * host files, exit status). */
#include <stdint.h>
#include <stddef.h>
#include <errno.h>
#include "hsq_m55.h"

extern uint32_t __data_start, __data_end, __data_load, __bss_start__, __bss_end__;
extern uint32_t __big_start, __big_end, __stack_top;
extern char __heap_start, __heap_limit;

extern int main(void);
extern void initialise_monitor_handles(void);
extern void __libc_init_array(void);
extern void exit(int) __attribute__((noreturn));

void Reset_Handler(void) __attribute__((noreturn, naked));
void hsq_m55_start_c(void) __attribute__((noreturn, used));
void Fault_Handler(void);
void hsq_m55_fault_c(const uint32_t *frame);
void SysTick_Handler(void);

#define SCB_CPACR (*(volatile uint32_t *)0xE000ED88u)
#define SCB_VTOR (*(volatile uint32_t *)0xE000ED08u)
#define SCB_CCR (*(volatile uint32_t *)0xE000ED14u)
#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define DEMCR (*(volatile uint32_t *)0xE000EDFCu)
#define DWT_CTRL (*(volatile uint32_t *)0xE0001000u)
#define DWT_CYCCNT (*(volatile uint32_t *)0xE0001004u)

typedef void (*vector_t)(void);

__attribute__((section(".vectors"), used)) static const vector_t vectors[16 + 16] = {
    (vector_t)&__stack_top, Reset_Handler,
    Fault_Handler, /* NMI */
    Fault_Handler, /* HardFault */
    Fault_Handler, /* MemManage */
    Fault_Handler, /* BusFault */
    Fault_Handler, /* UsageFault */
    Fault_Handler, /* SecureFault */
    0, 0, 0,
    Fault_Handler, /* SVC */
    Fault_Handler, /* DebugMon */
    0,
    Fault_Handler, /* PendSV */
    SysTick_Handler,
};

/* Set SP first (QEMU sets it from the vector table too, a debugger may not), then C. */
void Reset_Handler(void) {
  __asm volatile("ldr r0, =__stack_top\n msr msp, r0\n ldr r0, =__stack_limit\n msr msplim, r0\n"
                 "b hsq_m55_start_c\n" ::: "r0");
}

void hsq_m55_start_c(void) {
  /* CP10/CP11 full access before any FP or MVE instruction (memcpy/memset may use them). */
  SCB_CPACR |= (3u << 20) | (3u << 22);
  __asm volatile("dsb\n isb" ::: "memory");
  SCB_VTOR = 0;
  SCB_CCR |= (1u << 4); /* DIV_0_TRP: integer division by zero faults instead of giving 0 */
  for (uint32_t *s = &__data_load, *d = &__data_start; d < &__data_end;) *d++ = *s++;
  for (uint32_t *d = &__bss_start__; d < &__bss_end__;) *d++ = 0;
  for (uint32_t *d = &__big_start; d < &__big_end;) *d++ = 0;
  initialise_monitor_handles();
  __libc_init_array();
  exit(main());
}

/* ---------------------------------------------------------------- semihosting */

static inline int semihost(int op, const void *arg) {
  register int r0 __asm("r0") = op;
  register const void *r1 __asm("r1") = arg;
  __asm volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

static void hsq_m55_write0(const char *s) { semihost(0x04 /* SYS_WRITE0 */, s); }

/* SYS_EXIT with ADP_Stopped_ApplicationExit and the status (ARM semihosting 2.0, 64-bit
 * parameter block form accepted by QEMU for AArch32 too): QEMU exits with that status. */
static void __attribute__((noreturn)) hsq_m55_exit(int code) {
  uint32_t block[2] = {0x20026u /* ADP_Stopped_ApplicationExit */, (uint32_t)code};
  semihost(0x20 /* SYS_EXIT_EXTENDED */, block);
  semihost(0x18 /* SYS_EXIT */, (const void *)0x20026u);
  for (;;) {
  }
}

/* newlib's librdimon _exit reports nonzero codes as a run-time error (QEMU status 1);
 * this one (an object file, so it wins over the library member) passes the code through. */
void _exit(int code) { hsq_m55_exit(code); }

static void put_hex(char *p, uint32_t v) {
  for (int i = 7; i >= 0; i--, v <<= 4) {
    uint32_t n = v >> 28;
    p[7 - i] = (char)(n < 10 ? '0' + n : 'a' + n - 10);
  }
}

/* Exceptions we do not expect: report on the semihosting console (QEMU's stderr) and exit
 * with status 134 (as abort). The naked entry hands the stacked frame to C. */
void Fault_Handler(void) __attribute__((naked));
void Fault_Handler(void) {
  __asm volatile("tst lr, #4\n ite eq\n mrseq r0, msp\n mrsne r0, psp\n b hsq_m55_fault_c\n");
}

void __attribute__((used, noreturn)) hsq_m55_fault_c(const uint32_t *frame) {
  uint32_t ipsr;
  __asm volatile("mrs %0, ipsr" : "=r"(ipsr));
  char msg[] = "hsq-m55: fault, IPSR=xxxxxxxx CFSR=xxxxxxxx PC=xxxxxxxx\n";
  put_hex(msg + 21, ipsr);
  put_hex(msg + 35, *(volatile uint32_t *)0xE000ED28u);
  put_hex(msg + 47, frame[6]);
  hsq_m55_write0(msg);
  hsq_m55_exit(134);
}

/* crti/crtn are not linked (-nostartfiles); __libc_init_array/__libc_fini_array call these. */
void _init(void) {}
void _fini(void) {}

/* ---------------------------------------------------------------- heap */

void *_sbrk(ptrdiff_t incr) {
  static char *brk = &__heap_start;
  if (incr < 0 ? brk + incr < &__heap_start : (size_t)(&__heap_limit - brk) < (size_t)incr) {
    errno = ENOMEM;
    return (void *)-1;
  }
  char *prev = brk;
  brk += incr;
  return prev;
}

/* ---------------------------------------------------------------- instruction counter */

#define SYST_RELOAD 0x00FFFFFFu
static volatile uint32_t systick_wraps;

void SysTick_Handler(void) { systick_wraps++; }

void hsq_m55_counter_start(void) {
  SYST_CSR = 0;
  systick_wraps = 0;
  SYST_RVR = SYST_RELOAD;
  SYST_CVR = 0; /* any write clears the current value and COUNTFLAG */
  DEMCR |= 1u << 24; /* TRCENA */
  DWT_CYCCNT = 0;
  DWT_CTRL |= 1u;
  /* CLKSOURCE = processor clock, TICKINT, ENABLE */
  SYST_CSR = 7u;
}

uint64_t hsq_m55_counter_read(void) {
  uint32_t w1, w2, v;
  do {
    w1 = systick_wraps;
    v = SYST_CVR;
    w2 = systick_wraps;
  } while (w1 != w2);
  /* After start, CVR reloads from 0 on the first tick (that tick counts), then counts down. */
  return (uint64_t)w1 * (SYST_RELOAD + 1u) + (v == 0 ? 0 : (SYST_RELOAD + 1u - v));
}

uint32_t hsq_m55_dwt_cyccnt(void) { return DWT_CYCCNT; }

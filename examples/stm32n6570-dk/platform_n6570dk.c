/* STM32N6570-DK with ST's STM32CubeN6 HAL and BSP (N6_PLATFORM=board).
 *
 * UNTESTED: there is no board where this was written. The calls follow ST's public STM32N6
 * examples (x-cube-n6-ai-power-measurement, STM32N6-GettingStarted-ObjectDetection, Src/main.c);
 * check each against the STM32CubeN6 release you build with.
 *
 * What the NPU build needs before tiny_yolov2_run(), steps 1-5 below: the NPU clocked and out of
 * reset, the NPU RAMs (AXISRAM3-6) powered, CACHEAXI on, RIF attributes for the NPU master, the
 * octo-flash on xSPI2 memory-mapped at 0x70000000 (NPU weight blobs and .hsq_weights) and the
 * hyperRAM on xSPI1 at 0x90000000 (hsq's hyperRAM pools). The HAL needs HAL_RAMCFG_MODULE_ENABLED,
 * HAL_CACHEAXI_MODULE_ENABLED, HAL_RIF_MODULE_ENABLED and HAL_XSPI_MODULE_ENABLED.
 * The console is the ST-LINK virtual COM port (BSP COM1, USE_BSP_COM_FEATURE=1, USE_COM_LOG=1). */
#include <stdio.h>
#include "platform.h"
#include "stm32n6xx_hal.h"
#include "stm32n6570_discovery.h"
#include "stm32n6570_discovery_xspi.h"

/* ST's examples run the CPU at 800 MHz (PLL1, IC1) and the NPU at 1 GHz: paste their
 * SystemClock_Config() into your project to replace this one. Without it the core stays on the
 * reset clock (HSI 64 MHz) and the times printed are those of a 64 MHz CPU. */
__attribute__((weak)) void SystemClock_Config(void) {}

/* Board bring-up before the first inference, hsq's own code written from ST's documented
 * sequence (ST's x-cube-n6 applications do these steps in their main.c before LL_ATON runs).
 * References: RM0486 (STM32N6x5/N6x7 reference manual) by chapter, and the ST source file whose
 * documented behaviour each step matches. Only CMakeLists.txt's N6_PLATFORM=board build compiles
 * this file; the QEMU build (platform_qemu.c) has none of it, the NPU being emulated there. */

/* Step 1. NPU clock and reset. RM0486, RCC chapter (NPU enable and reset bits of the AHB5 bus
 * registers); ST: x-cube-n6 Application main.c, NPU configuration before the runtime starts. The
 * reset pulse puts the NPU in a known state whatever the boot loader left. */
static void npu_clock_and_reset(void) {
  __HAL_RCC_NPU_CLK_ENABLE();
  __HAL_RCC_NPU_FORCE_RESET();
  __HAL_RCC_NPU_RELEASE_RESET();
}

/* Step 2. AXISRAM3-6 (npuRAM3-6, 4 x 448 KiB at 0x34200000): clocked and powered on. RM0486,
 * RAMCFG chapter (AXISRAMx power-down control; the banks are off after reset) and RCC chapter
 * (memory clock enables); ST: HAL stm32n6xx_hal_ramcfg.c HAL_RAMCFG_EnableAXISRAM. stedgeai's
 * memory pools (npu/mpools) place the NPU's activations there. */
static void npu_rams_power_on(void) {
  static RAMCFG_TypeDef *const banks[4] = { RAMCFG_SRAM3_AXI, RAMCFG_SRAM4_AXI, RAMCFG_SRAM5_AXI, RAMCFG_SRAM6_AXI };
  RAMCFG_HandleTypeDef ramcfg = {0};
  unsigned k;
  __HAL_RCC_AXISRAM3_MEM_CLK_ENABLE();
  __HAL_RCC_AXISRAM4_MEM_CLK_ENABLE();
  __HAL_RCC_AXISRAM5_MEM_CLK_ENABLE();
  __HAL_RCC_AXISRAM6_MEM_CLK_ENABLE();
  __HAL_RCC_RAMCFG_CLK_ENABLE();
  for (k = 0; k < 4u; k++) {
    ramcfg.Instance = banks[k];
    HAL_RAMCFG_EnableAXISRAM(&ramcfg);
  }
}

/* Step 3. CACHEAXI, the NPU's cache in front of external memory (weights in xSPI2 flash,
 * hyperRAM pools): its RAM and controller clocked, reset, then enabled. RM0486, CACHEAXI chapter;
 * ST: HAL stm32n6xx_hal_cacheaxi.c (HAL_CACHEAXI_Init calls HAL_CACHEAXI_MspInit, where the
 * clocks belong) and LL_ATON's npu_cache.c (the runtime's cache maintenance assumes it is on). */
static CACHEAXI_HandleTypeDef npu_cache;
void HAL_CACHEAXI_MspInit(CACHEAXI_HandleTypeDef *h) {
  (void)h;
  __HAL_RCC_CACHEAXIRAM_MEM_CLK_ENABLE();
  __HAL_RCC_CACHEAXI_CLK_ENABLE();
  __HAL_RCC_CACHEAXI_FORCE_RESET();
  __HAL_RCC_CACHEAXI_RELEASE_RESET();
}
static void npu_cache_on(void) {
  npu_cache.Instance = CACHEAXI;
  HAL_CACHEAXI_Init(&npu_cache);
  HAL_CACHEAXI_Enable(&npu_cache);
}

/* Step 4. RIF: the NPU as a bus master gets the application's compartment (CID 1) with secure and
 * privileged attributes, and the NPU's register interface is secure-privileged, so its accesses to
 * the RAMs and xSPI windows the application can reach are not blocked. RM0486, RIF chapter
 * (RIFSC: RIMC master attributes, RISC peripheral attributes); ST: HAL stm32n6xx_hal_rif.c
 * (HAL_RIF_RIMC_ConfigMasterAttributes, HAL_RIF_RISC_SetSlaveSecureAttributes), x-cube-n6
 * Application main.c security configuration. An application running non-secure changes these. */
static void npu_rif(void) {
  RIMC_MasterConfig_t master = {0};
  __HAL_RCC_RIFSC_CLK_ENABLE();
  master.MasterCID = RIF_CID_1;
  master.SecPriv = RIF_ATTRIBUTE_SEC | RIF_ATTRIBUTE_PRIV;
  HAL_RIF_RIMC_ConfigMasterAttributes(RIF_MASTER_INDEX_NPU, &master);
  HAL_RIF_RISC_SetSlaveSecureAttributes(RIF_RISC_PERIPH_INDEX_NPU, RIF_ATTRIBUTE_SEC | RIF_ATTRIBUTE_PRIV);
}

/* Step 5. xSPI memory-mapped mode. RM0486, XSPI chapter (memory-mapped mode) and XSPIM (port
 * multiplexing); ST: BSP stm32n6570_discovery_xspi.c (BSP_XSPI_RAM_* for the APS256 hyperRAM on
 * xSPI1, BSP_XSPI_NOR_* for the MX66UW1G45G octo-flash on xSPI2). The NPU reads its weight blobs
 * (and the CPU .hsq_weights) in place from 0x70000000; hsq's and stedgeai's hyperRAM pools are at
 * 0x90000000. Both must be mapped before the first LL_ATON epoch. */
static void external_memories(void) {
  BSP_XSPI_NOR_Init_t nor;
  BSP_XSPI_RAM_Init(0);
  BSP_XSPI_RAM_EnableMemoryMappedMode(0);
  nor.InterfaceMode = BSP_XSPI_NOR_OPI_MODE;
  nor.TransferRate = BSP_XSPI_NOR_DTR_TRANSFER;
  BSP_XSPI_NOR_Init(0, &nor);
  BSP_XSPI_NOR_EnableMemoryMappedMode(0);
}

void platform_init(void) {
  COM_InitTypeDef com = {0};
  HAL_Init();
  SCB_EnableICache();
  SCB_EnableDCache();
  SystemClock_Config();
  SystemCoreClockUpdate();
  /* The steps in the order ST's applications take them: clock/reset, RAMs, cache, RIF, xSPI. */
  npu_clock_and_reset();
  npu_rams_power_on();
  npu_cache_on();
  npu_rif();
  external_memories();
  com.BaudRate = 115200;
  com.WordLength = COM_WORDLENGTH_8B;
  com.StopBits = COM_STOPBITS_1;
  com.Parity = COM_PARITY_NONE;
  com.HwFlowCtl = COM_HWCONTROL_NONE;
  BSP_COM_Init(COM1, &com);
  BSP_COM_SelectLogPort(COM1);
}

uint32_t platform_cpu_hz(void) { return SystemCoreClock; }

/* Fallback only (DWT CYCCNT counts on the board): HAL's 1 kHz tick. */
void platform_counter_start(void) {}
uint64_t platform_counter_read(void) { return HAL_GetTick(); }
uint32_t platform_counter_hz(void) { return 1000u; }
const char *platform_counter_name(void) { return "HAL tick (1 ms)"; }

const char *platform_timing_note(void) {
  return "the real NPU; times include cache maintenance and the CPU segments";
}

void platform_done(int status) {
  (void)status;
  for (;;) {
    __WFI();
  }
}

#ifdef HSQ_TRACE
/* -DHSQ_TRACE (cmake -DN6_TRACE=hash|full): one HSQTRACE line per traced tensor on the console
 * UART (the ST-LINK virtual COM port, where printf goes with USE_COM_LOG). Record it on the PC,
 * e.g. `python3 -m serial.tools.miniterm /dev/ttyACM0 115200 > run.log`, and check it with
 * `hsq verify MODEL --trace run.log --inputs DIR [the compile options]`. At 115200 baud the hash
 * mode costs ~40 bytes a layer; full data of Tiny YOLOv2's first layer alone is ~1.1 MB of text. */
#include "hsq_runtime.h"
#ifndef HSQ_TRACE_FULL_DATA
#define HSQ_TRACE_FULL_DATA 0
#endif
static void trace_put(const char *s, uint32_t n, void *ctx) {
  (void)ctx;
  fwrite(s, 1, n, stdout);
}
void hsq_trace_layer(uint32_t index, const char *name, const void *data, uint32_t bytes) {
  hsq_trace_write(trace_put, NULL, index, name, data, bytes, HSQ_TRACE_FULL_DATA);
}
#endif

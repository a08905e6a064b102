/* STM32N6570-DK with ST's STM32CubeN6 HAL and BSP (N6_PLATFORM=board).
 *
 * UNTESTED: there is no board where this was written. The calls follow ST's public STM32N6
 * examples (x-cube-n6-ai-power-measurement, STM32N6-GettingStarted-ObjectDetection, Src/main.c);
 * check each against the STM32CubeN6 release you build with.
 *
 * What the NPU build needs before tiny_yolov2_run(): caches on, the NPU clocked and out of reset,
 * the NPU RAMs (AXISRAM3-6) powered, the octo-flash on xSPI2 memory-mapped at 0x70000000 (NPU
 * weight blobs and .hsq_weights) and the hyperRAM on xSPI1 at 0x90000000 (hsq's hyperRAM pools).
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

static void npu_enable(void) {
  RAMCFG_HandleTypeDef ramcfg = {0};
  __HAL_RCC_NPU_CLK_ENABLE();
  __HAL_RCC_NPU_FORCE_RESET();
  __HAL_RCC_NPU_RELEASE_RESET();
  /* NPU RAMs npuRAM3-6 (AXISRAM3-6, 4 x 448 KiB): clock and power. */
  __HAL_RCC_AXISRAM3_MEM_CLK_ENABLE();
  __HAL_RCC_AXISRAM4_MEM_CLK_ENABLE();
  __HAL_RCC_AXISRAM5_MEM_CLK_ENABLE();
  __HAL_RCC_AXISRAM6_MEM_CLK_ENABLE();
  __HAL_RCC_RAMCFG_CLK_ENABLE();
  ramcfg.Instance = RAMCFG_SRAM3_AXI;
  HAL_RAMCFG_EnableAXISRAM(&ramcfg);
  ramcfg.Instance = RAMCFG_SRAM4_AXI;
  HAL_RAMCFG_EnableAXISRAM(&ramcfg);
  ramcfg.Instance = RAMCFG_SRAM5_AXI;
  HAL_RAMCFG_EnableAXISRAM(&ramcfg);
  ramcfg.Instance = RAMCFG_SRAM6_AXI;
  HAL_RAMCFG_EnableAXISRAM(&ramcfg);
}

static void external_memories(void) {
  BSP_XSPI_NOR_Init_t nor;
  /* hyperRAM (xSPI1, 0x90000000): hsq's hyperRAM pools and stedgeai's. */
  BSP_XSPI_RAM_Init(0);
  BSP_XSPI_RAM_EnableMemoryMappedMode(0);
  /* octo-flash (xSPI2, 0x70000000): the NPU weight blobs and .hsq_weights. */
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
  npu_enable();
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

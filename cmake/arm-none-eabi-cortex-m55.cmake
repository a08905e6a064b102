# CMake toolchain file: bare-metal Cortex-M55 (Armv8.1-M with Helium/MVE, hard-float ABI: the
# STM32N6's CPU, and QEMU's mps3-an547) with Debian's arm-none-eabi-gcc and newlib (apt packages
# gcc-arm-none-eabi libnewlib-arm-none-eabi), or the GNU Arm toolchain that ships with
# STM32CubeIDE / STM32CubeCLT.
#
#   cmake -S . -B build -DCMAKE_TOOLCHAIN_FILE=<hsq>/cmake/arm-none-eabi-cortex-m55.cmake
#
# (hsq-cortex-m55.cmake makes it the default.) Only the compiler and the CPU here; the startup
# code, linker script and C library specs (semihosting for QEMU, or a board's own) belong to the
# project.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR cortex-m55)

set(ARM_TOOLCHAIN_PREFIX arm-none-eabi- CACHE STRING "prefix of the cross tools (arm-none-eabi-gcc, ...)")
set(CMAKE_C_COMPILER ${ARM_TOOLCHAIN_PREFIX}gcc)
set(CMAKE_ASM_COMPILER ${ARM_TOOLCHAIN_PREFIX}gcc)
set(CMAKE_OBJCOPY ${ARM_TOOLCHAIN_PREFIX}objcopy CACHE FILEPATH "objcopy")
set(CMAKE_SIZE ${ARM_TOOLCHAIN_PREFIX}size CACHE FILEPATH "size")

# The compiler checks cannot link a program without the project's startup and linker script.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

# hsq's numerics contract (DEVELOPERS.md): no FP contraction, no fast-math, so the M55 computes
# the same float32 numbers as hsq's interpreter. Function/data sections for --gc-sections.
set(_cpu "-mcpu=cortex-m55 -mfloat-abi=hard -mthumb")
set(CMAKE_C_FLAGS_INIT "${_cpu} -ffp-contract=off -fno-fast-math -ffunction-sections -fdata-sections")
set(CMAKE_ASM_FLAGS_INIT "${_cpu}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "${_cpu} -Wl,--gc-sections")
set(CMAKE_C_FLAGS_RELEASE_INIT "-O2")
set(CMAKE_C_FLAGS_MINSIZEREL_INIT "-Os")
set(CMAKE_C_FLAGS_DEBUG_INIT "-Og -g")
set(CMAKE_C_FLAGS_RELWITHDEBINFO_INIT "-O2 -g")

# Host programs (node, hsq, python) from the host; libraries and headers from the target only.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

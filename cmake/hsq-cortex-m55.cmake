# Cortex-M55 firmware with hsq (examples/qemu-m55-firmware, examples/stm32n6570-dk):
#
#   include(<hsq package>/cmake/hsq-cortex-m55.cmake)   # before project()
#   project(app C)
#   hsq_require_cortex_m55()        # fails unless the project cross-compiles for the Cortex-M55
#   hsq_qemu_m55_platform(app)      # QEMU mps3-an547: hsq's startup, linker script, semihosting
#
# Included before project(), it makes hsq's arm-none-eabi-cortex-m55.cmake the toolchain file
# unless -DCMAKE_TOOLCHAIN_FILE names another, Release the default build type, and includes
# hsq.cmake (hsq_add_model).

get_filename_component(_hsq_m55_root "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
if(NOT EXISTS "${_hsq_m55_root}/dist/driver/cli.js")
  message(FATAL_ERROR "${_hsq_m55_root} is not a built hsq package (no dist/; run `npm run build` there)")
endif()

set(HSQ_M55_TOOLCHAIN_FILE "${CMAKE_CURRENT_LIST_DIR}/arm-none-eabi-cortex-m55.cmake")
if(NOT CMAKE_TOOLCHAIN_FILE)
  set(CMAKE_TOOLCHAIN_FILE "${HSQ_M55_TOOLCHAIN_FILE}" CACHE FILEPATH "CMake toolchain file (default: hsq's Cortex-M55 one)")
endif()
if(NOT CMAKE_BUILD_TYPE)
  set(CMAKE_BUILD_TYPE Release CACHE STRING "Build type (Release: -O2 with arm-none-eabi-cortex-m55.cmake)" FORCE)
endif()

include("${CMAKE_CURRENT_LIST_DIR}/hsq.cmake")
# hsq's Cortex-M55 platform for QEMU (runtime-c/m55/README.md).
set(HSQ_M55 "${HSQ_ROOT}/runtime-c/m55")

function(hsq_require_cortex_m55)
  if(NOT CMAKE_C_COMPILER_ID STREQUAL "GNU" OR NOT CMAKE_SYSTEM_PROCESSOR STREQUAL "cortex-m55")
    message(FATAL_ERROR "${PROJECT_NAME} cross-compiles for the Cortex-M55: configure with "
                        "-DCMAKE_TOOLCHAIN_FILE=${HSQ_M55_TOOLCHAIN_FILE} (the default) "
                        "(needs apt packages gcc-arm-none-eabi libnewlib-arm-none-eabi)")
  endif()
endfunction()

# <target> runs in qemu-system-arm -M mps3-an547: vector table at 0x0 (ITCM), stack in DTCM,
# weights in DDR (runtime-c/m55). newlib's librdimon gives printf/exit over semihosting;
# startup.c replaces crt0 (-nostartfiles). The map file is <binary dir>/<target>.map.
function(hsq_qemu_m55_platform target)
  target_sources(${target} PRIVATE "${HSQ_M55}/startup.c")
  target_include_directories(${target} PRIVATE "${HSQ_M55}")
  target_link_options(${target} PRIVATE --specs=rdimon.specs -nostartfiles "-T${HSQ_M55}/m55.ld"
                      "-Wl,-Map=${CMAKE_CURRENT_BINARY_DIR}/${target}.map")
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS "${HSQ_M55}/m55.ld")
endfunction()

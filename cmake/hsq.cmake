# hsq CMake module: compile an ONNX model with hsq as part of a firmware build.
#
#   include(${HSQ_CMAKE_PATH})          # path printed by `hsq cmake-path`
#   hsq_add_model(<target> MODEL <model.onnx> DEVICE <stm32n6|cortex-m55|host>
#                 [NAME <c_name>] [CONFIG <hsq.config.json>] [EMULATE_NPU] [OPTIONS <hsq compile options>...])
#
# Code generation runs once at configure time (so the list of generated sources is known) and
# again at build time whenever the model, the config or hsq itself changes; an unchanged input
# does not regenerate. The generated sources and the include directory are added to <target>.
# For DEVICE stm32n6 the NPU segments also go through ST's `stedgeai` when it is found; when it
# is not, the build says what to install (or use EMULATE_NPU to run NPU segments on hsq's kernels).

cmake_minimum_required(VERSION 3.16)

get_filename_component(_HSQ_ROOT "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
set(HSQ_ROOT "${_HSQ_ROOT}" CACHE INTERNAL "hsq package root")
find_program(HSQ_NODE_EXECUTABLE node REQUIRED)
set(HSQ_BIN "${HSQ_ROOT}/bin/hsq.js" CACHE INTERNAL "hsq launcher")

function(hsq_add_model target)
  cmake_parse_arguments(HSQ "EMULATE_NPU" "MODEL;DEVICE;NAME;CONFIG" "OPTIONS" ${ARGN})
  if(NOT HSQ_MODEL)
    message(FATAL_ERROR "hsq_add_model(${target}): MODEL is required")
  endif()
  if(NOT HSQ_DEVICE)
    message(FATAL_ERROR "hsq_add_model(${target}): DEVICE is required (stm32n6, cortex-m55 or host)")
  endif()
  if(NOT HSQ_DEVICE MATCHES "^(stm32n6|cortex-m55|host)$")
    message(FATAL_ERROR "hsq_add_model(${target}): DEVICE must be stm32n6, cortex-m55 or host, not '${HSQ_DEVICE}'")
  endif()
  get_filename_component(_model "${HSQ_MODEL}" ABSOLUTE)
  if(NOT HSQ_NAME)
    get_filename_component(HSQ_NAME "${_model}" NAME_WE)
    string(MAKE_C_IDENTIFIER "${HSQ_NAME}" HSQ_NAME)
  endif()
  set(_out "${CMAKE_CURRENT_BINARY_DIR}/hsq/${HSQ_NAME}")
  set(_args compile "${_model}" --target ${HSQ_DEVICE} --name ${HSQ_NAME} -o "${_out}")
  set(_deps "${_model}")
  if(HSQ_CONFIG)
    get_filename_component(_config "${HSQ_CONFIG}" ABSOLUTE)
    list(APPEND _args --config "${_config}")
    list(APPEND _deps "${_config}")
  endif()
  list(APPEND _args ${HSQ_OPTIONS})
  # hsq itself: its launcher, its compiled code and the runtime C it copies beside the output.
  file(GLOB_RECURSE _hsq_self CONFIGURE_DEPENDS "${HSQ_ROOT}/dist/*.js" "${HSQ_ROOT}/runtime-c/*")
  list(APPEND _deps "${HSQ_BIN}" ${_hsq_self})

  if(NOT EXISTS "${_out}/.hsq-output")
    message(STATUS "hsq: compiling ${_model} for ${HSQ_DEVICE}")
    execute_process(COMMAND "${HSQ_NODE_EXECUTABLE}" "${HSQ_BIN}" ${_args}
                    RESULT_VARIABLE _rc OUTPUT_VARIABLE _o ERROR_VARIABLE _e)
    if(NOT _rc EQUAL 0)
      message(FATAL_ERROR "hsq compile failed (exit ${_rc}):\n${_e}")
    endif()
    # Up to date now: the first build need not compile again.
    file(TOUCH "${_out}.stamp")
  endif()
  file(GLOB _sources "${_out}/*.c")
  set(_stamp "${_out}.stamp")
  add_custom_command(
    OUTPUT "${_stamp}" ${_sources}
    COMMAND "${HSQ_NODE_EXECUTABLE}" "${HSQ_BIN}" ${_args}
    COMMAND "${CMAKE_COMMAND}" -E touch "${_stamp}"
    DEPENDS ${_deps}
    COMMENT "hsq: compiling ${HSQ_NAME} for ${HSQ_DEVICE}"
    VERBATIM)
  add_custom_target(${target}_hsq_${HSQ_NAME} DEPENDS "${_stamp}")
  add_dependencies(${target} ${target}_hsq_${HSQ_NAME})
  target_sources(${target} PRIVATE ${_sources})
  target_include_directories(${target} PRIVATE "${_out}")
  # --weights-format incbin (the default for large weights): the assembler finds NAME_weights.bin here.
  target_compile_options(${target} PRIVATE "-Wa,-I${_out}")
  if(HSQ_DEVICE STREQUAL "stm32n6")
    if(HSQ_EMULATE_NPU)
      target_compile_definitions(${target} PRIVATE HSQ_NPU_EMULATION)
    else()
      find_program(HSQ_STEDGEAI stedgeai)
      if(HSQ_STEDGEAI AND EXISTS "${_out}/npu/stedgeai.cmake")
        # stedgeai's C for each NPU segment (rules and lists from the generated fragment).
        include("${_out}/npu/stedgeai.cmake")
        string(TOUPPER "${HSQ_NAME}" _up)
        target_sources(${target} PRIVATE ${${_up}_NPU_SOURCES})
        target_include_directories(${target} PRIVATE ${${_up}_NPU_INCLUDE_DIRS})
      elseif(NOT HSQ_STEDGEAI)
        message(WARNING "hsq: `stedgeai` (ST Edge AI Core, part of X-CUBE-AI / STM32Cube.AI) was not found on PATH: "
                        "the NPU segments of ${HSQ_NAME} cannot be generated. Install ST Edge AI Core and put `stedgeai` on PATH, "
                        "or pass EMULATE_NPU to run the NPU segments on hsq's own INT8 kernels.")
      endif()
    endif()
  endif()
endfunction()

/* ll_aton_decl.h: declarations of the LL_ATON runtime API that hsq's stm32n6 glue calls, written
 * from ST's documentation of the API (ST Edge AI Core 2.x, ll_aton_runtime.h /
 * ll_aton_rt_user_api.h / ll_aton_NN_interface.h as published in STMicroelectronics/x-cube-n6-*;
 * facts collected in docs/reference stm32n6.md; checked against ST's headers and runtime sources of
 * LL_ATON 1.1.0, 1.1.1 and 1.1.3, see examples/stm32n6570-dk/README.md). Declarations only, no ST
 * code: this header exists so that tests can compile the real-NPU glue without ST's runtime (`arm-none-eabi-gcc -c
 * -DHSQ_LL_ATON_HEADER='"ll_aton_decl.h"'`). Real firmware uses ST's own "ll_aton_runtime.h"
 * (the glue's default) and links ST's runtime and the stedgeai-generated <name>.c files.
 *
 * Only names and signatures matter here. Struct layouts are placeholders: ST's headers define them. */
#ifndef HSQ_LL_ATON_DECL_H
#define HSQ_LL_ATON_DECL_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The LL_ATON release these declarations follow, as MAJOR*10000 + MINOR*100 + MICRO: 10100 or 10101
 * (ST Edge AI 2.1 / 2.2: x-cube-n6-ai-power-measurement, x-cube-n6-ai-face-landmarks) or 10103
 * (ST Edge AI 3.0: STM32N6-GettingStarted-ReID; 4.0 ships 1.1.3 too), whose network interface adds
 * two functions stedgeai generates per network (LL_ATON_{Weight,Blob}Encryption_Info_<name>). */
#ifndef HSQ_LL_ATON_DECL_VERSION
#define HSQ_LL_ATON_DECL_VERSION 10103
#endif

/* Return values of LL_ATON_RT_RunEpochBlock(). */
typedef enum { LL_ATON_RT_NO_WFE = 0, LL_ATON_RT_WFE, LL_ATON_RT_DONE } LL_ATON_RT_RetValues_t;

/* Results of the per-network user I/O setters. */
typedef enum {
  LL_ATON_User_IO_NOERROR = 0,
  LL_ATON_User_IO_WRONG_ALIGN,
  LL_ATON_User_IO_WRONG_SIZE,
  LL_ATON_User_IO_WRONG_INDEX
} LL_ATON_User_IO_Result_t;

/* Buffer descriptions returned by LL_ATON_{Input,Output}_Buffers_Info_<name>() (array ended by
 * an entry whose name is NULL). Placeholder layout: name first, as ST documents. */
typedef struct { const char *name; } LL_Buffer_InfoTypeDef;

/* Encryption parameters of a network's weights or epoch blobs (1.1.3; placeholder). */
typedef struct { uint32_t opaque_[4]; } LL_Streng_EncryptionTypedef;

/* One epoch block of a network's schedule (private to ST's runtime; placeholder). */
typedef struct { uint32_t opaque_[8]; } EpochBlock_ItemTypeDef;

/* A network's constant interface: what ST's LL_ATON_DECLARE_NAMED_NN_INTERFACE fills in (the
 * network's name and the functions stedgeai generates in <name>.c). Field order as ST's. */
typedef struct NN_Interface_TypeDef {
  const char *network_name;
  bool (*ec_network_init)(void);
  bool (*ec_inference_init)(void);
  LL_ATON_User_IO_Result_t (*input_setter)(uint32_t num, void *buffer, uint32_t size);
  void *(*input_getter)(uint32_t num);
  LL_ATON_User_IO_Result_t (*output_setter)(uint32_t num, void *buffer, uint32_t size);
  void *(*output_getter)(uint32_t num);
  const EpochBlock_ItemTypeDef *(*epoch_block_items)(void);
  const LL_Buffer_InfoTypeDef *(*output_buffers_info)(void);
  const LL_Buffer_InfoTypeDef *(*input_buffers_info)(void);
#if HSQ_LL_ATON_DECL_VERSION >= 10103
  const LL_Streng_EncryptionTypedef *(*blob_encryption_info)(void);
  const LL_Streng_EncryptionTypedef *(*weight_encryption_info)(void);
#endif
  const LL_Buffer_InfoTypeDef *(*internal_buffers_info)(void);
} NN_Interface_TypeDef;

/* A network's execution state (private to ST's runtime; placeholder). */
typedef struct { uint32_t opaque_[32]; } NN_Execution_State_TypeDef;

/* A network instance: its interface and execution state. */
typedef struct {
  const NN_Interface_TypeDef *network;
  NN_Execution_State_TypeDef exec_state;
} NN_Instance_TypeDef;

void LL_ATON_RT_RuntimeInit(void);
void LL_ATON_RT_RuntimeDeInit(void);
void LL_ATON_RT_Init_Network(NN_Instance_TypeDef *nn_instance);
void LL_ATON_RT_DeInit_Network(NN_Instance_TypeDef *nn_instance);
void LL_ATON_RT_Reset_Network(NN_Instance_TypeDef *nn_instance);
LL_ATON_RT_RetValues_t LL_ATON_RT_RunEpochBlock(NN_Instance_TypeDef *nn_instance);
void LL_ATON_RT_Main(NN_Instance_TypeDef *nn_instance);

/* Per-network functions that stedgeai generates in <name>.c and <name>_ecblobs.h (`--name <name>`):
 * exactly those ST's LL_ATON_DECLARE_NAMED_NN_PROTOS declares (1.1.0/1.1.1: ten; 1.1.3: twelve). */
#if HSQ_LL_ATON_DECL_VERSION >= 10103
#define HSQ_LL_ATON_DECLARE_ENCRYPTION_PROTOS(nn_name)                                             \
  extern const LL_Streng_EncryptionTypedef *LL_ATON_WeightEncryption_Info_##nn_name(void);         \
  extern const LL_Streng_EncryptionTypedef *LL_ATON_BlobEncryption_Info_##nn_name(void);
#define HSQ_LL_ATON_ENCRYPTION_FIELDS(nn_name)                                                     \
  .weight_encryption_info = &LL_ATON_WeightEncryption_Info_##nn_name,                              \
  .blob_encryption_info = &LL_ATON_BlobEncryption_Info_##nn_name,
#else
#define HSQ_LL_ATON_DECLARE_ENCRYPTION_PROTOS(nn_name)
#define HSQ_LL_ATON_ENCRYPTION_FIELDS(nn_name)
#endif
#define LL_ATON_DECLARE_NAMED_NN_PROTOS(nn_name)                                                   \
  extern bool LL_ATON_EC_Network_Init_##nn_name(void);                                             \
  extern bool LL_ATON_EC_Inference_Init_##nn_name(void);                                           \
  extern LL_ATON_User_IO_Result_t LL_ATON_Set_User_Input_Buffer_##nn_name(uint32_t num, void *buffer, \
                                                                          uint32_t size);          \
  extern void *LL_ATON_Get_User_Input_Buffer_##nn_name(uint32_t num);                              \
  extern LL_ATON_User_IO_Result_t LL_ATON_Set_User_Output_Buffer_##nn_name(uint32_t num, void *buffer, \
                                                                           uint32_t size);         \
  extern void *LL_ATON_Get_User_Output_Buffer_##nn_name(uint32_t num);                             \
  extern const EpochBlock_ItemTypeDef *LL_ATON_EpochBlockItems_##nn_name(void);                    \
  extern const LL_Buffer_InfoTypeDef *LL_ATON_Output_Buffers_Info_##nn_name(void);                 \
  extern const LL_Buffer_InfoTypeDef *LL_ATON_Input_Buffers_Info_##nn_name(void);                  \
  HSQ_LL_ATON_DECLARE_ENCRYPTION_PROTOS(nn_name)                                                   \
  extern const LL_Buffer_InfoTypeDef *LL_ATON_Internal_Buffers_Info_##nn_name(void)

/* The constant interface is static in ST's macro (one per translation unit that declares it). */
#define LL_ATON_DECLARE_NAMED_NN_INTERFACE(nn_name)                                                \
  LL_ATON_DECLARE_NAMED_NN_PROTOS(nn_name);                                                        \
  static const NN_Interface_TypeDef NN_Interface_##nn_name = {                                     \
      .network_name = #nn_name,                                                                    \
      .ec_network_init = &LL_ATON_EC_Network_Init_##nn_name,                                       \
      .ec_inference_init = &LL_ATON_EC_Inference_Init_##nn_name,                                   \
      .input_setter = &LL_ATON_Set_User_Input_Buffer_##nn_name,                                    \
      .input_getter = &LL_ATON_Get_User_Input_Buffer_##nn_name,                                    \
      .output_setter = &LL_ATON_Set_User_Output_Buffer_##nn_name,                                  \
      .output_getter = &LL_ATON_Get_User_Output_Buffer_##nn_name,                                  \
      .epoch_block_items = &LL_ATON_EpochBlockItems_##nn_name,                                     \
      .output_buffers_info = &LL_ATON_Output_Buffers_Info_##nn_name,                               \
      .input_buffers_info = &LL_ATON_Input_Buffers_Info_##nn_name,                                 \
      HSQ_LL_ATON_ENCRYPTION_FIELDS(nn_name)                                                       \
      .internal_buffers_info = &LL_ATON_Internal_Buffers_Info_##nn_name}

/* Declares `static NN_Instance_TypeDef NN_Instance_<nn_name>` linked to the network's interface. */
#define LL_ATON_DECLARE_NAMED_NN_INSTANCE_AND_INTERFACE(nn_name)                                   \
  LL_ATON_DECLARE_NAMED_NN_INTERFACE(nn_name);                                                     \
  static NN_Instance_TypeDef NN_Instance_##nn_name = {&NN_Interface_##nn_name, {{0}}}

/* OS abstraction: wait for an event while an epoch block runs (bare metal: the WFE instruction). */
#ifndef LL_ATON_OSAL_WFE
#define LL_ATON_OSAL_WFE() __asm volatile("wfe")
#endif

#ifdef __cplusplus
}
#endif
#endif

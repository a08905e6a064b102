// The C spelling of an integer type's limits (for reductions that start from them).
const LIMITS: Record<string, [string, string]> = {
  int8_t: ['INT8_MIN', 'INT8_MAX'], uint8_t: ['0', 'UINT8_MAX'], int16_t: ['INT16_MIN', 'INT16_MAX'], uint16_t: ['0', 'UINT16_MAX'],
  int32_t: ['INT32_MIN', 'INT32_MAX'], uint32_t: ['0', 'UINT32_MAX'], int64_t: ['INT64_MIN', 'INT64_MAX'], uint64_t: ['0', 'UINT64_MAX'],
};

export function cIntLimit(ctype: string, which: 'min' | 'max'): string {
  const l = LIMITS[ctype];
  if (!l) throw new Error(`no integer limits for C type ${ctype}`);
  return which === 'min' ? l[0] : l[1];
}

// Rendering of the generated constant arrays: as C definitions (for emitted models) or as
// assembler .incbin of binary files (fast to build, used by tests and benchmarks).
import * as fs from 'fs';
import * as path from 'path';
import type { ConstArray } from './types';

/** Little-endian bytes of int32 or float32 values (the `bytes` of a ConstArray). */
export function le32(values: ArrayLike<number>, float: boolean): Uint8Array {
  const b = new Uint8Array(values.length * 4);
  const v = new DataView(b.buffer);
  for (let i = 0; i < values.length; i++) float ? v.setFloat32(i * 4, values[i], true) : v.setInt32(i * 4, values[i], true);
  return b;
}

export interface ArraySections {
  /** Section of `kind: 'weights'` arrays (default .hsq_weights: DDR on the an547). */
  weights?: string;
  /** Section of `kind: 'params'` arrays (default: the compiler's .rodata). */
  params?: string;
}

/** C definitions of the arrays, 16 bytes a line. */
export function renderArraysC(arrays: ConstArray[], sections: ArraySections = { weights: '.hsq_weights' }): string {
  const out: string[] = ['#include <stdint.h>', ''];
  for (const a of arrays) {
    const sec = a.kind === 'weights' ? sections.weights : sections.params;
    const attr = `__attribute__((aligned(${a.align})${sec ? `, section("${sec}")` : ''}))`;
    const esz = a.ctype === 'int8_t' ? 1 : 4;
    const n = a.bytes.length / esz;
    const dv = new DataView(a.bytes.buffer, a.bytes.byteOffset, a.bytes.byteLength);
    const vals: string[] = [];
    for (let i = 0; i < n; i++) {
      if (a.ctype === 'int8_t') vals.push(String(dv.getInt8(i)));
      else if (a.ctype === 'int32_t') vals.push(String(dv.getInt32(i * 4, true)));
      else {
        const v = dv.getFloat32(i * 4, true);
        vals.push(Number.isInteger(v) ? `${v}.0f` : `${v.toPrecision(9)}f`);
      }
    }
    out.push(`const ${a.ctype} ${a.symbol}[${n}] ${attr} = {`);
    for (let i = 0; i < vals.length; i += 16) out.push(`  ${vals.slice(i, i + 16).join(', ')},`);
    out.push('};', '');
  }
  return out.join('\n');
}

/** Write each array to `<dir>/<symbol>.bin` and return assembler source that .incbin's them. */
export function writeArraysAsm(arrays: ConstArray[], dir: string, sections: ArraySections = { weights: '.hsq_weights', params: '.rodata.hsq_params' }): string {
  const out: string[] = ['.syntax unified'];
  for (const a of arrays) {
    const file = path.join(dir, `${a.symbol}.bin`);
    fs.writeFileSync(file, a.bytes);
    const sec = (a.kind === 'weights' ? sections.weights : sections.params) ?? '.rodata';
    out.push(`.section ${sec}.${a.symbol},"a"`, `.balign ${a.align}`, `.global ${a.symbol}`, `.type ${a.symbol}, %object`, `${a.symbol}:`, `.incbin "${file}"`, `.size ${a.symbol}, ${a.bytes.length}`);
  }
  return out.join('\n') + '\n';
}

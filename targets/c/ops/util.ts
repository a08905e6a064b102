// Helpers shared by the per-op C emitters.
import { TensorInfo } from '../../../core/ir/graph';
import { numel } from '../../../core/ir/tensor';
import { NodeContext } from '../context';
import { channelsLast, ctype, physOrder, physStrides, rowMajor } from '../ctypes';
import { ndLoop } from '../nd-loop';

/** Physical strides of `shape` read as `outShape` (numpy broadcasting; 0 on broadcast dims). */
export function bcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const rank = outShape.length, off = rank - shape.length;
  const ps = physStrides(shape);
  const st = new Array<number>(rank).fill(0);
  for (let i = 0; i < shape.length; i++) st[off + i] = shape[i] === 1 && outShape[off + i] !== 1 ? 0 : ps[i];
  return st;
}

/** Opens a C block binding y/a/b/... names to the given pointer expressions. */
export function block(ctx: NodeContext, decls: string[], body: string[]): void {
  ctx.emit('  {');
  for (const d of decls) ctx.emit(`    ${d}`);
  for (const l of body) ctx.emit(`  ${l}`);
  ctx.emit('  }');
}

/** Copy of tensor x (any layout) to a buffer with the same logical shape in another layout. */
export function copyLayout(shape: readonly number[], dst: { ptr: string; strides: readonly number[]; type: string },
  src: { ptr: string; strides: readonly number[]; type: string }, indent = '  '): string[] {
  return ndLoop(shape, [{ strides: dst.strides, ptr: dst.ptr, type: dst.type }, { strides: src.strides, ptr: src.ptr, type: src.type }], ([a, b]) => [`${a} = ${b};`], indent);
}

/**
 * A pointer to input i's data in logical row-major order: the tensor itself when its physical
 * layout is already logical, else a scratch copy (for ops that are not layout-aware).
 */
export function logicalInput(ctx: NodeContext, i: number): string {
  const info = ctx.in(i);
  if (!channelsLast(info.shape)) return ctx.inPtr(i);
  const ct = ctx.ctypeIn(i);
  const buf = ctx.scratch(numel(info.shape) * ct.size, ct.name);
  const v = `lx${i}`;
  ctx.emit(`  {`, `    ${ct.name}* ${v} = ${buf};`, `    const ${ct.name}* src = ${ctx.inPtr(i)};`);
  for (const l of copyLayout(info.shape, { ptr: v, strides: rowMajor(info.shape), type: ct.name }, { ptr: 'src', strides: physStrides(info.shape), type: `const ${ct.name}` }, '    ')) ctx.emit(l);
  ctx.emit('  }');
  return buf.replace(/^\(\((\w+)\*\)/, '((const $1*)');
}

/**
 * Where an op that writes logical row-major output should write output o; call the returned
 * `finish` after the op's code to move a scratch result into the physical layout.
 */
export function logicalOutput(ctx: NodeContext, o = 0): { ptr: string; finish: () => void } {
  const info = ctx.out(o);
  if (!channelsLast(info.shape)) return { ptr: ctx.outPtr(o), finish: () => {} };
  const ct = ctx.ctypeOut(o);
  const buf = ctx.scratch(numel(info.shape) * ct.size, ct.name);
  return {
    ptr: buf,
    finish: () => {
      ctx.emit('  {', `    ${ct.name}* dst = ${ctx.outPtr(o)};`, `    const ${ct.name}* src = ${buf};`);
      for (const l of copyLayout(info.shape, { ptr: 'dst', strides: physStrides(info.shape), type: ct.name }, { ptr: 'src', strides: rowMajor(info.shape), type: `const ${ct.name}` }, '    ')) ctx.emit(l);
      ctx.emit('  }');
    },
  };
}

export function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

export function sizeOf(info: TensorInfo): number {
  return numel(info.shape) * ctype(info.dtype, info.name).size;
}

export { physOrder, physStrides, rowMajor, channelsLast };

/** C struct initialiser of a hsq_conv_t; `wblock` 8: float weights in blocks of 8 output channels. */
export function convStruct(p: {
  N: number; H: number; W: number; C: number; OH: number; OW: number; M: number;
  KH: number; KW: number; sh: number; sw: number; dh: number; dw: number; padT: number; padL: number; group: number;
}, wblock = 0): string {
  return `{ ${[p.N, p.H, p.W, p.C, p.OH, p.OW, p.M, p.KH, p.KW, p.sh, p.sw, p.dh, p.dw, p.padT, p.padL, p.group, wblock].join(', ')} }`;
}

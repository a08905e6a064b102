// The op descriptors (ops/<op>.ts) and what is derived from them (ops/engine/traits.ts): one
// descriptor a file, every file registered, traits that agree with each other, attributes
// resolved through their schema.
import * as fs from 'fs';
import * as path from 'path';
import * as all from '../ops/index';
import { allOps, lookupOp } from '../ops/engine/registry';
import { isAccumulating, isFloatAccumulating, isTableLink, keepsInputQuant, npuKindOf, weightChannelAxisOf, weightInputOf } from '../ops/engine/traits';
import { OpDescriptor, isOpDescriptor, readAttrs } from '../ops/lib/descriptor';
import { ACCUMULATING, ELEMENTWISE_Q, PASSTHROUGH } from '../precision/layers';
import { Node } from '../core/ir/graph';

const OPS = path.join(__dirname, '..', 'ops');
const n = (op: string, attrs: Node['attrs'] = {}, domain = '', opset?: number): Node => ({ name: 'n', op, domain, inputs: [], outputs: [], attrs, opset });

describe('op descriptors', () => {
  it('ops/ holds one descriptor a file, each exported by ops/index.ts', async () => {
    const files = fs.readdirSync(OPS).filter((f) => f.endsWith('.ts') && f !== 'index.ts');
    const exported = new Set(Object.values(all).filter(isOpDescriptor));
    for (const f of files) {
      const mod = await import(path.join(OPS, f));
      const ds = Object.values(mod).filter(isOpDescriptor) as OpDescriptor[];
      expect([f, ds.length]).toEqual([f, 1]);
      expect([f, exported.has(ds[0])]).toEqual([f, true]);
    }
    expect(allOps().length).toBe(files.length);
  });

  it('traits agree: tables are unary elementwise ops, C forms match the arity, weights where accumulation is', () => {
    for (const d of allOps()) {
      const t = d.traits;
      if (t.quant === 'lookup-table') expect([d.op, t.elementwise]).toEqual([d.op, 'unary']);
      if (d.c?.unary) expect([d.op, t.elementwise]).toEqual([d.op, 'unary']);
      if (d.c?.binary) expect([d.op, ['binary', 'variadic'].includes(t.elementwise ?? '')]).toEqual([d.op, true]);
      if (t.quant === 'accumulating') expect([d.op, t.weights !== undefined]).toEqual([d.op, true]);
      if (t.integer) expect([d.op, t.quant]).toEqual([d.op, 'accumulating']);
    }
  });

  it('derived questions answer from the traits', () => {
    expect(isFloatAccumulating(n('Conv'))).toBe(true);
    expect(isFloatAccumulating(n('QConv', {}, 'hsq'))).toBe(false);
    expect(isAccumulating(n('QConv', {}, 'hsq'))).toBe(true);
    expect(isFloatAccumulating(n('ConvTranspose'))).toBe(true); // quantized: hsq QConvTranspose
    expect(isAccumulating(n('QConvTranspose', {}, 'hsq'))).toBe(true);
    expect(weightInputOf(n('ConvTranspose'))).toBe(1);
    expect(weightChannelAxisOf(n('ConvTranspose'))).toBe(1);
    expect(weightChannelAxisOf(n('QConvTranspose', {}, 'hsq'))).toBe(0);
    expect(weightInputOf(n('QLinearConv'))).toBe(3);
    expect(weightChannelAxisOf(n('Gemm'))).toBe(1);
    expect(weightChannelAxisOf(n('Gemm', { transB: 1 }))).toBe(0);
    expect(isTableLink(n('Identity'))).toBe(true);
    expect(isTableLink(n('Dropout'))).toBe(false);
    expect(isTableLink(n('Softmax'))).toBe(false);
    expect(keepsInputQuant(n('MaxPool'))).toBe(true);
    expect(npuKindOf('Conv', '')).toBe('conv-like');
    expect(npuKindOf('Sigmoid', 'ai.onnx')).toBe('lookup-activation');
    expect(npuKindOf('NoSuchOp', '')).toBe('none');
    expect([...ACCUMULATING].sort()).toEqual(['Conv', 'ConvTranspose', 'Gemm', 'MatMul']);
    for (const op of PASSTHROUGH) expect(ELEMENTWISE_Q.has(op)).toBe(false);
  });

  it('attributes resolve through the schema: given value, default, opset-dependent default', () => {
    const softmax = lookupOp('Softmax', '')!;
    expect(readAttrs(softmax.attrs, n('Softmax', {}, '', 11)).axis).toBe(1);
    expect(readAttrs(softmax.attrs, n('Softmax', {}, '', 13)).axis).toBe(-1);
    expect(readAttrs(softmax.attrs, n('Softmax')).axis).toBe(-1);
    expect(readAttrs(softmax.attrs, n('Softmax', { axis: 2 }, '', 11)).axis).toBe(2);
    const clip = lookupOp('Clip', '')!;
    expect(readAttrs(clip.attrs, n('Clip')).min).toBeUndefined();
  });
});

// What an op emitter sees: the node, its tensors, and ways to get C pointers to activations
// (arena offsets planned after all nodes are emitted), constants (the weights blob) and scratch.
import { fail } from '../../core/diagnostics';
import { Graph, Node, TensorInfo } from '../../core/ir/graph';
import { Tensor } from '../../core/ir/tensor';
import { TypedArray } from '../../core/ir/dtype';
import { CType, ctype, tensorBytes, toPhysical } from './ctypes';
import { WeightsBuilder } from './weights';

export interface ScratchRequest { readonly id: string; readonly size: number; readonly step: number }

/** State shared by all nodes of one model. */
export class ModelContext {
  readonly weights = new WeightsBuilder();
  readonly statics: string[] = [];
  readonly scratch: ScratchRequest[] = [];
  private readonly constOffsets = new Map<string, number>();
  private symbols = 0;

  constructor(readonly g: Graph, readonly prefix: string) {}

  info(name: string): TensorInfo {
    const t = this.g.tensors[name];
    if (!t) return fail('bad-shape', `tensor '${name}' has no type/shape information (run shape inference first)`, name);
    return t;
  }

  isConst(name: string): boolean {
    return name in this.g.initializers;
  }

  /** Offset in the blob of a constant stored in its physical layout. */
  constOffset(name: string): number {
    let off = this.constOffsets.get(name);
    if (off === undefined) {
      const t = this.g.initializers[name];
      off = this.weights.add(tensorBytes(toPhysical(t)));
      this.constOffsets.set(name, off);
    }
    return off;
  }

  symbol(stem: string): string {
    return `${this.prefix}_${stem}${this.symbols++}`;
  }
}

export class NodeContext {
  readonly lines: string[] = [];
  constructor(readonly model: ModelContext, readonly node: Node, readonly step: number) {}

  get name(): string { return this.node.name; }

  fail(message: string): never {
    return fail('unsupported', `node '${this.node.name}' (${this.node.op}): ${message}`, this.node.name);
  }

  has(i: number): boolean {
    return i < this.node.inputs.length && this.node.inputs[i] !== '';
  }

  inName(i: number): string {
    if (!this.has(i)) this.fail(`input ${i} is missing`);
    return this.node.inputs[i];
  }

  in(i: number): TensorInfo { return this.model.info(this.inName(i)); }
  out(i = 0): TensorInfo { return this.model.info(this.node.outputs[i]); }

  isConst(i: number): boolean { return this.has(i) && this.model.isConst(this.node.inputs[i]); }

  /** Compile-time value of input i (it must be a constant). */
  constValue(i: number): Tensor {
    if (!this.isConst(i)) this.fail(`input ${i} ('${this.node.inputs[i] ?? ''}') must be a compile-time constant for the C backend`);
    return this.model.g.initializers[this.node.inputs[i]];
  }

  /** C expression for a pointer to tensor `name` (const unless `mutable`). */
  ptrOf(name: string, mutable = false): string {
    const info = this.model.info(name);
    const ct = ctype(info.dtype, name);
    if (this.model.isConst(name)) return `((const ${ct.name}*)(W + ${this.model.constOffset(name)}))`;
    return `((${mutable ? '' : 'const '}${ct.name}*)(A + @@T:${name}@@))`;
  }

  inPtr(i: number): string { return this.ptrOf(this.inName(i)); }
  outPtr(i = 0): string { return this.ptrOf(this.node.outputs[i], true); }

  ctypeIn(i: number): CType { return ctype(this.in(i).dtype, this.inName(i)); }
  ctypeOut(i = 0): CType { return ctype(this.out(i).dtype, this.node.outputs[i]); }

  /** Pointer expression to raw bytes added to the weights blob. */
  weight(bytes: Uint8Array, cType: string, align = 16): string {
    const off = this.model.weights.add(bytes, align);
    return `((const ${cType}*)(W + ${off}))`;
  }

  weightArray(a: TypedArray, cType: string): string {
    return this.weight(new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength)), cType);
  }

  /** Arena scratch live only during this node. */
  scratch(bytes: number, cType = 'uint8_t'): string {
    const id = `${this.model.scratch.length}`;
    this.model.scratch.push({ id, size: Math.max(bytes, 1), step: this.step });
    return `((${cType}*)(A + @@S:${id}@@))`;
  }

  /** A file-scope static declaration; returns its symbol. */
  addStatic(stem: string, decl: (sym: string) => string): string {
    const sym = this.model.symbol(stem);
    this.model.statics.push(decl(sym));
    return sym;
  }

  emit(...lines: string[]): void {
    for (const l of lines) this.lines.push(l);
  }
}

export type OpEmitter = (ctx: NodeContext) => void;

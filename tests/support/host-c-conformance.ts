// Prepares every ONNX conformance test for the C engine: import, bind constant inputs (rule of
// compiler/bind-inputs.ts), lower through the core pipeline, run the interpreter. Shared by the
// plain and the sanitizer conformance suites.
import * as fs from 'fs';
import * as path from 'path';
import { bindConstantInputs } from '../../frontend/bind-inputs';
import { lower } from '../../driver/frontend';
import { runGraph } from '../../ops/engine/interpreter';
import { Graph } from '../../core/ir/graph';
import { Tensor } from '../../core/ir/tensor';
import { loadModel } from '../../frontend/onnx/import';
import { readTensorFile } from '../../frontend/onnx/tensor-proto';
import { emitModel } from '../../targets/c/emit-model';
import { CONFORMANCE_DIR, conformanceTests } from './conformance';

export interface PreparedCase {
  readonly name: string;
  readonly graph?: Graph;
  readonly inputs?: Record<string, Tensor>;
  readonly interp?: Record<string, Tensor>;
  readonly expected?: Tensor[];
  /** Why the case cannot run through C (interpreter or emitter error). */
  readonly error?: string;
  readonly stage?: 'interpreter' | 'emit';
}

export function prepareConformance(): PreparedCase[] {
  return conformanceTests().map((name): PreparedCase => {
    const dir = path.join(CONFORMANCE_DIR, name);
    const data = path.join(dir, 'test_data_set_0');
    let graph: Graph, inputs: Record<string, Tensor>, interp: Record<string, Tensor>;
    const expected = fs.readdirSync(data).filter((f) => /^output_\d+\.pb$/.test(f)).sort().map((f) => readTensorFile(path.join(data, f)));
    try {
      const raw = loadModel(path.join(dir, 'model.onnx'));
      const given: Record<string, Tensor> = {};
      const names = raw.inputs.filter((i) => !(i in raw.initializers));
      fs.readdirSync(data).filter((f) => /^input_\d+\.pb$/.test(f)).sort((a, b) => parseInt(a.slice(6)) - parseInt(b.slice(6)))
        .forEach((f, k) => { given[names[k]] = readTensorFile(path.join(data, f)); });
      const bound = bindConstantInputs(raw, given);
      graph = lower(bound.graph);
      inputs = bound.runtimeInputs;
      interp = runGraph(graph, inputs);
    } catch (e) {
      return { name, error: (e as Error).message, stage: 'interpreter' };
    }
    try {
      emitModel(graph, { name: 'probe', omitRuntime: true });
    } catch (e) {
      return { name, graph, inputs, interp, expected, error: (e as Error).message, stage: 'emit' };
    }
    return { name, graph, inputs, interp, expected };
  });
}

/** Bit-exact comparison (NaN equals NaN); a message or null. */
export function compareExact(actual: Tensor, expected: Tensor): string | null {
  if (actual.dtype !== expected.dtype) return `dtype ${actual.dtype}, expected ${expected.dtype}`;
  if (actual.shape.join(',') !== expected.shape.join(',')) return `shape [${actual.shape}], expected [${expected.shape}]`;
  const a = actual.data, e = expected.data;
  for (let i = 0; i < e.length; i++) {
    const x = a[i], y = e[i];
    if (x === y) {
      if (typeof x === 'number' && x === 0 && Object.is(x, -0) !== Object.is(y, -0)) return `element ${i}: ${Object.is(x, -0) ? '-0' : '0'}, expected ${Object.is(y, -0) ? '-0' : '0'}`;
      continue;
    }
    if (typeof x === 'number' && Number.isNaN(x) && Number.isNaN(y as number)) continue;
    return `element ${i}: ${x}, expected ${y}`;
  }
  return null;
}

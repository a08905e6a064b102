// The `activation` attribute passes/fuse-activation.ts puts on a float Conv/Gemm (names as ONNX
// Runtime's FusedConv): applied to each float32 output after the bias, with exactly the float32
// operations the separate Relu / Clip / LeakyRelu node performs, so fusing changes no bit.
import { Node } from '../../core/ir/graph';
import { fail } from '../../core/diagnostics';
import { AttrValues, attr } from './descriptor';

/** hsq's own attributes on a float Conv/Gemm (not ONNX's; exported as a separate node). */
export const FUSED_ACTIVATION_ATTRS = { activation: attr.string(), activation_params: attr.floats() };

export function applyFusedActivation(node: Node, a: AttrValues<typeof FUSED_ACTIVATION_ATTRS>, y: Float32Array): void {
  const act = a.activation;
  if (act === undefined) return;
  const p = a.activation_params ?? [];
  switch (act) {
    case 'relu':
      for (let i = 0; i < y.length; i++) { const v = y[i]; y[i] = v > 0 || v !== v ? v : 0; }
      return;
    case 'clip': {
      const lo = Math.fround(p[0] ?? -3.4028234663852886e38), hi = Math.fround(p[1] ?? 3.4028234663852886e38);
      for (let i = 0; i < y.length; i++) { let v = y[i]; if (v < lo) v = lo; if (v > hi) v = hi; y[i] = v; }
      return;
    }
    case 'leakyrelu': {
      const alpha = Math.fround(p[0] ?? 0.01);
      for (let i = 0; i < y.length; i++) { const v = y[i]; if (v < 0) y[i] = Math.fround(v * alpha); }
      return;
    }
    default:
      fail('unsupported', `node '${node.name}': fused activation '${act}' is not supported`, node.name);
  }
}

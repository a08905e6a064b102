// The fused activation of a float Conv/Gemm (passes/fuse-activation.ts): `activation` 'relu' |
// 'clip' | 'leakyrelu' with `activation_params` [] | [min, max] | [alpha], as kernel arguments.
import { NodeContext } from '../context';

export interface FusedActivation { kind: string; a0: number; a1: number }

export function fusedActivation(ctx: NodeContext): FusedActivation {
  const a = ctx.node.attrs.activation as string | undefined;
  const p = (ctx.node.attrs.activation_params as readonly number[] | undefined) ?? [];
  if (a === undefined) return { kind: 'HSQ_ACT_NONE', a0: 0, a1: 0 };
  switch (a) {
    case 'relu': return { kind: 'HSQ_ACT_RELU', a0: 0, a1: 0 };
    case 'clip': return { kind: 'HSQ_ACT_CLIP', a0: p[0] ?? -3.4028234663852886e38, a1: p[1] ?? 3.4028234663852886e38 };
    case 'leakyrelu': return { kind: 'HSQ_ACT_LEAKY', a0: Math.fround(p[0] ?? 0.01), a1: 0 };
    default: return ctx.fail(`fused activation '${a}' is not supported`);
  }
}

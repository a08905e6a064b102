// MaxPool / AveragePool (1-D and 2-D) and the global pools over NHWC activations.
import { attrInt } from '../../../core/ir/graph';
import { poolSetup } from '../../../ops/lib/pool-setup';
import { numel } from '../../../core/ir/tensor';
import { NodeContext, OpEmitter } from '../context';
import { channelsLastIO } from './conv';

const SUFFIX: Record<string, string> = { float32: 'f32', int8: 's8', uint8: 'u8' };

function suffix(ctx: NodeContext, allowed: string[]): string {
  const dt = ctx.in(0).dtype;
  if (!allowed.includes(dt)) ctx.fail(`input type ${dt} is not supported (${allowed.join(', ')})`);
  return SUFFIX[dt];
}

function emitPool(kind: 'max' | 'avg'): OpEmitter {
  return (ctx) => {
    if (ctx.node.outputs[1]) ctx.fail('the Indices output is not supported');
    const sfx = suffix(ctx, kind === 'max' ? ['float32', 'int8', 'uint8'] : ['float32']);
    const x = ctx.in(0);
    const { params: p } = poolSetup(ctx.node, x.shape);
    const cip = attrInt(ctx.node, 'count_include_pad', 0);
    const sym = ctx.addStatic('pool', (s) => `static const hsq_pool_t ${s} = { ${[p.N, p.H, p.W, p.C, p.OH, p.OW, p.KH, p.KW, p.sh, p.sw, p.dh, p.dw, p.padT, p.padL, p.padB, p.padR, cip].join(', ')} };`);
    const ct = ctx.ctypeIn(0).name;
    const io = channelsLastIO(ctx, ct, ct);
    ctx.emit(`  hsq_${kind}pool_${sfx}(&${sym}, ${io.x}, ${io.y});`);
    io.finish();
  };
}

function emitGlobal(kind: 'max' | 'avg'): OpEmitter {
  return (ctx) => {
    const sfx = suffix(ctx, kind === 'max' ? ['float32', 'int8', 'uint8'] : ['float32']);
    const x = ctx.in(0);
    if (x.shape.length !== 3 && x.shape.length !== 4) ctx.fail(`rank ${x.shape.length} is not supported (3 or 4)`);
    const ct = ctx.ctypeIn(0).name;
    const io = channelsLastIO(ctx, ct, ct);
    ctx.emit(`  hsq_global_${kind}pool_${sfx}(${x.shape[0]}, ${numel(x.shape.slice(2))}, ${x.shape[1]}, ${io.x}, ${io.y});`);
    io.finish();
  };
}

export const emitMaxPool = emitPool('max');
export const emitAveragePool = emitPool('avg');
export const emitGlobalMaxPool = emitGlobal('max');
export const emitGlobalAveragePool = emitGlobal('avg');

// Pool attributes (kernel_shape, strides, pads, auto_pad, dilations, ceil_mode) resolved into
// 2-D window parameters (1-D pools as H = 1); shared by MaxPool and AveragePool.
import { fail } from '../../core/diagnostics';
import { Node } from '../../core/ir/graph';
import { readAutoPad, windowGeometry } from './conv-geometry';
import { AttrValues, attr, readAttrs } from './descriptor';

export interface Pool2DParams {
  readonly N: number; readonly C: number; readonly H: number; readonly W: number;
  readonly KH: number; readonly KW: number; readonly OH: number; readonly OW: number;
  readonly sh: number; readonly sw: number; readonly dh: number; readonly dw: number;
  readonly padT: number; readonly padL: number; readonly padB: number; readonly padR: number;
}

/** The window attributes MaxPool and AveragePool share. */
export const POOL_ATTRS = {
  auto_pad: attr.string('NOTSET'),
  ceil_mode: attr.int(0),
  dilations: attr.ints(),
  kernel_shape: attr.ints(),
  pads: attr.ints(),
  strides: attr.ints(),
};

export function poolSetup(node: Node, x: readonly number[], a: AttrValues<typeof POOL_ATTRS> = readAttrs(POOL_ATTRS, node)): { params: Pool2DParams; outShape: number[] } {
  const { kernel_shape, strides, pads, dilations, ceil_mode } = a;
  const auto_pad = readAutoPad(a.auto_pad, node.name);
  if (!kernel_shape) return fail('bad-shape', `node '${node.name}' (${node.op}): kernel_shape is required`, node.name);
  if (x.length !== kernel_shape.length + 2) fail('bad-shape', `node '${node.name}' (${node.op}): kernel_shape [${kernel_shape}] does not fit input [${x}]`, node.name);
  if (x.length < 3 || x.length > 4) fail('unsupported', `node '${node.name}' (${node.op}): ${x.length - 2}-D pooling is not supported (1-D and 2-D are)`, node.name);
  const geo = windowGeometry(node.name, x.slice(2), kernel_shape, strides, dilations, pads, auto_pad, ceil_mode !== 0);
  const two = x.length === 4;
  const st = strides ?? [1, 1], dl = dilations ?? [1, 1];
  const params: Pool2DParams = {
    N: x[0], C: x[1], H: two ? x[2] : 1, W: two ? x[3] : x[2],
    KH: two ? kernel_shape[0] : 1, KW: two ? kernel_shape[1] : kernel_shape[0],
    OH: two ? geo.out[0] : 1, OW: two ? geo.out[1] : geo.out[0],
    sh: two ? st[0] : 1, sw: two ? st[1] : st[0], dh: two ? dl[0] : 1, dw: two ? dl[1] : dl[0],
    padT: two ? geo.padBegin[0] : 0, padL: two ? geo.padBegin[1] : geo.padBegin[0],
    padB: two ? geo.padEnd[0] : 0, padR: two ? geo.padEnd[1] : geo.padEnd[0],
  };
  return { params, outShape: [x[0], x[1], ...geo.out] };
}

// Conv attributes (as the ONNX Conv schema names them) and their resolution into the 2-D
// kernel parameters; shared by Conv, ConvInteger, QLinearConv and hsq QConv.
import { fail } from '../../core/diagnostics';
import { Node } from '../../core/ir/graph';
import { AutoPad, readAutoPad, windowGeometry } from './conv-geometry';
import { Conv2DParams } from './conv-kernel';
import { AttrValues, attr, readAttrs } from './descriptor';

export interface ConvAttrs {
  readonly auto_pad: AutoPad;
  readonly dilations?: readonly number[];
  readonly group: number;
  readonly kernel_shape?: readonly number[];
  readonly pads?: readonly number[];
  readonly strides?: readonly number[];
}

/** The attribute schema of Conv and the quantized convs. */
export const CONV_ATTRS = {
  auto_pad: attr.string('NOTSET'),
  dilations: attr.ints(),
  group: attr.int(1),
  kernel_shape: attr.ints(),
  pads: attr.ints(),
  strides: attr.ints(),
};

/** Resolved attributes with auto_pad checked. */
export function convAttrs(node: Node, a: AttrValues<typeof CONV_ATTRS>): ConvAttrs {
  return {
    auto_pad: readAutoPad(a.auto_pad, node.name),
    dilations: a.dilations, group: a.group, kernel_shape: a.kernel_shape, pads: a.pads, strides: a.strides,
  };
}

export function readConvAttrs(node: Node): ConvAttrs {
  return convAttrs(node, readAttrs(CONV_ATTRS, node));
}

/** Output shape [N, M, ...spatial] of a convolution of x by w. */
export function convOutputShape(node: Node, x: readonly number[], w: readonly number[], a: ConvAttrs): number[] {
  const name = node.name;
  if (x.length < 3 || x.length !== w.length)
    fail('bad-shape', `node '${name}': input rank ${x.length} and weight rank ${w.length} do not make a convolution`, name);
  if (x.length > 4) fail('unsupported', `node '${name}': ${x.length - 2}-D ${node.op} is not supported (1-D and 2-D are)`, name);
  const kernel = a.kernel_shape ?? w.slice(2);
  if (a.kernel_shape && a.kernel_shape.some((k, i) => k !== w[i + 2]))
    fail('bad-shape', `node '${name}': kernel_shape [${a.kernel_shape}] differs from weight shape [${w}]`, name);
  if (x[1] >= 0 && x[1] !== w[1] * a.group)
    fail('bad-shape', `node '${name}': input has ${x[1]} channels, weights expect ${w[1]} x group ${a.group}`, name);
  if (w[0] % a.group !== 0) fail('bad-shape', `node '${name}': ${w[0]} output channels not divisible by group ${a.group}`, name);
  const geo = windowGeometry(name, x.slice(2), kernel, a.strides, a.dilations, a.pads, a.auto_pad);
  return [x[0], w[0], ...geo.out];
}

/** Kernel parameters of a 1-D or 2-D convolution (1-D as H = 1). */
export function conv2DParams(node: Node, x: readonly number[], w: readonly number[], a: ConvAttrs): { params: Conv2DParams; outShape: number[] } {
  const outShape = convOutputShape(node, x, w, a);
  const geo = windowGeometry(node.name, x.slice(2), w.slice(2), a.strides, a.dilations, a.pads, a.auto_pad);
  const two = x.length === 4;
  const st = a.strides ?? [1, 1], dl = a.dilations ?? [1, 1];
  const params: Conv2DParams = {
    N: x[0], C: x[1], H: two ? x[2] : 1, W: two ? x[3] : x[2],
    M: w[0], KH: two ? w[2] : 1, KW: two ? w[3] : w[2],
    OH: two ? geo.out[0] : 1, OW: two ? geo.out[1] : geo.out[0],
    group: a.group,
    sh: two ? st[0] : 1, sw: two ? st[1] : st[0],
    dh: two ? dl[0] : 1, dw: two ? dl[1] : dl[0],
    padT: two ? geo.padBegin[0] : 0, padL: two ? geo.padBegin[1] : geo.padBegin[0],
  };
  return { params, outShape };
}

// The elementwise, activation and tensor-manipulation operators, for the registry.
import { OpImpl } from '../lib/types';
import { Abs } from '../abs';
import { Add } from '../add';
import { Cast } from '../cast';
import { Clip } from '../clip';
import { Concat } from '../concat';
import { Constant } from '../constant';
import { ConstantOfShape } from '../constant-of-shape';
import { DepthToSpace } from '../depth-to-space';
import { Div } from '../div';
import { Dropout } from '../dropout';
import { Equal } from '../equal';
import { Erf } from '../erf';
import { Exp } from '../exp';
import { Expand } from '../expand';
import { Flatten } from '../flatten';
import { Gather } from '../gather';
import { Greater } from '../greater';
import { GreaterOrEqual } from '../greater-or-equal';
import { HardSigmoid } from '../hard-sigmoid';
import { HardSwish } from '../hard-swish';
import { Identity } from '../identity';
import { LeakyRelu } from '../leaky-relu';
import { Less } from '../less';
import { LessOrEqual } from '../less-or-equal';
import { Max } from '../max';
import { Min } from '../min';
import { Mul } from '../mul';
import { Neg } from '../neg';
import { Not } from '../not';
import { Pad } from '../pad';
import { Pow } from '../pow';
import { PRelu } from '../prelu';
import { Range } from '../range';
import { ReduceMax } from '../reduce-max';
import { ReduceMean } from '../reduce-mean';
import { ReduceMin } from '../reduce-min';
import { ReduceSum } from '../reduce-sum';
import { Relu } from '../relu';
import { Reshape } from '../reshape';
import { Resize } from '../resize';
import { Shape } from '../shape';
import { Sigmoid } from '../sigmoid';
import { Slice } from '../slice';
import { Softmax } from '../softmax';
import { SpaceToDepth } from '../space-to-depth';
import { Split } from '../split';
import { Sqrt } from '../sqrt';
import { Squeeze } from '../squeeze';
import { Sub } from '../sub';
import { Tanh } from '../tanh';
import { Transpose } from '../transpose';
import { Unsqueeze } from '../unsqueeze';
import { Upsample } from '../upsample';
import { Where } from '../where';

export const tensorOps: OpImpl[] = [
  // activations
  Relu, LeakyRelu, PRelu, Clip, Sigmoid, HardSigmoid, HardSwish, Tanh, Softmax, Erf,
  // elementwise math
  Add, Sub, Mul, Div, Pow, Max, Min, Exp, Sqrt, Neg, Abs,
  // logic
  Equal, Greater, Less, GreaterOrEqual, LessOrEqual, Not, Where,
  // reductions
  ReduceMean, ReduceMax, ReduceMin, ReduceSum,
  // data movement
  Concat, Split, Slice, Reshape, Flatten, Transpose, Squeeze, Unsqueeze, Expand, Gather,
  DepthToSpace, SpaceToDepth, Pad, Resize, Upsample, Identity, Dropout,
  // shapes and constants
  Shape, Cast, ConstantOfShape, Constant, Range,
];

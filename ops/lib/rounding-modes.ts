// Rounding modes of QONNX Quant / Trunc (Brevitas names). ROUND is numerics' round half even.
import { fail } from '../../core/diagnostics';
import { roundHalfEven } from '../../core/numerics';

export type RoundFn = (v: number) => number;

const ceil: RoundFn = (v) => Math.ceil(v);
const floor: RoundFn = (v) => Math.floor(v);
/** Away from zero. */
const up: RoundFn = (v) => (v < 0 ? Math.floor(v) : Math.ceil(v));
/** Toward zero. */
const down: RoundFn = (v) => Math.trunc(v);
// HALF_UP and HALF_DOWN add or subtract 0.5 in float32, as qonnx does (numpy on float32
// arrays: sign(x) * floor(|x| + 0.5)): in float64, HALF_UP(0.49999997) would be 0, not 1, and
// HALF_DOWN(8388609) 8388609, not 8388608.
const f = Math.fround;
/** Nearest, ties away from zero. */
const halfUp: RoundFn = (v) => (v < 0 ? -Math.floor(f(-v + 0.5)) : Math.floor(f(v + 0.5)));
/** Nearest, ties toward zero. */
const halfDown: RoundFn = (v) => (v < 0 ? -Math.ceil(f(-v - 0.5)) : Math.ceil(f(v - 0.5)));

export function resolveRoundingMode(mode: string, node: string): RoundFn {
  switch (mode.toUpperCase()) {
    case 'ROUND': case 'HALF_EVEN': return roundHalfEven;
    case 'CEIL': return ceil;
    case 'FLOOR': return floor;
    case 'UP': return up;
    case 'DOWN': return down;
    case 'HALF_UP': return halfUp;
    case 'HALF_DOWN': return halfDown;
  }
  return fail('unsupported', `node '${node}': rounding_mode '${mode}' is not supported (ROUND, CEIL, FLOOR, UP, DOWN, HALF_UP, HALF_DOWN)`, node);
}

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
/** Nearest, ties away from zero. */
const halfUp: RoundFn = (v) => (v < 0 ? -Math.floor(-v + 0.5) : Math.floor(v + 0.5));
/** Nearest, ties toward zero. */
const halfDown: RoundFn = (v) => (v < 0 ? -Math.ceil(-v - 0.5) : Math.ceil(v - 0.5));

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

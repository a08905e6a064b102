// The PTQ methods of a compile: CLI flags over the config file's `calibration` keys over the
// defaults (minmax activations; weights mse below 8 bits, minmax at 8; nearest rounding; bias
// correction of sub-8-bit layers on).
import { HsqConfig } from '../core/config';
import { QuantizeArgs } from './options';
import { ObserverMethod } from './observers';
import { WeightMethod } from './weights';
import { RoundingMethod } from './rounding';

/** Bias correction of sub-8-bit layers when nothing asks otherwise. */
export const DEFAULT_BIAS_CORRECTION = true;

export interface PtqSettings {
  readonly method: ObserverMethod;
  readonly percentile: number;
  /** undefined: each layer's default for its width. */
  readonly weightMethod?: WeightMethod;
  readonly rounding: RoundingMethod;
  readonly biasCorrection: boolean;
  readonly seed: number;
  readonly adaroundIters?: number;
}

export function ptqSettings(qa: Partial<QuantizeArgs>, config: HsqConfig = {}): PtqSettings {
  const c = config.calibration ?? {};
  return {
    method: qa.calibMethod ?? c.method ?? 'minmax',
    percentile: qa.percentile ?? c.percentile ?? 99.99,
    weightMethod: qa.weightMethod ?? c.weightMethod,
    rounding: qa.rounding ?? c.rounding ?? 'nearest',
    biasCorrection: qa.biasCorrection ?? c.biasCorrection ?? DEFAULT_BIAS_CORRECTION,
    seed: qa.calibSeed ?? c.seed ?? 0,
    adaroundIters: qa.adaroundIters ?? c.adaroundIters,
  };
}

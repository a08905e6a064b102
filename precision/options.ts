// The quantization and precision options of a compile, as values (the CLI's yargs definitions
// live in driver/commands/quantize-options.ts). Unset ones fall back to the config file's
// `calibration` keys, then to the defaults the precision stage documents.
import type { ObserverMethod } from './observers';
import type { WeightMethod } from './weights';
import type { RoundingMethod } from './rounding';

export interface QuantizeArgs {
  calib?: string;
  calibSeed: number;
  /** Which calibration samples to use (calib-select.ts): N, START:STOP[:STEP] or random:N. */
  calibSamples?: string;
  calibMethod?: ObserverMethod;
  percentile: number;
  weightMethod?: WeightMethod;
  rounding?: RoundingMethod;
  /** Bias correction after rounding of sub-8-bit layers (default on). */
  biasCorrection?: boolean;
  /** AdaRound optimisation steps per layer. */
  adaroundIters?: number;
  resize?: [number, number];
  mean?: number[];
  std?: number[];
  layout?: 'nchw' | 'nhwc';
  precision: string[];
  config?: string;
  autoPrecision: boolean;
  sensitivity: boolean;
  flashBudgetBytes?: number;
  emitOnnx?: string;
}

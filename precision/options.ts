// The quantization and precision options of a compile, as values (the CLI's yargs definitions
// live in driver/commands/quantize-options.ts).
export interface QuantizeArgs {
  calib?: string;
  calibSeed: number;
  calibMethod: 'minmax' | 'percentile';
  percentile: number;
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

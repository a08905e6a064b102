// The Cortex-M55 target description (data in target.json) with its types.
import description from './target.json';

export interface BlockShape {
  /** Output pixels computed per pass (share one weight load). */
  pixels: number;
  /** Output channels computed per pass (share one activation load). */
  channels: number;
}

export interface CortexM55Target {
  name: string;
  memory: { name: string; base: number; size: number; use: string }[];
  weightSection: string;
  counter: { instructionsPerTick: number };
  kernels: { slide: BlockShape; rows: BlockShape; fc: { w8: number; packed: number } };
}

export const CORTEX_M55: CortexM55Target = description;

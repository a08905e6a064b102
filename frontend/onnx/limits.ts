// Hard limits checked while reading untrusted models, so a corrupt file cannot ask for an
// unbounded allocation. Values are generous for MCU-class models.
export const LIMITS = {
  maxRank: 8,
  maxDim: 1 << 30,
  /** Elements in one tensor (1 Gi elements). */
  maxElements: 1 << 30,
  maxNodes: 1_000_000,
  /** Nesting of subgraph attributes (If/Loop bodies are not supported, but are read). */
  maxGraphDepth: 4,
} as const;

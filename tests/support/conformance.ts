// Shared by the conformance suites: the list of ONNX backend tests, expected failures, and the
// ONNX test runner's comparison (rtol 1e-3, atol 1e-7; integers exact).
import * as fs from 'fs';
import * as path from 'path';
import { Tensor } from '../../core/ir/tensor';
import { isFloat } from '../../core/ir/dtype';

import { sharedPath } from './shared';

/** The shared data folder (tests/support/shared.ts); read it only under describeShared/testShared. */
export const SHARED = sharedPath();
export const CONFORMANCE_DIR = path.join(SHARED, 'conformance/onnx-node');

export function conformanceTests(): string[] {
  return fs.readdirSync(CONFORMANCE_DIR).filter((d) => d.startsWith('test_')).sort();
}

/** Expected failures, per engine, with their reasons (tests/conformance-xfail.json). */
export function expectedFailures(engine: 'interpreter' | 'c'): Record<string, string> {
  const all = JSON.parse(fs.readFileSync(path.join(__dirname, '../conformance-xfail.json'), 'utf8'));
  return { ...all.all, ...(all[engine] ?? {}) };
}

export function compareOutput(actual: Tensor, expected: Tensor): string | null {
  if (actual.dtype !== expected.dtype) return `dtype ${actual.dtype}, expected ${expected.dtype}`;
  if (actual.shape.join(',') !== expected.shape.join(',')) return `shape [${actual.shape}], expected [${expected.shape}]`;
  const float = isFloat(expected.dtype);
  for (let i = 0; i < expected.data.length; i++) {
    const a = Number(actual.data[i]);
    const e = Number(expected.data[i]);
    if (float) {
      if (Number.isNaN(e) && Number.isNaN(a)) continue;
      if (!(Math.abs(a - e) <= 1e-7 + 1e-3 * Math.abs(e))) return `element ${i}: ${a}, expected ${e}`;
    } else if (actual.data[i] !== expected.data[i]) return `element ${i}: ${a}, expected ${e}`;
  }
  return null;
}

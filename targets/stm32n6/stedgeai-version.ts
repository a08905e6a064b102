// Which ST Edge AI Core release the stm32n6 output is for, as data (stedgeai-versions.json): what
// its NPU runs at which precision, which ONNX opset/IR its segment models may use, how 4-bit
// weights are handed over and which API it generates. `--stedgeai-version 2.2|3.0|4.0|auto`
// (config `stedgeaiVersion`); the default is fixed (4.0) so output never depends on the machine;
// `auto` asks the `stedgeai` on PATH (or STEDGEAI) for its version.
import { spawnSync } from 'child_process';
import { fail } from '../../core/diagnostics';
import data from './stedgeai-versions.json';

export type StedgeaiVersion = '2.2' | '3.0' | '4.0';
export const STEDGEAI_VERSIONS: readonly StedgeaiVersion[] = Object.keys(data.versions) as StedgeaiVersion[];
export const DEFAULT_STEDGEAI_VERSION = data.default as StedgeaiVersion;

export interface Int4WeightsForm {
  readonly form: 'onnx-int4-dequantizelinear';
  readonly text: string;
  /** ST documents this ONNX form (false: hsq's nearest choice, layers marked "not yet checked"). */
  readonly documented: boolean;
  readonly note: string;
  readonly source: string;
}

export interface StedgeaiRules {
  readonly version: StedgeaiVersion;
  readonly label: string;
  readonly npu: {
    /** Weight bit widths the NPU runs natively, by the op descriptors' neutral NPU kind. */
    readonly weightBits: Readonly<Record<string, readonly number[]>>;
    /** Layer ops (NpuOp) that take 4-bit weights where the kind allows it. */
    readonly int4Ops?: readonly string[];
    readonly activationBits: readonly number[];
    readonly source: string;
  };
  readonly onnx: { readonly maxOpset: number; readonly maxIrVersion: number; readonly source: string };
  readonly int4Weights: Int4WeightsForm | null;
  readonly api: { readonly default: 'll_aton' | 'stai'; readonly defaultCName: string; readonly legacyOption?: string; readonly source: string };
  readonly runtime: string;
}

export const STEDGEAI_SOURCES: Readonly<Record<string, string>> = data.sources;

/** The rules of one release. */
export function stedgeaiRules(v: StedgeaiVersion = DEFAULT_STEDGEAI_VERSION): StedgeaiRules {
  const r = (data.versions as Record<string, unknown>)[v];
  if (!r) throw new Error(`internal: no stedgeai rules for ${v}`);
  return { version: v, ...(r as Omit<StedgeaiRules, 'version'>) };
}

/** A release number (`2.1`, `3.0.1`, `4.0.1`) → the rule set that covers it, or undefined. */
export function ruleSetOf(release: string): StedgeaiVersion | undefined {
  const m = /^(\d+)\.(\d+)(?:\.\d+)*$/.exec(release.trim());
  if (!m) return undefined;
  return (data.aliases as Record<string, string>)[`${m[1]}.${m[2]}`] as StedgeaiVersion | undefined;
}

/** The version `stedgeai --version` prints ("ST Edge AI Core v4.0.1-..." or similar), or undefined. */
export function parseStedgeaiVersionOutput(text: string): string | undefined {
  const m = /(?:ST Edge AI Core|stedgeai)[^\d]*(\d+\.\d+(?:\.\d+)?)/i.exec(text) ?? /\bv?(\d+\.\d+\.\d+)\b/.exec(text);
  return m?.[1];
}

/**
 * `--stedgeai-version` / config `stedgeaiVersion` → the rule set. `where` names the option in
 * errors; `auto` runs `stedgeai --version` (STEDGEAI overrides the executable).
 */
export function resolveStedgeaiVersion(v: string | undefined, where = '--stedgeai-version', run = runStedgeaiVersion): StedgeaiVersion {
  if (v === undefined) return DEFAULT_STEDGEAI_VERSION;
  if (v === 'auto') {
    const out = run();
    if (out === undefined) fail('bad-input', `${where} auto: cannot run '${process.env.STEDGEAI ?? 'stedgeai'} --version' (put stedgeai on PATH, set STEDGEAI, or give ${STEDGEAI_VERSIONS.join('|')})`, where);
    const rel = parseStedgeaiVersionOutput(out);
    const set = rel ? ruleSetOf(rel) : undefined;
    if (!set) fail('bad-input', `${where} auto: stedgeai reports ${rel ? `version ${rel}` : `'${out.trim().split('\n')[0]}'`}, which hsq has no rules for (known: ${Object.keys(data.aliases).join(', ')})`, where);
    return set;
  }
  const set = ruleSetOf(v);
  if (!set) fail('bad-input', `${where} '${v}': must be one of ${STEDGEAI_VERSIONS.join(', ')} or auto (2.0/2.1 use 2.2's rules, 3.0.x 3.0's, 4.0.x 4.0's)`, where);
  return set;
}

function runStedgeaiVersion(): string | undefined {
  const r = spawnSync(process.env.STEDGEAI ?? 'stedgeai', ['--version'], { encoding: 'utf8', timeout: 30000 });
  if (r.error || r.status !== 0) return undefined;
  return `${r.stdout ?? ''}${r.stderr ?? ''}`;
}

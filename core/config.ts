// hsq.config.json: validated with a JSON Schema (ajv); every error names the key path.
import * as fs from 'fs';
import Ajv, { ErrorObject } from 'ajv';
import { fail } from './diagnostics';

export interface HsqConfig {
  target?: 'host' | 'cortex-m55' | 'stm32n6';
  name?: string;
  inputShapes?: Record<string, number[]>;
  /** graph input → compile-time value: a number, a list, or a .npy path relative to the config file */
  bind?: Record<string, string | number | number[]>;
  /** node name or glob → wXaY */
  precision?: Record<string, string>;
  /** node name or glob → forced device */
  placement?: Record<string, 'npu' | 'cpu'>;
  /** node names or globs whose sub-8-bit weights may be widened losslessly to int8 for the NPU */
  widen?: string[];
  flashBudget?: string | number;
  latencyBudget?: string | number;
  autoPrecision?: boolean;
  calibration?: {
    data?: string; seed?: number; method?: 'minmax' | 'percentile' | 'mse' | 'entropy'; percentile?: number;
    /** Which samples: N, START:STOP[:STEP] or random:N (precision/calib-select.ts). */
    samples?: string;
    weightMethod?: 'minmax' | 'mse'; rounding?: 'nearest' | 'adaround' | 'gptq'; biasCorrection?: boolean; adaroundIters?: number;
    resize?: [number, number]; mean?: number[]; std?: number[]; layout?: 'nchw' | 'nhwc';
  };
  weightsFormat?: 'c' | 'incbin';
  costModel?: Record<string, number>;
  /** stm32n6: the ST Edge AI Core rule set (2.2, 3.0, 4.0 or auto; 2.0/2.1 → 2.2, 3.0.x → 3.0, 4.0.x → 4.0). */
  stedgeaiVersion?: string;
  /** stm32n6: which RAM regions hsq's CPU plan and the NPU use (targets/stm32n6/memory-config.ts). */
  memory?: Record<string, unknown>;
}

const PRECISION = '^w[1-48]a[2-48]$|^w3a[2-48]$';

export const CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    target: { enum: ['host', 'cortex-m55', 'stm32n6'] },
    name: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
    inputShapes: { type: 'object', additionalProperties: { type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 1 } },
    bind: { type: 'object', additionalProperties: { anyOf: [{ type: 'number' }, { type: 'string', minLength: 1 }, { type: 'array', items: { type: 'number' }, minItems: 1 }] } },
    precision: { type: 'object', additionalProperties: { type: 'string', pattern: PRECISION } },
    placement: { type: 'object', additionalProperties: { enum: ['npu', 'cpu'] } },
    widen: { type: 'array', items: { type: 'string', minLength: 1 } },
    flashBudget: { anyOf: [{ type: 'number', minimum: 0 }, { type: 'string', pattern: '^[0-9.]+\\s*(B|KiB|MiB|GiB|KB|MB|GB)?$' }] },
    latencyBudget: { anyOf: [{ type: 'number', minimum: 0 }, { type: 'string', pattern: '^[0-9.]+\\s*(ms|s|us)?$' }] },
    autoPrecision: { type: 'boolean' },
    calibration: {
      type: 'object', additionalProperties: false,
      properties: {
        data: { type: 'string' }, seed: { type: 'integer' }, method: { enum: ['minmax', 'percentile', 'mse', 'entropy'] },
        samples: { type: 'string', pattern: '^\\s*(random:\\d+|\\d+|-?\\d*:-?\\d*(:\\d*)?)\\s*$' },
        weightMethod: { enum: ['minmax', 'mse'] }, rounding: { enum: ['nearest', 'adaround', 'gptq'] },
        biasCorrection: { type: 'boolean' }, adaroundIters: { type: 'integer', minimum: 1 },
        percentile: { type: 'number', exclusiveMinimum: 50, maximum: 100 },
        resize: { type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 2, maxItems: 2 },
        mean: { type: 'array', items: { type: 'number' } }, std: { type: 'array', items: { type: 'number', exclusiveMinimum: 0 } },
        layout: { enum: ['nchw', 'nhwc'] },
      },
    },
    weightsFormat: { enum: ['c', 'incbin'] },
    costModel: { type: 'object', additionalProperties: { type: 'number' } },
    stedgeaiVersion: { type: 'string', pattern: '^(auto|[234]\\.[0-9]+(\\.[0-9]+)?)$' },
    memory: { type: 'object' },
  },
} as const;

const ajv = new Ajv({ allErrors: true, strict: true });
const validate = ajv.compile(CONFIG_SCHEMA);

function keyPath(e: ErrorObject): string {
  const parts = e.instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (e.keyword === 'additionalProperties') parts.push((e.params as { additionalProperty: string }).additionalProperty);
  return parts.length ? parts.map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`)).join('').replace(/^\./, '') : '(root)';
}

function describe(e: ErrorObject): string {
  if (e.keyword === 'additionalProperties') return 'unknown key';
  if (e.keyword === 'pattern' && e.instancePath.startsWith('/precision')) return 'must be a precision like w4a8 (weights 8/4/3/2/1 bits, activations 8/4/3/2)';
  if (e.keyword === 'pattern' && e.instancePath === '/calibration/samples') return 'must be N, START:STOP[:STEP] or random:N';
  if (e.keyword === 'pattern' && e.instancePath === '/stedgeaiVersion') return 'must be 2.2, 3.0, 4.0 (or a release like 2.1, 3.0.1, 4.0.1) or auto';
  if (e.keyword === 'enum') return `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  return e.message ?? 'invalid';
}

/** Parse and validate a config document; `file` names it in errors. */
export function parseConfig(text: string, file: string): HsqConfig {
  let v: unknown;
  try { v = JSON.parse(text); } catch (e) {
    fail('bad-input', `${file}: not valid JSON (${(e as Error).message})`, file);
  }
  if (!validate(v)) {
    // One clear error: the first, most specific one (anyOf wrappers come after their branches).
    const errs = (validate.errors ?? []).filter((e) => e.keyword !== 'anyOf');
    const e = errs[0] ?? validate.errors![0];
    const key = keyPath(e);
    fail('bad-input', `${file}: ${key}: ${describe(e)}`, key);
  }
  return v as HsqConfig;
}

export function loadConfig(file: string): HsqConfig {
  let text: string;
  try { text = fs.readFileSync(file, 'utf8'); } catch { fail('bad-input', `cannot read config file '${file}'`, file); }
  return parseConfig(text, file);
}

/** "6MiB", "512 KiB", 1234 → bytes. */
export function parseBytes(v: string | number, where: string): number {
  if (typeof v === 'number') return v;
  const m = /^([0-9.]+)\s*(B|KiB|MiB|GiB|KB|MB|GB)?$/.exec(v.trim());
  if (!m) fail('bad-input', `${where}: '${v}' is not a size like 6MiB`, where);
  const unit: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, KB: 1e3, MB: 1e6, GB: 1e9 };
  return Math.round(Number(m[1]) * unit[m[2] ?? 'B']);
}

/** "30ms", "0.5s", 12 (ms) → milliseconds. */
export function parseMs(v: string | number, where: string): number {
  if (typeof v === 'number') return v;
  const m = /^([0-9.]+)\s*(ms|s|us)?$/.exec(v.trim());
  if (!m) fail('bad-input', `${where}: '${v}' is not a duration like 30ms`, where);
  return Number(m[1]) * ({ ms: 1, s: 1000, us: 0.001 } as Record<string, number>)[m[2] ?? 'ms'];
}

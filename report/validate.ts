// report.json against its JSON Schema (report.schema.json), with ajv: the tests check every
// target's report with it, and tools can too.
import Ajv, { ErrorObject } from 'ajv';
import schema from './report.schema.json';

export const REPORT_JSON_SCHEMA = schema;

const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);

/** The schema errors of a parsed report.json ("/layers/3/device: must be equal to one of the allowed values"); empty when valid. */
export function validateReport(report: unknown): string[] {
  if (validate(report)) return [];
  return (validate.errors ?? []).map((e: ErrorObject) => `${e.instancePath || '(root)'}: ${e.message ?? e.keyword}${e.keyword === 'additionalProperties' ? ` (${(e.params as { additionalProperty: string }).additionalProperty})` : ''}`);
}

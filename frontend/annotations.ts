// hsq annotations: model-level `hsq.annotations` (JSON: node name or glob → annotation, what
// hsq writes) and node-level metadata_props `hsq.placement` / `hsq.precision` / `hsq.widen`.
import { Annotation } from '../core/ir/graph';
import { fail } from '../core/diagnostics';

export const ANNOTATIONS_KEY = 'hsq.annotations';
const PLACEMENTS = ['npu', 'cpu'];
const PRECISION = /^w[1-8]a([1-8]|16|32)$|^float$/;

export function checkAnnotation(where: string, v: unknown): Annotation {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail('bad-input', `${where}: expected an object`, where);
  const out: { placement?: 'npu' | 'cpu'; precision?: string; widen?: boolean } = {};
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    const key = `${where}.${k}`;
    if (k === 'placement') {
      if (typeof val !== 'string' || !PLACEMENTS.includes(val)) fail('bad-input', `${key}: must be "npu" or "cpu", got ${JSON.stringify(val)}`, key);
      out.placement = val as 'npu' | 'cpu';
    } else if (k === 'precision') {
      if (typeof val !== 'string' || !PRECISION.test(val)) fail('bad-input', `${key}: must look like "w4a8", got ${JSON.stringify(val)}`, key);
      out.precision = val;
    } else if (k === 'widen') {
      if (typeof val !== 'boolean') fail('bad-input', `${key}: must be true or false`, key);
      out.widen = val;
    } else {
      fail('bad-input', `${key}: unknown annotation (expected placement, precision or widen)`, key);
    }
  }
  return out;
}

export function parseAnnotations(json: string): Record<string, Annotation> {
  let v: unknown;
  try { v = JSON.parse(json); } catch (e) {
    fail('bad-input', `metadata ${ANNOTATIONS_KEY}: not valid JSON (${(e as Error).message})`, ANNOTATIONS_KEY);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail('bad-input', `metadata ${ANNOTATIONS_KEY}: expected a JSON object`, ANNOTATIONS_KEY);
  const out: Record<string, Annotation> = {};
  for (const [k, a] of Object.entries(v as Record<string, unknown>)) out[k] = checkAnnotation(`${ANNOTATIONS_KEY}["${k}"]`, a);
  return out;
}

/** Node-level metadata_props written by other tools, as an annotation. */
export function annotationFromNodeMetadata(nodeName: string, meta: Record<string, string>): Annotation | undefined {
  const raw: Record<string, unknown> = {};
  if ('hsq.placement' in meta) raw.placement = meta['hsq.placement'];
  if ('hsq.precision' in meta) raw.precision = meta['hsq.precision'];
  if ('hsq.widen' in meta) raw.widen = meta['hsq.widen'] === 'true' ? true : meta['hsq.widen'] === 'false' ? false : meta['hsq.widen'];
  if (Object.keys(raw).length === 0) return undefined;
  return checkAnnotation(`node '${nodeName}' metadata_props hsq`, raw);
}

// Rewrites a model's top-level metadata_props (ModelProto field 14) while keeping every other
// byte as it was: fields hsq's static schema does not know (NodeProto.metadata_props, newer
// additions) survive. Uses protobufjs's wire Reader/Writer, not hand-made parsing.
import * as protobuf from 'protobufjs';
import { fail } from '../../core/diagnostics';

const METADATA_FIELD = 14;
const Entry = protobuf.Root.fromJSON({
  nested: { E: { fields: { key: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } } },
}).lookupType('E');

/** Replace (or remove, with value undefined) metadata entries by key. */
export function setModelMetadata(model: Uint8Array, entries: Record<string, string | undefined>): Uint8Array {
  const keep: Uint8Array[] = [];
  const r = protobuf.Reader.create(model);
  try {
    while (r.pos < r.len) {
      const start = r.pos;
      const tag = r.uint32();
      const field = tag >>> 3;
      if (field === METADATA_FIELD && (tag & 7) === 2) {
        const bytes = r.bytes();
        const e = Entry.decode(bytes) as unknown as { key?: string };
        if (e.key !== undefined && e.key in entries) continue;
      } else {
        r.skipType(tag & 7);
      }
      keep.push(model.subarray(start, r.pos));
    }
  } catch (e) {
    fail('corrupt-model', `not a valid ONNX model (${(e as Error).message})`);
  }
  for (const [key, value] of Object.entries(entries).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (value === undefined) continue;
    const w = protobuf.Writer.create();
    w.uint32((METADATA_FIELD << 3) | 2).bytes(Entry.encode({ key, value }).finish());
    keep.push(w.finish());
  }
  return Buffer.concat(keep.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength)));
}

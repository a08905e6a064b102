// NodeProto.metadata_props (field 9, ONNX 1.16+) is missing from onnx-proto's static 1.10
// code, which drops unknown fields. A reflection type that covers only the path to it reads it
// without hand-parsing bytes. hsq reads these annotations but does not write them on export.
import * as protobuf from 'protobufjs';

const root = protobuf.Root.fromJSON({
  nested: {
    hsqmeta: {
      nested: {
        StringStringEntryProto: { fields: { key: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
        NodeProto: {
          fields: {
            name: { type: 'string', id: 3 },
            metadata_props: { rule: 'repeated', type: 'StringStringEntryProto', id: 9 },
          },
        },
        GraphProto: { fields: { node: { rule: 'repeated', type: 'NodeProto', id: 1 } } },
        ModelProto: { fields: { graph: { type: 'GraphProto', id: 7 } } },
      },
    },
  },
});
const ModelMeta = root.lookupType('hsqmeta.ModelProto');

interface MetaNode { name?: string; metadata_props?: { key?: string; value?: string }[] }

/** metadata_props per node index of the main graph (only nodes that have any). */
export function readNodeMetadata(bytes: Uint8Array): Map<number, Record<string, string>> {
  const out = new Map<number, Record<string, string>>();
  const m = ModelMeta.decode(bytes) as unknown as { graph?: { node?: MetaNode[] } };
  (m.graph?.node ?? []).forEach((n, i) => {
    if (n.metadata_props && n.metadata_props.length > 0) {
      const kv: Record<string, string> = {};
      for (const e of n.metadata_props) kv[e.key ?? ''] = e.value ?? '';
      out.set(i, kv);
    }
  });
  return out;
}

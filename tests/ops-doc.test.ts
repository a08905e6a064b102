// docs/ops.md is generated from the op descriptors (tests/support/ops-doc.ts); this fails when it
// is stale. `npm run docs:ops` (HSQ_WRITE_DOCS=1) rewrites it.
import * as fs from 'fs';
import { OPS_DOC, opsDoc } from './support/ops-doc';

test('docs/ops.md is up to date with the op descriptors', () => {
  const want = opsDoc();
  if (process.env.HSQ_WRITE_DOCS === '1') fs.writeFileSync(OPS_DOC, want);
  expect(fs.existsSync(OPS_DOC) ? fs.readFileSync(OPS_DOC, 'utf8') : '(missing)').toBe(want);
  expect(want).toMatch(/\| ConvTranspose \| float32 \| yes \|/);
});

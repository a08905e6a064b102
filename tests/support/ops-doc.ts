// docs/ops.md from the op descriptors: op × target × dtype, and the tests that cover each row.
// Regenerate with `npm run docs:ops`; tests/ops-doc.test.ts fails when the file is stale.
import * as fs from 'fs';
import * as path from 'path';
import { allOps } from '../../ops/engine/registry';
import { OpDescriptor } from '../../ops/lib/descriptor';
import { findEmitter } from '../../targets/c/ops/index';
import { NPU_SUPPORTED_OPS } from '../../targets/stm32n6/npu-constraints';
import { OP_CASES } from './op-cases';

const TESTS_DIR = path.join(__dirname, '..');

/** How the quantized form computes, per quant trait (what a C target runs). */
const QUANT_FORM: Record<string, string> = {
  accumulating: 'int32 accumulate + requantize',
  'lookup-table': '256-entry table',
  'dequantize-compute-quantize': 'DQ → float → Q',
  'pass-through': 'on the integers',
  'data-movement': 'on the integers',
  none: '—',
};

function opName(d: OpDescriptor): string {
  const dom = d.domains[0];
  return dom ? `${dom.startsWith('qonnx') ? 'qonnx' : dom}:${d.op}` : d.op;
}

/** Test files whose source names the op as a string literal (sorted, deterministic). */
function testsNaming(op: string, files: { name: string; src: string }[]): string[] {
  const re = new RegExp(`['"\`]${op}['"\`]`);
  return files.filter((f) => re.test(f.src)).map((f) => f.name);
}

export function opsDoc(): string {
  const files = fs.readdirSync(TESTS_DIR).filter((f) => f.endsWith('.test.ts')).sort()
    .map((name) => ({ name, src: fs.readFileSync(path.join(TESTS_DIR, name), 'utf8') }));
  const caseCount = new Map<string, number>();
  for (const c of OP_CASES) caseCount.set(c.op, (caseCount.get(c.op) ?? 0) + 1);
  const npu = NPU_SUPPORTED_OPS as Record<string, unknown>;
  const lines = [
    '# Operators',
    '',
    '<!-- Generated from the op descriptors by tests/support/ops-doc.ts (`npm run docs:ops`); do not edit. -->',
    '',
    'Every op the interpreter runs, per target and form. **float**: the op on float32 tensors;',
    '**quantized**: how a quantized model computes it (the descriptor\'s `quant` trait). host and',
    'cortex-m55 run the same portable C (cortex-m55: its scalar path; its Helium kernels take over',
    'quantized Conv/Gemm/MatMul, tables and elementwise layers), bit-exact with the interpreter;',
    'stm32n6 runs the op on the Neural-ART NPU when its op table lists it and the layer passes its',
    'checks, else on the Cortex-M55 as there. "compile-time" ops are folded before emission (their',
    'inputs must be constants). Tests: `op-cases` is the self-generated conformance suite',
    '(`tests/op-cases.test.ts`, cases in `tests/support/op-cases/`, expected outputs from ONNX',
    'Runtime); the other names are test files that build a model with the op. The ONNX backend',
    'tests in ../shared (`tests/conformance-interpreter`, `tests/host-c-conformance`,',
    '`tests/m55-conformance`) cover the ops they contain when ../shared is present.',
    '',
    '| op | interpreter dtypes | host float | host quantized | cortex-m55 | stm32n6 | tests |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  const rows = [...allOps()].sort((a, b) => opName(a).localeCompare(opName(b)));
  for (const d of rows) {
    const probe = { op: d.op, domain: d.domains[0], name: '', inputs: [], outputs: [], attrs: {} };
    const hasC = !!findEmitter(probe);
    const folded = ['Constant', 'ConstantOfShape', 'Shape', 'Range'].includes(d.op);
    const lowered = d.domains[0] !== '' && d.domains[0] !== 'hsq';
    const c = hasC ? 'yes' : folded ? 'compile-time' : lowered ? 'lowered to Q/DQ' : 'no';
    const q = hasC || lowered ? QUANT_FORM[d.traits.quant] : '—';
    const m55 = c === 'yes' ? 'as host (scalar C)' : c;
    const n6 = npu[d.op] ? 'NPU (int8) or CPU' : c === 'yes' ? 'CPU (as cortex-m55)' : c;
    const cases = caseCount.get(d.op);
    const tests = [...(cases ? [`op-cases (${cases})`] : []), ...testsNaming(d.op, files).filter((f) => f !== 'op-cases.test.ts').map((f) => f.replace(/\.test\.ts$/, ''))];
    const types = d.types ? d.types.join(', ') : 'any (checked by the op)';
    lines.push(`| ${opName(d)} | ${types} | ${c} | ${q} | ${m55} | ${n6} | ${tests.join(', ') || '—'} |`);
  }
  lines.push('');
  return lines.join('\n');
}

export const OPS_DOC = path.join(__dirname, '../../docs/ops.md');

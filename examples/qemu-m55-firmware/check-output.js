#!/usr/bin/env node
// Compares what the firmware printed in QEMU with `hsq run` on the host: the same model, the
// same input (main.c's pattern), every output value bit for bit and the checksum.
//
//   node check-output.js MODEL.onnx QEMU_OUTPUT.txt [--engine interpreter|c]
//
// hsq from HSQ_ROOT (default: the package this example ships in). Exit 0 when all match,
// 1 on a mismatch, 2 on bad input (hsq's exit codes).
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');

const hsqRoot = process.env.HSQ_ROOT || path.resolve(__dirname, '../..');
const hsq = require(path.join(hsqRoot, 'dist/driver/index.js'));
const { encodeNpy } = require(path.join(hsqRoot, 'dist/frontend/npy.js'));

function die(code, msg) {
  console.error(`check-output: ${msg}`);
  process.exit(code);
}

function fnv1a32(f32) {
  let h = 2166136261;
  for (const b of new Uint8Array(f32.buffer, f32.byteOffset, f32.byteLength)) h = Math.imul(h ^ b, 16777619) >>> 0;
  return `0x${h.toString(16).padStart(8, '0')}`;
}

async function main() {
  const args = process.argv.slice(2);
  const ei = args.indexOf('--engine');
  const engine = ei >= 0 ? args.splice(ei, 2)[1] : 'interpreter';
  if (args.length !== 2 || !['interpreter', 'c'].includes(engine)) die(2, 'usage: node check-output.js MODEL.onnx QEMU_OUTPUT.txt [--engine interpreter|c]');
  const [model, log] = args;
  if (!fs.existsSync(model)) die(2, `${model}: no such model`);
  if (!fs.existsSync(log)) die(2, `${log}: no such file`);
  const text = fs.readFileSync(log, 'utf8');
  const head = /^hsq qemu-m55-firmware: input '([^']+)' \[([\d,]+)\]/m.exec(text);
  if (!head) die(2, `${log}: no "hsq qemu-m55-firmware: input ..." line (not this firmware's output?)`);
  const shape = head[2].split(',').map(Number);
  const got = [...text.matchAll(/^out\[(\d+)\] = (\S+)$/gm)].map((m) => Math.fround(Number(m[2])));
  const sum = /^checksum fnv1a32 = (0x[0-9a-f]{8})$/m.exec(text);
  if (!sum) die(2, `${log}: no checksum line (did the firmware finish?)`);

  // main.c's input: x[i] = ((i * 37 + 11) mod 256) / 256.
  const n = shape.reduce((a, b) => a * b, 1);
  const x = Float32Array.from({ length: n }, (_, i) => ((i * 37 + 11) % 256) / 256);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsq-check-'));
  try {
    const file = path.join(dir, 'x.npy');
    fs.writeFileSync(file, encodeNpy({ dtype: 'float32', shape, data: x }));
    const r = await hsq.run({ model, engine, target: 'host', inputFiles: [`${head[1]}=${file}`] });
    const t = r.values[r.names[0]];
    const want = Float32Array.from(t.data);
    const bad = [];
    if (got.length !== want.length) die(1, `the firmware printed ${got.length} values, hsq run gives ${want.length}`);
    want.forEach((w, i) => { if (!Object.is(w, got[i])) bad.push(i); });
    if (bad.length) die(1, `${bad.length} of ${want.length} values differ, first out[${bad[0]}]: firmware ${got[bad[0]]}, hsq run ${want[bad[0]]}`);
    if (fnv1a32(want) !== sum[1]) die(1, `checksum ${sum[1]} printed, ${fnv1a32(want)} from hsq run`);
    console.log(`OK: ${want.length} values of '${r.names[0]}' [${t.shape}] and checksum ${sum[1]} match hsq run --engine ${engine}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => die(e && typeof e.exitCode === 'number' ? e.exitCode : 3, e && e.message ? e.message : String(e)));

// npm run bench:kernels: instructions per MAC of the generated Cortex-M55 conv/FC kernels,
// counted in QEMU mps3-an547 with -icount shift=0 (SysTick, 31.25 instructions a tick).
// Every run checks each kernel's output against the TypeScript reference, bit for bit, so
// the numbers cannot come from wrong code. Writes bench/results/kernels.json.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { armToolchainStatus } from '../toolchain/qemu';
import { generateConv, fcAsConv } from '../targets/cortex-m55/kernels/conv';
import { referenceConv } from '../targets/cortex-m55/kernels/reference';
import { runKernelsOnM55 } from '../targets/cortex-m55/harness';
import type { ConvLayerDesc } from '../targets/cortex-m55/kernels/types';
import { xorshiftInts } from '../examples/lib/prng';

interface LayerSpec {
  layer: string;
  H: number;
  W: number;
  C: number;
  M: number;
  k: number;
  pad: number;
  fc?: boolean;
}

const LAYERS: LayerSpec[] = [
  { layer: 'conv3x3_28x28_64_64', H: 28, W: 28, C: 64, M: 64, k: 3, pad: 1 },
  { layer: 'conv1x1_14x14_256_256', H: 14, W: 14, C: 256, M: 256, k: 1, pad: 0 },
  { layer: 'conv3x3_13x13_256_512', H: 13, W: 13, C: 256, M: 512, k: 3, pad: 1 },
  { layer: 'conv3x3_56x56_16_32', H: 56, W: 56, C: 16, M: 32, k: 3, pad: 1 },
  { layer: 'fc_1024_1000', H: 1, W: 1, C: 1024, M: 1000, k: 1, pad: 0, fc: true },
];

/** CMSIS-NN MVE, -Ofast, same counting method (the Cortex-M55 kernels issue). */
const CMSIS_NN: Record<string, { s8: number; s4: number }> = {
  conv3x3_28x28_64_64: { s8: 0.205, s4: 0.334 },
  conv1x1_14x14_256_256: { s8: 0.226, s4: 0.357 },
  conv3x3_13x13_256_512: { s8: 0.179, s4: 0.299 },
  conv3x3_56x56_16_32: { s8: 0.328, s4: 0.488 },
  fc_1024_1000: { s8: 0.481, s4: 0.386 },
};

export function benchLayer(spec: LayerSpec, bits: 8 | 4, seed: number): { desc: ConvLayerDesc; x: Int8Array } {
  const r = xorshiftInts(seed);
  const { H, W, C, M, k, pad } = spec;
  const [wlo, whi] = bits === 8 ? [-127, 127] : [-8, 7];
  const K = C * k * k;
  const weights = Int8Array.from({ length: M * K }, () => r(wlo, whi));
  const bias = Int32Array.from({ length: M }, () => r(-20000, 20000));
  // Keep most outputs off the clamp so the comparison sees the rounding.
  const typ = Math.sqrt(K) * 74 * (bits === 8 ? 73 : 4.6);
  const multiplier = Float32Array.from({ length: M }, () => Math.fround((40 / typ) * (0.5 + r(0, 1000) / 1000)));
  const name = `${spec.layer}_w${bits}`;
  const common = {
    name, comment: `bench ${spec.layer} w${bits}a8`, weightBits: bits, weightZeroPoint: 0, bias, inputZeroPoint: r(-10, 10),
    multiplier: Array.from(multiplier), outputZeroPoint: r(-5, 5), qmin: -128, qmax: 127, outputType: 'int8' as const,
  };
  const desc: ConvLayerDesc = spec.fc
    ? fcAsConv({ ...common, inFeatures: C, outFeatures: M, weights: transposeToKN(weights, M, C) })
    : { ...common, inH: H, inW: W, inC: C, outC: M, kH: k, kW: k, strideH: 1, strideW: 1, pads: [pad, pad, pad, pad], weights };
  const x = Int8Array.from({ length: H * W * C }, () => r(-128, 127));
  return { desc, x };
}

function transposeToKN(w: Int8Array, N: number, K: number): Int8Array {
  const t = new Int8Array(K * N);
  for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) t[k * N + n] = w[n * K + k];
  return t;
}

export interface KernelBenchRow {
  layer: string;
  precision: 'w8a8' | 'w4a8';
  path: 'mve' | 'scalar';
  macs: number;
  instructions: number;
  instrPerMac: number;
  cmsisNnInstrPerMac: number;
  storageBits: number;
  weightBytes: number;
}

function main(): void {
  const st = armToolchainStatus();
  if (!st.ok) {
    console.error(`bench:kernels: ${st.reason}`);
    process.exit(2);
  }
  const onlyMve = process.argv.includes('--mve-only');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hsq-bench-kernels-'));
  const layers = LAYERS.flatMap((spec, li) => ([8, 4] as const).map((bits) => ({ spec, bits, ...benchLayer(spec, bits, 1000 + li * 10 + bits) })));
  const kernels = layers.map((l) => generateConv(l.desc));
  const refs = layers.map((l) => new Uint8Array(referenceConv(l.desc, l.x).buffer));
  const rows: KernelBenchRow[] = [];
  for (const p of onlyMve ? (['mve'] as const) : (['mve', 'scalar'] as const)) {
    const t0 = Date.now();
    const res = runKernelsOnM55(
      kernels.map((kernel, i) => ({ kernel, input: layers[i].x })),
      { dir: path.join(work, p), scalar: p === 'scalar', timeoutMs: 900000 },
    );
    layers.forEach((l, i) => {
      const out = res.outputs[i];
      let bad = 0;
      for (let j = 0; j < refs[i].length; j++) if (out[j] !== refs[i][j]) bad++;
      if (bad || out.length !== refs[i].length) throw new Error(`${l.spec.layer} w${l.bits} ${p}: ${bad} of ${refs[i].length} outputs differ from the reference`);
      const k = kernels[i];
      rows.push({
        layer: l.spec.layer, precision: l.bits === 8 ? 'w8a8' : 'w4a8', path: p, macs: k.macs, instructions: res.instructions[i],
        instrPerMac: Number((res.instructions[i] / k.macs).toFixed(4)),
        cmsisNnInstrPerMac: CMSIS_NN[l.spec.layer][l.bits === 8 ? 's8' : 's4'],
        storageBits: k.storageBits, weightBytes: k.arrays.find((a) => a.kind === 'weights')!.bytes.length,
      });
    });
    console.log(`${p}: built and ran ${kernels.length} kernels in ${((Date.now() - t0) / 1000).toFixed(1)} s, all bit-exact`);
  }
  const table = rows.map((r) => `${r.layer.padEnd(24)} ${r.precision} ${r.path.padEnd(6)} ${r.instrPerMac.toFixed(3).padStart(7)} instr/MAC  (CMSIS-NN ${r.cmsisNnInstrPerMac})`);
  console.log(table.join('\n'));
  const outFile = path.join(__dirname, '..', '..', 'bench', 'results', 'kernels.json');
  const resolved = fs.existsSync(path.dirname(outFile)) ? outFile : path.join(process.cwd(), 'bench', 'results', 'kernels.json');
  fs.mkdirSync(path.dirname(resolved), { recursive: true });
  fs.writeFileSync(resolved, JSON.stringify({ method: 'qemu-system-arm -M mps3-an547 -icount shift=0, SysTick ticks x 31.25, one call per kernel, -O2', layers: rows }, null, 2) + '\n');
  console.log(`wrote ${resolved}`);
  fs.rmSync(work, { recursive: true, force: true });
}

if (require.main === module) main();

// Benchmark driver: `npm run bench [-- SECTION... --runs N]`. Each section measures a set of
// figures and writes bench/results/<section>.json. The built-in section is `core`; more are
// modules in bench/sections/*.ts exporting `section: BenchSection`, found at run time.
//
// A figure is either a measurement {value, unit} or a status explaining why there is none:
// a part of hsq that is not built yet is recorded as "not-built", never silently skipped.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { buildTinyYoloV2Fp32, inputShape, INPUT_NAME, OUTPUT_NAME } from '../examples/tiny-yolov2/build';
import { modelStats } from '../examples/lib/model-stats';
import { randomInput } from '../examples/lib/random-input';
import { maxAbsDiff, openOrt, sqnrDb } from '../verify/ort';
import { Tensor } from '../core/ir/tensor';

export type Figure =
  | { readonly value: number; readonly unit: string; readonly note?: string }
  | { readonly status: 'not-built' | 'error'; readonly reason: string };

export interface SectionResult {
  readonly figures: Record<string, Figure>;
  /** Free-form context: model names, sizes, run counts. */
  readonly info?: Record<string, unknown>;
}

export interface BenchContext {
  readonly repoRoot: string;
  /** dist/ root the compiled modules live in (for optional-module lookups). */
  readonly distRoot: string;
  readonly runs: number;
  log(msg: string): void;
  /** Loads a compiled hsq module by repo path without extension ('frontend/onnx/import'). */
  optionalModule<T = Record<string, unknown>>(rel: string): { ok: true; mod: T } | { ok: false; figure: Figure };
}

export interface BenchSection {
  readonly name: string;
  readonly description: string;
  run(ctx: BenchContext): Promise<SectionResult>;
}

const ms = (value: number, note?: string): Figure => ({ value: round3(value), unit: 'ms', ...(note ? { note } : {}) });
const mb = (bytes: number): Figure => ({ value: round3(bytes / 2 ** 20), unit: 'MiB' });
const round3 = (v: number) => Math.round(v * 1000) / 1000;

/** Peak resident set size so far (Node reports maxRSS in KiB). */
function peakRss(): Figure {
  return mb(process.resourceUsage().maxRSS * 1024);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function timeIt<T>(f: () => T | Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await f();
  return [r, performance.now() - t0];
}

function errorFigure(e: unknown): Figure {
  return { status: 'error', reason: e instanceof Error ? e.message.split('\n')[0] : String(e) };
}

// ---- core: Tiny YOLOv2 FP32 416 — build, ONNX Runtime, hsq import and interpreter ----

export const coreSection: BenchSection = {
  name: 'core',
  description: 'Tiny YOLOv2 (VOC) FP32 416×416: model build, ONNX Runtime 1 thread, hsq import and reference interpreter',
  async run(ctx) {
    const figures: Record<string, Figure> = {};
    const opts = { variant: 'fp32' as const, size: 416, layout: 'voc' as const, seed: 1 };

    const [bytes, tBuild] = await timeIt(() => buildTinyYoloV2Fp32(opts));
    figures['build.tinyyolov2_fp32_416'] = ms(tBuild);
    figures['model.bytes'] = { value: bytes.length, unit: 'B' };
    const stats = modelStats(bytes);
    figures['model.macs'] = { value: stats.macs, unit: 'MAC' };
    figures['model.conv_weights'] = { value: stats.convWeights, unit: 'weights' };
    ctx.log(`built ${(bytes.length / 2 ** 20).toFixed(1)} MiB in ${tBuild.toFixed(0)} ms; ${(stats.macs / 1e9).toFixed(2)} GMAC`);

    const input = randomInput(inputShape(opts), 7);
    const feeds = { [INPUT_NAME]: input };

    // ONNX Runtime, one intra-op thread, default graph optimizations.
    let ortOut: Tensor | undefined;
    try {
      const [sess, tCreate] = await timeIt(() => openOrt(bytes, { threads: 1 }));
      figures['ort.session_create'] = ms(tCreate);
      try {
        const [first, tFirst] = await timeIt(() => sess.run(feeds));
        ortOut = first[OUTPUT_NAME];
        figures['ort.first_run'] = ms(tFirst);
        const times: number[] = [];
        for (let i = 0; i < ctx.runs; i++) times.push((await timeIt(() => sess.run(feeds)))[1]);
        figures['ort.inference_1thread.median'] = ms(median(times), `${ctx.runs} runs after 1 warm-up`);
        figures['ort.inference_1thread.min'] = ms(Math.min(...times));
        figures['ort.gmac_per_s'] = { value: round3(stats.macs / 1e9 / (median(times) / 1000)), unit: 'GMAC/s' };
        ctx.log(`ORT 1 thread: median ${median(times).toFixed(1)} ms over ${ctx.runs} runs`);
      } finally {
        await sess.release();
      }
    } catch (e) {
      figures['ort.inference_1thread.median'] = errorFigure(e);
    }
    figures['rss_peak.after_ort'] = peakRss();

    // hsq import.
    const imp = ctx.optionalModule<{ decodeModel?: (b: Uint8Array) => unknown; loadModel?: (p: string) => unknown }>('frontend/onnx/import');
    let graph: unknown;
    if (!imp.ok) {
      figures['hsq.import'] = imp.figure;
    } else if (imp.mod.decodeModel) {
      try {
        const [g, t] = await timeIt(() => imp.mod.decodeModel!(bytes));
        graph = g;
        figures['hsq.import'] = ms(t, 'decodeModel(bytes)');
      } catch (e) { figures['hsq.import'] = errorFigure(e); }
    } else if (imp.mod.loadModel) {
      const tmp = path.join(os.tmpdir(), `hsq-bench-${process.pid}.onnx`);
      fs.writeFileSync(tmp, bytes);
      try {
        const [g, t] = await timeIt(() => imp.mod.loadModel!(tmp));
        graph = g;
        figures['hsq.import'] = ms(t, 'loadModel(path), file in tmpdir');
      } catch (e) { figures['hsq.import'] = errorFigure(e); } finally { fs.rmSync(tmp, { force: true }); }
    } else {
      figures['hsq.import'] = { status: 'not-built', reason: 'frontend/onnx/import exports neither decodeModel nor loadModel' };
    }
    // Importers may return the Graph or a {graph, ...} record.
    if (graph && typeof graph === 'object' && 'graph' in graph && !('nodes' in graph)) graph = (graph as { graph: unknown }).graph;

    // hsq core pipeline + reference interpreter.
    const pm = ctx.optionalModule<{ runPipeline?: (...a: unknown[]) => unknown }>('passes/pass-manager');
    const pl = ctx.optionalModule<{ corePipeline?: unknown }>('passes/pipeline');
    const it = ctx.optionalModule<{ runGraph?: (...a: unknown[]) => unknown }>('ops/engine/interpreter');
    const missing = [pm, pl, it].find((m) => !m.ok) as { ok: false; figure: Figure } | undefined;
    if (missing) {
      figures['hsq.pipeline'] = missing.figure;
      figures['hsq.interpreter'] = missing.figure;
    } else if (!graph) {
      const reason = 'needs the imported graph (hsq.import has no result)';
      figures['hsq.pipeline'] = { status: 'not-built', reason };
      figures['hsq.interpreter'] = { status: 'not-built', reason };
    } else {
      const runPipeline = (pm as { mod: { runPipeline?: (...a: unknown[]) => unknown } }).mod.runPipeline;
      const corePipeline = (pl as { mod: { corePipeline?: unknown } }).mod.corePipeline;
      const runGraph = (it as { mod: { runGraph?: (...a: unknown[]) => unknown } }).mod.runGraph;
      let g2: unknown;
      if (!runPipeline || corePipeline === undefined) {
        figures['hsq.pipeline'] = { status: 'not-built', reason: 'passes/pass-manager.runPipeline or passes/pipeline.corePipeline not exported' };
      } else {
        try {
          const [r, t] = await timeIt(() => runPipeline(graph, corePipeline));
          g2 = r && typeof r === 'object' && 'graph' in r && !('nodes' in r) ? (r as { graph: unknown }).graph : r;
          figures['hsq.pipeline'] = ms(t, 'runPipeline(graph, corePipeline)');
        } catch (e) { figures['hsq.pipeline'] = errorFigure(e); }
      }
      if (!runGraph) {
        figures['hsq.interpreter'] = { status: 'not-built', reason: 'ops/engine/interpreter does not export runGraph' };
      } else if (!g2) {
        figures['hsq.interpreter'] = { status: 'not-built', reason: 'needs the pipeline result (hsq.pipeline has no result)' };
      } else {
        try {
          const [r, t] = await timeIt(() => runGraph(g2, feeds));
          figures['hsq.interpreter'] = ms(t, 'runGraph, one inference');
          const outs = (r && typeof r === 'object' && 'outputs' in r ? (r as { outputs: unknown }).outputs : r) as Record<string, Tensor>;
          const y = outs?.[OUTPUT_NAME];
          if (y && ortOut) {
            figures['hsq.interpreter_vs_ort.max_abs_diff'] = { value: maxAbsDiff(ortOut, y), unit: 'abs' };
            figures['hsq.interpreter_vs_ort.sqnr'] = { value: round3(sqnrDb(ortOut, y)), unit: 'dB' };
          }
        } catch (e) { figures['hsq.interpreter'] = errorFigure(e); }
      }
    }
    figures['rss_peak.total'] = peakRss();
    return {
      figures,
      info: { model: 'tiny-yolov2 voc fp32', input: [...inputShape(opts)], seed: opts.seed, input_seed: 7, runs: ctx.runs },
    };
  },
};

// ---- driver ----

function findRepoRoot(start: string): string {
  let d = start;
  for (;;) {
    if (fs.existsSync(path.join(d, 'package.json')) && fs.existsSync(path.join(d, 'bench'))) return d;
    const up = path.dirname(d);
    if (up === d) throw new Error(`no repository root above ${start}`);
    d = up;
  }
}

function loadSections(dir: string): BenchSection[] {
  if (!fs.existsSync(dir)) return [];
  const out: BenchSection[] = [];
  for (const f of fs.readdirSync(dir).sort()) {
    if (!/\.(js|ts)$/.test(f) || f.endsWith('.d.ts') || f.endsWith('.map')) continue;
    // Prefer the compiled file when both exist (running from dist/).
    if (f.endsWith('.ts') && fs.existsSync(path.join(dir, f.replace(/\.ts$/, '.js')))) continue;
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const mod = require(path.join(dir, f)) as { section?: BenchSection; default?: BenchSection };
    const s = mod.section ?? mod.default;
    if (!s || typeof s.run !== 'function') throw new Error(`bench/sections/${f} exports no 'section: BenchSection'`);
    out.push(s);
  }
  return out;
}

export function machineInfo() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    nproc: cpus.length,
    os: `${os.type()} ${os.release()}`,
    arch: os.arch(),
    total_mem_gib: round3(os.totalmem() / 2 ** 30),
  };
}

export async function main(argv: string[]): Promise<number> {
  let runs = 5;
  const wanted: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs') {
      runs = Number(argv[++i]);
      if (!Number.isInteger(runs) || runs < 1) { process.stderr.write(`error: --runs must be a positive integer\n`); return 2; }
    } else if (argv[i].startsWith('-')) {
      process.stderr.write(`error: unknown option '${argv[i]}' (usage: run.js [SECTION...] [--runs N])\n`);
      return 2;
    } else wanted.push(argv[i]);
  }
  const repoRoot = findRepoRoot(__dirname);
  // From dist/bench/run.js the compiled tree is dist/; from ts sources it is also dist/.
  const distRoot = path.basename(path.dirname(__dirname)) === 'dist' ? path.dirname(__dirname) : path.join(repoRoot, 'dist');
  const sections = [coreSection, ...loadSections(path.join(__dirname, 'sections'))];
  for (const w of wanted) {
    if (!sections.some((s) => s.name === w)) {
      process.stderr.write(`error: no benchmark section '${w}' (have: ${sections.map((s) => s.name).join(', ')})\n`);
      return 2;
    }
  }
  const resultsDir = path.join(repoRoot, 'bench', 'results');
  fs.mkdirSync(resultsDir, { recursive: true });
  const ctx: BenchContext = {
    repoRoot,
    distRoot,
    runs,
    log: (m) => process.stderr.write(`  ${m}\n`),
    optionalModule<T>(rel: string) {
      const file = path.join(distRoot, `${rel}.js`);
      if (!fs.existsSync(file)) {
        return { ok: false as const, figure: { status: 'not-built' as const, reason: `${rel}.ts is not built (${path.relative(repoRoot, file)} missing)` } };
      }
      try {
        // eslint-disable-next-line @typescript-eslint/no-var-requires
        return { ok: true as const, mod: require(file) as T };
      } catch (e) {
        return { ok: false as const, figure: errorFigure(e) };
      }
    },
  };
  let errors = 0;
  for (const s of sections.filter((x) => wanted.length === 0 || wanted.includes(x.name))) {
    process.stderr.write(`bench ${s.name}: ${s.description}\n`);
    const date = new Date().toISOString();
    const res = await s.run(ctx);
    const doc = { section: s.name, description: s.description, date, node: process.version, machine: machineInfo(), ...res };
    const file = path.join(resultsDir, `${s.name}.json`);
    fs.writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
    process.stderr.write(`  wrote ${path.relative(repoRoot, file)}\n`);
    for (const [k, f] of Object.entries(res.figures)) {
      if ('status' in f && f.status === 'error') { errors++; process.stderr.write(`  error in ${s.name}/${k}: ${f.reason}\n`); }
    }
  }
  // Results are written either way; a failed measurement makes the run fail (not-built does not).
  return errors ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (e) => {
    process.stderr.write(`error: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  });
}

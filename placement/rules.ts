// Force and widen rules: where the user asks for a device (--force-npu/--force-cpu, config
// `placement`, annotation `hsq.placement`) or allows lossless widening of a sub-8-bit layer to
// int8 (--widen, config `widen`, annotation `hsq.widen`). Sources rank CLI > config > annotation;
// within one source an exact name beats a glob and a longer glob beats a shorter one. A pattern
// that matches no layer is an error naming it.
import { HsqConfig } from '../core/config';
import { fail } from '../core/diagnostics';
import { Graph } from '../core/ir/graph';
import { matchesNode } from '../core/node-glob';
import type { Device } from './cost-model';

export interface Rule<T> { pattern: string; value: T; where: string; source: 'cli' | 'config' | 'annotation' }

export interface RuleOptions {
  readonly forceNpu?: readonly string[];
  readonly forceCpu?: readonly string[];
  readonly widen?: readonly string[];
  readonly config?: Pick<HsqConfig, 'placement' | 'widen'>;
}

/** The rules that apply to one layer. */
export interface LayerRules {
  readonly force?: Rule<Device>;
  readonly widen?: Rule<boolean>;
}

/** The rule whose pattern best matches any of the names: exact beats glob, longer glob wins. */
export function bestRule<T>(rules: readonly Rule<T>[], names: readonly string[]): Rule<T> | undefined {
  let best: Rule<T> | undefined;
  let bestScore = -1;
  for (const r of rules) {
    const exact = names.includes(r.pattern);
    if (!exact && !names.some((nm) => matchesNode(r.pattern, nm))) continue;
    const score = exact ? Number.MAX_SAFE_INTEGER : r.pattern.length;
    if (score > bestScore) { best = r; bestScore = score; }
  }
  return best;
}

function checkMatches(rules: readonly Rule<unknown>[], layerNames: readonly (readonly string[])[], all: readonly string[]): void {
  for (const r of rules) {
    if (layerNames.some((names) => names.some((n) => n === r.pattern || matchesNode(r.pattern, n)))) continue;
    const shown = all.slice(0, 12).join(', ') + (all.length > 12 ? ', …' : '');
    fail('bad-input', `${r.where}: '${r.pattern}' matches no node (layers: ${shown})`, r.pattern);
  }
}

/**
 * The force and widen rule of every layer. `layerNames[i]` are the names layer i answers to
 * (its own, its ONNX origins, its IR nodes); `allLayerNames` are shown when a pattern matches none.
 */
export function layerRules(g: Graph, opts: RuleOptions, layerNames: readonly (readonly string[])[], allLayerNames: readonly string[]): LayerRules[] {
  const cliForce: Rule<Device>[] = [
    ...(opts.forceNpu ?? []).map((p) => ({ pattern: p, value: 'npu' as Device, where: `--force-npu ${p}`, source: 'cli' as const })),
    ...(opts.forceCpu ?? []).map((p) => ({ pattern: p, value: 'cpu' as Device, where: `--force-cpu ${p}`, source: 'cli' as const })),
  ];
  for (const p of opts.forceNpu ?? []) if ((opts.forceCpu ?? []).includes(p)) fail('bad-input', `'${p}' is given to both --force-npu and --force-cpu`, p);
  const cfgForce: Rule<Device>[] = Object.entries(opts.config?.placement ?? {}).map(([p, v]) => ({ pattern: p, value: v, where: `config placement["${p}"]`, source: 'config' }));
  const annForce: Rule<Device>[] = [];
  const annWiden: Rule<boolean>[] = [];
  for (const [p, a] of Object.entries(g.annotations)) {
    if (a.placement) annForce.push({ pattern: p, value: a.placement, where: `annotation hsq.placement on '${p}'`, source: 'annotation' });
    if (a.widen !== undefined) annWiden.push({ pattern: p, value: a.widen, where: `annotation hsq.widen on '${p}'`, source: 'annotation' });
  }
  const cliWiden: Rule<boolean>[] = (opts.widen ?? []).map((p) => ({ pattern: p, value: true, where: `--widen ${p}`, source: 'cli' }));
  const cfgWiden: Rule<boolean>[] = (opts.config?.widen ?? []).map((p) => ({ pattern: p, value: true, where: `config widen "${p}"`, source: 'config' }));
  for (const rules of [cliForce, cfgForce, annForce, cliWiden, cfgWiden, annWiden] as Rule<unknown>[][]) checkMatches(rules, layerNames, allLayerNames);
  return layerNames.map((names) => ({
    force: bestRule(cliForce, names) ?? bestRule(cfgForce, names) ?? bestRule(annForce, names),
    widen: bestRule(cliWiden, names) ?? bestRule(cfgWiden, names) ?? bestRule(annWiden, names),
  }));
}

/** The layer may be widened to int8 for the NPU. */
export const mayWiden = (r: LayerRules): boolean => !!r.widen?.value;

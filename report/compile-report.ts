// The report stage of `hsq compile`: report.json (and report.html) from the placement, the
// emitter's report fields and the precision stage's report.
import type { PrecisionReport } from '../precision/stage';
import type { Placed } from '../placement/stage';
import type { ReportFields, Target } from '../targets/target';
import { Report, buildReport } from './report';
import { renderReportHtml } from './html';

export interface CompileReportInput {
  readonly target: Target;
  /** The model file's name (no folder). */
  readonly model: string;
  /** The C name of the model. */
  readonly name: string;
  readonly placed: Placed;
  readonly fields: ReportFields;
  readonly precision: PrecisionReport;
}

export interface CompileReport {
  readonly files: Record<string, string>;
  /** The placement report, on a target with an NPU. */
  readonly report?: Report;
}

export function compileReport(i: CompileReportInput): CompileReport {
  const cost = i.target.costModel;
  if (i.target.capabilities.npu && cost) {
    const report = buildReport(i.placed.graph, i.placed.placement, i.fields.segments, cost, i.fields.memoryPlan, {
      model: i.name, target: i.target.name, notes: i.fields.notes,
    });
    return { files: { 'report.json': JSON.stringify(report, null, 2) + '\n', 'report.html': renderReportHtml(report) }, report };
  }
  const json = {
    model: i.model, target: i.target.name, name: i.name,
    arena: { bytes: i.fields.arena.bytes, lowerBound: i.fields.arena.lowerBound }, weightBytes: i.fields.weightBytes,
    ...(i.fields.extra ?? {}),
    precision: i.precision,
  };
  return { files: { 'report.json': JSON.stringify(json, null, 2) + '\n' } };
}

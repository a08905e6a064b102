// The report stage of `hsq compile`: report.json and report.html, the same schema and page for
// every target, from the placement, the emitter's report fields and the precision stage.
import { Report, ReportInput, buildReport } from './report';
import { renderReportHtml } from './html';

export interface CompileReport {
  readonly files: { readonly 'report.json': string; readonly 'report.html': string };
  readonly report: Report;
}

export function compileReport(i: ReportInput): CompileReport {
  const report = buildReport(i);
  return { files: { 'report.json': JSON.stringify(report, null, 2) + '\n', 'report.html': renderReportHtml(report) }, report };
}

// The compile report: report.json (buildReport), report.html (renderReportHtml) and the
// terminal placement table (formatPlacementTable).
export { buildReport, REPORT_SCHEMA } from './report';
export type { Report, ReportLayer, ReportSegment, ReportTotals, ReportExtras, ReportMemoryPlan } from './report';
export { renderReportHtml, colourClass, fmtBytes, fmtUs } from './html';
export { formatPlacementTable } from './table';
export { compileReport } from './compile-report';
export type { CompileReport, CompileReportInput } from './compile-report';

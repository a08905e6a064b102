// The compile report: report.json (buildReport, schema in report.schema.json), report.html
// (renderReportHtml) and the terminal placement table (formatPlacementTable).
export { buildReport, REPORT_SCHEMA } from './report';
export type { Report, ReportInput, ReportLayer, ReportSegment, ReportTotals } from './report';
export { renderReportHtml, colourClass, fmtBytes, fmtUs } from './html';
export { formatPlacementTable } from './table';
export { compileReport } from './compile-report';
export type { CompileReport } from './compile-report';
export { validateReport, REPORT_JSON_SCHEMA } from './validate';

export { readRunFolder, type RunReportData, type StageReport, type EvaluationReport, type RejectionGroup, type TrainingPoint } from './read-run-folder';
export { renderRunReport } from './render-run-report';
export { writeRunReportHtml, RUN_REPORT_FILE } from './write-run-report';

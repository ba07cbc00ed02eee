import { join } from 'node:path';
import { writeFileAtomic } from '../store/atomic-write';
import { readRunFolder } from './read-run-folder';
import { renderRunReport } from './render-run-report';

/** The run report's file name inside a run folder. */
export const RUN_REPORT_FILE = 'report.html';

/**
 * Reads a run folder and writes its report to `<runDir>/report.html` (atomically); returns the
 * path. The runner calls it at the end of every run and before publishing; `easydistill report
 * <runDir>` calls it on demand.
 */
export async function writeRunReportHtml(runDir: string, options: { generatedAt?: Date } = {}): Promise<string> {
  const path = join(runDir, RUN_REPORT_FILE);
  writeFileAtomic(path, renderRunReport(await readRunFolder(runDir), options));
  return path;
}

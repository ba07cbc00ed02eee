import type { MtBenchSummary, TurnScores } from '../scoring/score-judgments';

const cell = (value: number | null | undefined): string => (value === null || value === undefined ? '–' : value.toFixed(2));

/**
 * A Markdown table with one column per model: the MT-Bench score, the first- and second-turn
 * means, then the score of each category. With exactly two models (e.g. teacher and student) a
 * last column gives the second model's score minus the first's.
 */
export function formatMtbenchTable(summaries: readonly MtBenchSummary[]): string {
  const compare = summaries.length === 2;
  const categories = [...new Set(summaries.flatMap((summary) => Object.keys(summary.categories)))];
  const rows: Array<[string, (summary: MtBenchSummary) => number | null | undefined]> = [
    ['MT-Bench score', (summary) => summary.score],
    ['first turn', (summary) => summary.turn_1],
    ['second turn', (summary) => summary.turn_2],
    ...categories.map((category): [string, (summary: MtBenchSummary) => number | null | undefined] => [
      category,
      (summary) => (summary.categories[category] as TurnScores | undefined)?.score,
    ]),
  ];
  const names = summaries.map((summary) => summary.model);
  const header = `| MT-Bench (1–10) | ${names.join(' | ')} |${compare ? ` ${names[1]} − ${names[0]} |` : ''}`;
  const rule = `|---|${names.map(() => '---:').join('|')}|${compare ? '---:|' : ''}`;
  const body = rows.map(([label, value]) => {
    const values = summaries.map(value);
    const difference = compare && typeof values[0] === 'number' && typeof values[1] === 'number' ? values[1] - values[0] : null;
    const signed = difference === null ? '–' : `${difference >= 0 ? '+' : ''}${difference.toFixed(2)}`;
    return `| ${label} | ${values.map(cell).join(' | ')} |${compare ? ` ${signed} |` : ''}`;
  });
  const counts = `| valid / invalid judgments | ${summaries.map((summary) => `${summary.n} / ${summary.n_invalid}`).join(' | ')} |${compare ? ' |' : ''}`;
  return [header, rule, ...body, counts].join('\n');
}

import type { IfevalSummary } from '../score-ifeval';

const percent = (value: number): string => `${(value * 100).toFixed(2)}`;

/** One table row: the accuracy (fraction) of a model, and how its cell reads. */
type Row = [label: string, value: (summary: IfevalSummary) => number | undefined, cell: (summary: IfevalSummary) => string];

/**
 * A Markdown table with one column per model: the four official metrics (percent), then the
 * strict and loose accuracy of each instruction category. With exactly two models (teacher and
 * student) a last column gives the second model's accuracy minus the first's, in points.
 */
export function formatIfevalTable(summaries: Readonly<Record<string, IfevalSummary>>): string {
  const names = Object.keys(summaries);
  const metric = (label: string, value: (summary: IfevalSummary) => number): Row => [label, value, (summary) => percent(value(summary))];
  const rows: Row[] = [
    metric('prompt-level strict', (summary) => summary.prompt_level_strict_acc),
    metric('instruction-level strict', (summary) => summary.inst_level_strict_acc),
    metric('prompt-level loose', (summary) => summary.prompt_level_loose_acc),
    metric('instruction-level loose', (summary) => summary.inst_level_loose_acc),
  ];
  const categories = [...new Set(names.flatMap((name) => Object.keys(summaries[name]!.strict.by_category)))].sort();
  for (const category of categories) {
    for (const mode of ['strict', 'loose'] as const) {
      rows.push([
        `${category} (${mode})`,
        (summary) => summary[mode].by_category[category]?.accuracy,
        (summary) => {
          const accuracy = summary[mode].by_category[category];
          return accuracy ? `${percent(accuracy.accuracy)} (${accuracy.correct}/${accuracy.total})` : '–';
        },
      ]);
    }
  }
  const compare = names.length === 2;
  const header = `| IFEval (%) | ${names.join(' | ')} |${compare ? ` ${names[1]} − ${names[0]} |` : ''}`;
  const rule = `|---|${names.map(() => '---:').join('|')}|${compare ? '---:|' : ''}`;
  const body = rows.map(([label, value, cell]) => {
    const cells = `| ${label} | ${names.map((name) => cell(summaries[name]!)).join(' | ')} |`;
    if (!compare) return cells;
    const [first, second] = names.map((name) => value(summaries[name]!));
    if (first === undefined || second === undefined) return `${cells} – |`;
    const difference = (second - first) * 100;
    return `${cells} ${difference >= 0 ? '+' : ''}${difference.toFixed(2)} |`;
  });
  return [header, rule, ...body].join('\n');
}

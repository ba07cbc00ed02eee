import type { IfevalSummary } from '../score-ifeval';

const percent = (value: number): string => `${(value * 100).toFixed(2)}`;

/**
 * A Markdown table with one column per model: the four official metrics (percent), then the
 * strict and loose accuracy of each instruction category.
 */
export function formatIfevalTable(summaries: Readonly<Record<string, IfevalSummary>>): string {
  const names = Object.keys(summaries);
  const rows: Array<[string, (summary: IfevalSummary) => string]> = [
    ['prompt-level strict', (summary) => percent(summary.prompt_level_strict_acc)],
    ['instruction-level strict', (summary) => percent(summary.inst_level_strict_acc)],
    ['prompt-level loose', (summary) => percent(summary.prompt_level_loose_acc)],
    ['instruction-level loose', (summary) => percent(summary.inst_level_loose_acc)],
  ];
  const categories = [...new Set(names.flatMap((name) => Object.keys(summaries[name]!.strict.by_category)))].sort();
  for (const category of categories) {
    for (const mode of ['strict', 'loose'] as const) {
      rows.push([
        `${category} (${mode})`,
        (summary) => {
          const accuracy = summary[mode].by_category[category];
          return accuracy ? `${percent(accuracy.accuracy)} (${accuracy.correct}/${accuracy.total})` : '–';
        },
      ]);
    }
  }
  const header = `| IFEval (%) | ${names.join(' | ')} |`;
  const rule = `|---|${names.map(() => '---:').join('|')}|`;
  const body = rows.map(([label, cell]) => `| ${label} | ${names.map((name) => cell(summaries[name]!)).join(' | ')} |`);
  return [header, rule, ...body].join('\n');
}

import type { EvaluationReport, RunReportData, StageReport, TrainingPoint } from './read-run-folder';
import { escapeHtml, formatNumber, groupedBarChart, lineChart } from './svg-charts';

const DATA_KINDS = new Set(['agent', 'verifier', 'selector']);

/** Training metrics plotted, by chart: the first key present in the records names each series. */
const TRAINING_CHARTS: Array<{ title: string; series: Array<{ name: string; keys: string[] }> }> = [
  {
    title: 'Loss',
    series: [
      { name: 'loss', keys: ['loss'] },
      { name: 'cross-entropy', keys: ['crossEntropy', 'ceLoss'] },
      { name: 'KD loss', keys: ['kd', 'kdLoss'] },
      { name: 'reward margin', keys: ['rewardMargin'] },
    ],
  },
  { title: 'Learning rate', series: [{ name: 'learning rate', keys: ['learningRate', 'lr'] }] },
  { title: 'Tokens per second', series: [{ name: 'tokens/s', keys: ['tokensPerSecond'] }] },
];

function table(header: string[], rows: Array<Array<string | number | undefined>>, options: { numeric?: boolean[]; className?: string } = {}): string {
  const cell = (value: string | number | undefined, index: number, tag: 'td' | 'th') => {
    const numeric = options.numeric?.[index] ? ' class="num"' : '';
    const text = value === undefined ? '' : typeof value === 'number' ? formatNumber(value) : escapeHtml(value);
    return `<${tag}${numeric}>${text}</${tag}>`;
  };
  return `<table${options.className ? ` class="${options.className}"` : ''}><thead><tr>${header.map((value, index) => cell(value, index, 'th')).join('')}</tr></thead><tbody>${rows
    .map((row) => `<tr>${row.map((value, index) => cell(value, index, 'td')).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function percent(part: number, whole: number): string {
  return whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : '';
}

function section(id: string, title: string, body: string): string {
  return `<section id="${id}"><h2>${escapeHtml(title)}</h2>${body}</section>`;
}

function funnelSection(stages: StageReport[]): string {
  const data = stages.filter((stage) => DATA_KINDS.has(stage.kind));
  if (data.length === 0) return section('funnel', 'Data funnel', '<p class="empty">This run has no data stages.</p>');
  const rows = data.map((stage) => [stage.id, stage.component, stage.kind, stage.rowsIn, stage.rowsOut, stage.rowsRejected, stage.rowsFailed, percent(stage.rowsOut, stage.rowsIn), stage.status]);
  const chart = groupedBarChart({
    title: 'Rows in and out of each data stage',
    groups: data.map((stage) => stage.id),
    series: [
      { name: 'rows in', values: data.map((stage) => stage.rowsIn) },
      { name: 'rows out', values: data.map((stage) => stage.rowsOut) },
      { name: 'rejected', values: data.map((stage) => stage.rowsRejected) },
    ],
  });
  const reasons = data
    .filter((stage) => stage.rejections.length > 0)
    .map(
      (stage) =>
        `<details open><summary>${escapeHtml(stage.id)}: ${formatNumber(stage.rowsRejected)} rejected</summary>${table(
          ['reason', 'rows', 'share', 'example'],
          stage.rejections.map((group) => [group.reason, group.count, percent(group.count, stage.rowsRejected), group.example]),
          { numeric: [false, true, true, false] },
        )}</details>`,
    )
    .join('');
  return section(
    'funnel',
    'Data funnel',
    `${table(['stage', 'component', 'kind', 'rows in', 'rows out', 'rejected', 'failed', 'kept', 'status'], rows, { numeric: [false, false, false, true, true, true, true, true, false] })}${chart}${
      reasons ? `<h3>Rejection reasons</h3>${reasons}` : ''
    }`,
  );
}

function seriesOf(points: TrainingPoint[], keys: string[]): Array<[number, number]> {
  const key = keys.find((candidate) => points.some((point) => typeof point[candidate] === 'number'));
  if (!key) return [];
  return points.filter((point) => typeof point[key] === 'number' && typeof point.step === 'number').map((point) => [point.step!, point[key]!]);
}

function trainingSection(stages: StageReport[]): string {
  const trainers = stages.filter((stage) => stage.kind === 'trainer');
  if (trainers.length === 0) return section('training', 'Training', '<p class="empty">This run trains no model.</p>');
  const blocks = trainers.map((stage) => {
    const charts = TRAINING_CHARTS.map((chart) =>
      lineChart({ title: `${stage.id}: ${chart.title}`, xLabel: 'step', series: chart.series.map((entry) => ({ name: entry.name, points: seriesOf(stage.steps, entry.keys) })) }),
    );
    const evalKeys = [...new Set(stage.evals.flatMap((point) => Object.keys(point)))].filter((key) => key !== 'step');
    if (evalKeys.length > 0) {
      charts.push(lineChart({ title: `${stage.id}: held-out evaluation`, xLabel: 'step', series: evalKeys.map((key) => ({ name: key, points: seriesOf(stage.evals, [key]) })) }));
    }
    const metrics = (stage.result as { metrics?: Record<string, unknown> } | undefined)?.metrics ?? {};
    const finals = Object.entries(metrics).filter((entry): entry is [string, number] => typeof entry[1] === 'number');
    const drawn = charts.filter(Boolean).join('');
    return `<h3>${escapeHtml(stage.id)} <span class="muted">${escapeHtml(stage.component)}</span></h3>${
      drawn || '<p class="empty">No training metrics were logged (metrics.jsonl).</p>'
    }<div class="charts-end"></div>${finals.length > 0 ? `<h4>Final metrics</h4>${table(['metric', 'value'], finals, { numeric: [false, true] })}` : ''}`;
  });
  return section('training', 'Training', blocks.join(''));
}

function evaluationBlock(evaluation: EvaluationReport): string {
  const models = Object.keys(evaluation.metrics);
  const metrics = [...new Set(models.flatMap((model) => Object.keys(evaluation.metrics[model] ?? {})))];
  const overall = table(
    ['model', ...metrics],
    models.map((model) => [model, ...metrics.map((metric) => evaluation.metrics[model]?.[metric])]),
    { numeric: [false, ...metrics.map(() => true)] },
  );
  const parts = [`<h3>${escapeHtml(evaluation.benchmark)} <span class="muted">stage ${escapeHtml(evaluation.stage)}</span></h3>`, overall];
  // Charted side by side: headline metrics that differ between models (an item count shared by
  // every model would only squash the scale). `metric/part` metrics are drawn per category below.
  const value = (model: string, metric: string) => evaluation.metrics[model]?.[metric];
  const headline = metrics.filter((metric) => !metric.includes('/') && (models.length < 2 || new Set(models.map((model) => value(model, metric))).size > 1));
  if (models.length > 0 && headline.length > 0) {
    parts.push(groupedBarChart({ title: `${evaluation.benchmark}: models side by side`, groups: headline, series: models.map((model) => ({ name: model, values: headline.map((metric) => value(model, metric)) })) }));
  }
  const categoryTables: Array<{ title: string; categories: Record<string, Record<string, number>> }> = [];
  if (evaluation.categories && Object.keys(evaluation.categories).length > 0) categoryTables.push({ title: 'per category', categories: evaluation.categories });
  for (const prefix of [...new Set(metrics.filter((metric) => metric.includes('/')).map((metric) => metric.slice(0, metric.indexOf('/'))))]) {
    const categories: Record<string, Record<string, number>> = {};
    for (const model of models) {
      for (const metric of metrics.filter((entry) => entry.startsWith(`${prefix}/`))) {
        const entry = value(model, metric);
        if (entry !== undefined) (categories[model] ??= {})[metric.slice(prefix.length + 1)] = entry;
      }
    }
    categoryTables.push({ title: `${prefix} per category`, categories });
  }
  for (const { title, categories } of categoryTables) {
    const categoryModels = Object.keys(categories);
    const names = [...new Set(categoryModels.flatMap((model) => Object.keys(categories[model] ?? {})))];
    if (names.length === 0) continue;
    parts.push(
      `<h4>${escapeHtml(title[0]!.toUpperCase() + title.slice(1))}</h4>`,
      table(
        ['category', ...categoryModels],
        names.map((name) => [name, ...categoryModels.map((model) => categories[model]?.[name])]),
        { numeric: [false, ...categoryModels.map(() => true)] },
      ),
      groupedBarChart({ title: `${evaluation.benchmark}: ${title}`, groups: names, series: categoryModels.map((model) => ({ name: model, values: names.map((name) => categories[model]?.[name]) })) }),
    );
  }
  return parts.join('');
}

function evaluationSection(evaluations: EvaluationReport[]): string {
  if (evaluations.length === 0) return section('evaluation', 'Evaluation', '<p class="empty">No evaluator stage has finished.</p>');
  return section('evaluation', 'Evaluation', evaluations.map(evaluationBlock).join(''));
}

function usageSection(stages: StageReport[]): string {
  const used = stages.filter((stage) => stage.usage && (stage.usage.calls > 0 || stage.usage.cacheHits > 0 || stage.usage.promptTokens > 0));
  if (used.length === 0) return section('usage', 'Cost and token usage', '<p class="empty">No teacher calls were made.</p>');
  const priced = used.some((stage) => stage.costUsd !== undefined);
  const total = { calls: 0, cacheHits: 0, promptTokens: 0, completionTokens: 0, failures: 0, cost: 0 };
  const rows = used.map((stage) => {
    const usage = stage.usage!;
    total.calls += usage.calls;
    total.cacheHits += usage.cacheHits;
    total.promptTokens += usage.promptTokens;
    total.completionTokens += usage.completionTokens;
    total.failures += usage.failures;
    total.cost += stage.costUsd ?? 0;
    return [stage.id, stage.teachers.join(', '), usage.calls, usage.cacheHits, usage.promptTokens, usage.completionTokens, usage.failures, ...(priced ? [stage.costUsd === undefined ? '' : `$${stage.costUsd.toFixed(4)}`] : [])];
  });
  rows.push(['total', '', total.calls, total.cacheHits, total.promptTokens, total.completionTokens, total.failures, ...(priced ? [`$${total.cost.toFixed(4)}`] : [])]);
  const header = ['stage', 'teacher', 'calls', 'cache hits', 'prompt tokens', 'completion tokens', 'failures', ...(priced ? ['cost (USD)'] : [])];
  const note = priced
    ? '<p class="muted">Cost at the prices the recipe gives its teachers (<code>options.prices</code>), per million tokens.</p>'
    : '<p class="muted">No teacher in the recipe has <code>options.prices</code>, so no cost is shown.</p>';
  return section('usage', 'Cost and token usage', `${table(header, rows, { numeric: header.map((_, index) => index >= 2), className: 'with-total' })}${note}`);
}

function provenanceSection(data: RunReportData): string {
  const facts = table(
    ['', ''],
    [
      ['run folder', data.runDir],
      ['recipe', data.recipeFile],
      ['recipe sha256', data.recipeHash],
      ['seed', data.seed],
      ['started', data.startedAt],
      ['core', data.core],
      ['plugins', data.plugins.join(', ') || 'none'],
    ],
    { className: 'facts' },
  );
  const stages = table(
    ['#', 'stage', 'kind', 'component', 'plugin', 'in', 'out', 'seed', 'fingerprint', 'seconds', 'finished'],
    data.stages.map((stage) => [
      stage.index === Number.MAX_SAFE_INTEGER ? '' : stage.index + 1,
      stage.id,
      stage.kind,
      stage.component,
      stage.plugin,
      stage.in,
      stage.out,
      stage.seed,
      stage.fingerprint?.slice(0, 12),
      stage.seconds,
      stage.finishedAt,
    ]),
    { numeric: [true, false, false, false, false, false, false, true, false, true, false] },
  );
  const recipe = data.recipeText ? `<details><summary>Recipe</summary><pre>${escapeHtml(data.recipeText)}</pre></details>` : '';
  return section('provenance', 'Provenance', `${facts}<h3>Stages</h3>${stages}${recipe}`);
}

function summaryCards(data: RunReportData): string {
  const dataStages = data.stages.filter((stage) => DATA_KINDS.has(stage.kind));
  const teacherCalls = data.stages.reduce((sum, stage) => sum + (stage.usage?.calls ?? 0), 0);
  const tokens = data.stages.reduce((sum, stage) => sum + (stage.usage ? stage.usage.promptTokens + stage.usage.completionTokens : 0), 0);
  const cost = data.stages.some((stage) => stage.costUsd !== undefined) ? data.stages.reduce((sum, stage) => sum + (stage.costUsd ?? 0), 0) : undefined;
  const done = data.stages.filter((stage) => stage.status === 'done').length;
  const seconds = data.stages.reduce((sum, stage) => sum + stage.seconds, 0);
  const cards: Array<[string, string]> = [
    ['stages done', `${done} / ${data.stages.length}`],
    ['time in stages', `${formatNumber(Number(seconds.toFixed(1)))} s`],
    ...(dataStages.length > 0 ? ([['rows', `${formatNumber(dataStages[0]!.rowsIn)} → ${formatNumber(dataStages[dataStages.length - 1]!.rowsOut)}`]] as Array<[string, string]>) : []),
    ['teacher calls', formatNumber(teacherCalls)],
    ['tokens', formatNumber(tokens)],
    ...(cost !== undefined ? ([['cost', `$${cost.toFixed(4)}`]] as Array<[string, string]>) : []),
  ];
  return `<div class="cards">${cards.map(([label, value]) => `<div class="card"><div class="value">${escapeHtml(value)}</div><div class="muted">${escapeHtml(label)}</div></div>`).join('')}</div>`;
}

const STYLE = `
:root{--fg:#1b1f24;--muted:#5b6470;--line:#d8dde3;--bg:#fff;--soft:#f4f6f8}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header{padding:20px 32px;border-bottom:1px solid var(--line);background:var(--soft)}header h1{margin:0 0 4px;font-size:22px}
nav a{margin-right:14px;color:#0b5cad;text-decoration:none}main{padding:8px 32px 40px;max-width:1280px}
h2{margin:28px 0 10px;font-size:18px;border-bottom:1px solid var(--line);padding-bottom:4px}h3{font-size:15px;margin:18px 0 8px}h4{font-size:14px;margin:12px 0 6px}
table{border-collapse:collapse;margin:6px 0 12px;font-size:13px}th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:var(--soft)}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}table.with-total tr:last-child td{font-weight:600}
table.facts thead{display:none}.muted{color:var(--muted);font-weight:normal}.empty{color:var(--muted);font-style:italic}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:14px 0}.card{border:1px solid var(--line);border-radius:6px;padding:8px 14px;min-width:120px}.card .value{font-size:18px;font-weight:600}
figure.chart{display:inline-block;margin:6px 12px 12px 0;width:560px;max-width:100%;vertical-align:top}figcaption{font-weight:600;margin-bottom:4px}
svg{width:100%;height:auto;overflow:visible}svg .grid{stroke:#eceff2}svg .axis{stroke:#8a939d}svg .tick,svg .value{font-size:10px;fill:var(--muted)}svg .label{font-size:11px;fill:var(--muted)}
svg .series{fill:none;stroke-width:1.6}.hidden{display:none}
.legend{font-size:12px}.legend-item{border:0;background:none;font:inherit;cursor:pointer;margin-right:10px;padding:0}.legend-item.off{opacity:.4}.legend-item i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
details{margin:6px 0}summary{cursor:pointer}pre{background:var(--soft);padding:10px;overflow:auto;font-size:12px}
`;

// Clicking a legend entry hides or shows that series in its chart.
const SCRIPT = `
document.querySelectorAll('figure.chart .legend-item').forEach(function (item) {
  item.addEventListener('click', function () {
    var figure = item.closest('figure');
    var name = item.getAttribute('data-series');
    var off = item.classList.toggle('off');
    figure.querySelectorAll('svg [data-series]').forEach(function (element) {
      if (element.getAttribute('data-series') === name) element.classList.toggle('hidden', off);
    });
  });
});
`;

/**
 * Renders the run report: one self-contained HTML page (inline CSS, SVG and a few lines of
 * script; a Content-Security-Policy forbids any network access) with the data funnel, training
 * curves, evaluation tables and charts, cost and token usage, and provenance.
 */
export function renderRunReport(data: RunReportData, options: { generatedAt?: Date } = {}): string {
  const generated = (options.generatedAt ?? new Date()).toISOString();
  const body = [summaryCards(data), funnelSection(data.stages), trainingSection(data.stages), evaluationSection(data.evaluations), usageSection(data.stages), provenanceSection(data)].join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`Run report: ${data.name}`)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>Run report: ${escapeHtml(data.name)}</h1><div class="muted">Generated ${escapeHtml(generated)} by EasyDistill${data.core ? ` (${escapeHtml(data.core)})` : ''}</div>
<nav><a href="#funnel">Data funnel</a><a href="#training">Training</a><a href="#evaluation">Evaluation</a><a href="#usage">Cost and usage</a><a href="#provenance">Provenance</a></nav></header>
<main>
${body}
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

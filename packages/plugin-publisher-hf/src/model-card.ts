import { stringify } from 'yaml';

/** One teacher the student learned from. */
export interface ModelCardTeacher {
  /** Model id or name as the recipe names it (`Qwen/Qwen2.5-7B-Instruct`, `gpt-4o-mini`). */
  name: string;
  /** How it was reached: `api`, `local`, `easydistill serve` ... */
  via?: string;
  /** What was taken from it: `responses`, `top-10 log-probabilities`, `preferences`. */
  role?: string;
}

/** Rows in and out of one data stage (the data funnel). */
export interface ModelCardDataStage {
  stage: string;
  rowsIn?: number;
  rowsOut?: number;
  /** Rejected rows by reason. */
  rejected?: Record<string, number>;
}

/** One evaluation result; scores as the benchmark reports them (e.g. accuracy in %). */
export interface ModelCardEvaluation {
  benchmark: string;
  metric: string;
  student: number;
  teacher?: number;
  /** The same student trained without the teacher, or the base model. */
  baseline?: number;
  /** Name of the baseline column; default "Baseline". */
  baselineName?: string;
  category?: string;
}

/**
 * What a model card says, all optional but the name. Core's runner fills it from the recipe, the
 * run's provenance, the data funnel and the evaluation results.
 */
export interface ModelCardInput {
  /** Title of the card, e.g. the Hub repository name. */
  modelName: string;
  /** Hub licence id (`apache-2.0`, `mit`, `llama3.1`, `other`); when absent, `other` and a note to set it. */
  license?: string;
  /** Licence name and link, for `license: other`. */
  licenseName?: string;
  licenseLink?: string;
  /** The model the student started from (Hub id or path). */
  baseModel?: string;
  teachers?: ModelCardTeacher[];
  /** Recipe name and its text (YAML or JSON), shown verbatim. */
  recipe?: { name: string; text?: string; language?: 'yaml' | 'json' };
  /** Hub dataset ids for the front matter, and/or local dataset names with row counts. */
  datasets?: Array<{ name: string; hubId?: string; rows?: number }>;
  dataStages?: ModelCardDataStage[];
  /** Training method and hyper-parameters, shown as a table (`method: 'SFT then top-10 KD'`, `learningRate: 2e-5`). */
  training?: Record<string, string | number | boolean>;
  evaluation?: ModelCardEvaluation[];
  /** Extra Hub tags; `easydistill` and `distillation` are always added. */
  tags?: string[];
  language?: string[];
  /** GGUF files published beside the checkpoint (file names). */
  ggufFiles?: string[];
  /** File name of the run report published beside the model (e.g. `report.html`). */
  reportFile?: string;
  /** Version of EasyDistill that produced the model. */
  toolVersion?: string;
  /** Free text appended as a "Notes" section. */
  notes?: string;
}

function cell(value: unknown): string {
  if (value === undefined || value === null || value === '') return '';
  const text = typeof value === 'number' ? formatNumber(value) : String(value);
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function formatNumber(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  if (Math.abs(value) < 1e-3 && value !== 0) return value.toExponential(2);
  return String(Math.round(value * 1000) / 1000);
}

function table(header: string[], rows: unknown[][]): string {
  return [
    `| ${header.map(cell).join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ].join('\n');
}

function codeFence(text: string, language: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${text.replace(/\n$/, '')}\n${fence}`;
}

/**
 * Renders a Hugging Face model card (README.md): YAML front matter (`license`, `base_model`,
 * `tags`, `datasets`, `library_name`, `pipeline_tag`, `language`) then the base model, teachers,
 * recipe, data statistics, training, evaluation table, usage and licence. Deterministic: the same
 * input gives the same text. Only Hub ids go in `datasets`; local datasets are listed in the body.
 */
export function generateModelCard(input: ModelCardInput): string {
  const license = input.license ?? 'other';
  const tags = [...new Set(['easydistill', 'distillation', ...(input.ggufFiles?.length ? ['gguf'] : []), ...(input.tags ?? [])])];
  const hubDatasets = (input.datasets ?? []).map((dataset) => dataset.hubId).filter((id): id is string => Boolean(id));
  const frontMatter: Record<string, unknown> = {
    license,
    ...(license === 'other' && input.licenseName ? { license_name: input.licenseName } : {}),
    ...(license === 'other' && input.licenseLink ? { license_link: input.licenseLink } : {}),
    ...(input.baseModel ? { base_model: input.baseModel } : {}),
    ...(input.language?.length ? { language: input.language } : {}),
    tags,
    ...(hubDatasets.length ? { datasets: hubDatasets } : {}),
    library_name: 'transformers',
    pipeline_tag: 'text-generation',
  };
  const parts: string[] = [`---\n${stringify(frontMatter, { lineWidth: 0 })}---`, `# ${input.modelName}`];

  const teacherNames = (input.teachers ?? []).map((teacher) => `\`${teacher.name}\``);
  parts.push(
    `${input.modelName} is a student model${input.baseModel ? ` initialised from \`${input.baseModel}\`` : ''}` +
      `${teacherNames.length ? ` and distilled from ${teacherNames.join(', ')}` : ''}` +
      ` with [EasyDistill for TypeScript](https://www.npmjs.com/package/@easydistill/core)` +
      `${input.recipe ? ` (recipe \`${input.recipe.name}\`)` : ''}.`,
  );

  const details: unknown[][] = [];
  if (input.baseModel) details.push(['Base model', input.baseModel]);
  for (const teacher of input.teachers ?? []) {
    details.push(['Teacher', [teacher.name, teacher.role, teacher.via && `via ${teacher.via}`].filter(Boolean).join(', ')]);
  }
  if (input.recipe) details.push(['Recipe', input.recipe.name]);
  details.push(['Licence', license === 'other' ? (input.licenseName ?? 'not stated') : license]);
  if (input.toolVersion) details.push(['EasyDistill', input.toolVersion]);
  parts.push(`## Model details\n\n${table(['', ''], details)}`);

  if (input.datasets?.length || input.dataStages?.length) {
    const lines = ['## Training data'];
    if (input.datasets?.length) {
      lines.push(table(['Dataset', 'Rows'], input.datasets.map((dataset) => [dataset.hubId ? `[${dataset.name}](https://huggingface.co/datasets/${dataset.hubId})` : dataset.name, dataset.rows])));
    }
    if (input.dataStages?.length) {
      lines.push(
        table(
          ['Stage', 'Rows in', 'Rows out', 'Rejected'],
          input.dataStages.map((stage) => [
            stage.stage,
            stage.rowsIn,
            stage.rowsOut,
            Object.entries(stage.rejected ?? {})
              .map(([reason, count]) => `${reason}: ${formatNumber(count)}`)
              .join(', '),
          ]),
        ),
      );
    }
    parts.push(lines.join('\n\n'));
  }

  if (input.training && Object.keys(input.training).length > 0) {
    parts.push(`## Training\n\n${table(['Setting', 'Value'], Object.entries(input.training).map(([key, value]) => [key, value]))}`);
  }

  if (input.evaluation?.length) {
    const hasTeacher = input.evaluation.some((row) => row.teacher !== undefined);
    const hasBaseline = input.evaluation.some((row) => row.baseline !== undefined);
    const hasCategory = input.evaluation.some((row) => row.category !== undefined);
    const baselineName = input.evaluation.find((row) => row.baselineName)?.baselineName ?? 'Baseline';
    const header = ['Benchmark', ...(hasCategory ? ['Category'] : []), 'Metric', 'Student', ...(hasTeacher ? ['Teacher'] : []), ...(hasBaseline ? [baselineName] : [])];
    const rows = input.evaluation.map((row) => [
      row.benchmark,
      ...(hasCategory ? [row.category] : []),
      row.metric,
      row.student,
      ...(hasTeacher ? [row.teacher] : []),
      ...(hasBaseline ? [row.baseline] : []),
    ]);
    parts.push(`## Evaluation\n\n${table(header, rows)}`);
  }

  const usage = [
    '## Usage',
    codeFence(
      [
        "from transformers import AutoModelForCausalLM, AutoTokenizer",
        '',
        'repo = "<this repository>"',
        'tokenizer = AutoTokenizer.from_pretrained(repo)',
        'model = AutoModelForCausalLM.from_pretrained(repo)',
      ].join('\n'),
      'python',
    ),
  ];
  if (input.ggufFiles?.length) {
    usage.push(`GGUF files for llama.cpp, Ollama and LM Studio: ${input.ggufFiles.map((file) => `\`${file}\``).join(', ')}.`);
    usage.push(codeFence(`llama-cli -m ${input.ggufFiles[0]} -cnv`, 'sh'));
  }
  parts.push(usage.join('\n\n'));

  if (input.recipe?.text) {
    parts.push(`## Recipe\n\n${codeFence(input.recipe.text, input.recipe.language ?? 'yaml')}`);
  }
  if (input.reportFile) {
    parts.push(`## Run report\n\nThe full run report (data funnel, training curves, evaluation, cost, provenance) is [\`${input.reportFile}\`](./${input.reportFile}).`);
  }
  parts.push(
    `## Licence\n\n${
      license === 'other'
        ? input.licenseName
          ? `${input.licenseName}${input.licenseLink ? ` (${input.licenseLink})` : ''}.`
          : 'Not stated: check the licences of the base model, the teacher and the training data, and set `license` before sharing.'
        : `\`${license}\`. The licences of the base model, the teacher's terms of use and the training data also apply.`
    }`,
  );
  if (input.notes) parts.push(`## Notes\n\n${input.notes}`);
  return `${parts.join('\n\n')}\n`;
}

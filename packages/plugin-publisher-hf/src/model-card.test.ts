import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generateModelCard, type ModelCardInput } from './model-card';

const input: ModelCardInput = {
  modelName: 'qwen2.5-0.5b-distilled',
  license: 'apache-2.0',
  baseModel: 'Qwen/Qwen2.5-0.5B-Instruct',
  teachers: [{ name: 'Qwen/Qwen2.5-7B-Instruct', role: 'responses and top-10 log-probabilities', via: 'easydistill serve' }],
  recipe: { name: 'staged', text: 'name: staged\nstages:\n  - id: sft\n' },
  datasets: [{ name: 'alpaca seeds', hubId: 'tatsu-lab/alpaca', rows: 500 }, { name: 'synthetic', rows: 1834 }],
  dataStages: [
    { stage: 'expand', rowsIn: 500, rowsOut: 2000 },
    { stage: 'verify', rowsIn: 2000, rowsOut: 1834, rejected: { 'wrong answer': 150, 'too long': 16 } },
  ],
  training: { method: 'SFT then top-10 KD', learningRate: 2e-5, epochs: 2 },
  evaluation: [
    { benchmark: 'IFEval', metric: 'prompt-level strict accuracy (%)', student: 41.2, teacher: 71.9, baseline: 35.5, baselineName: 'Without teacher' },
    { benchmark: 'MT-Bench', metric: 'score (1-10)', student: 5.1, teacher: 8.2 },
  ],
  tags: ['qwen2', 'easydistill'],
  ggufFiles: ['qwen2.5-0.5b-distilled-q8_0.gguf'],
  reportFile: 'report.html',
  toolVersion: '0.1.0',
};

function frontMatter(card: string): Record<string, unknown> {
  const match = /^---\n([\s\S]*?)\n---\n/.exec(card);
  expect(match).not.toBeNull();
  return parse(match![1]) as Record<string, unknown>;
}

describe('generateModelCard', () => {
  it('writes Hub front matter', () => {
    expect(frontMatter(generateModelCard(input))).toEqual({
      license: 'apache-2.0',
      base_model: 'Qwen/Qwen2.5-0.5B-Instruct',
      tags: ['easydistill', 'distillation', 'gguf', 'qwen2'],
      datasets: ['tatsu-lab/alpaca'],
      library_name: 'transformers',
      pipeline_tag: 'text-generation',
    });
  });

  it('describes base model, teacher, recipe, data funnel, training, evaluation and licence', () => {
    const card = generateModelCard(input);
    expect(card).toContain('# qwen2.5-0.5b-distilled');
    expect(card).toContain('| Teacher | Qwen/Qwen2.5-7B-Instruct, responses and top-10 log-probabilities, via easydistill serve |');
    expect(card).toContain('| verify | 2,000 | 1,834 | wrong answer: 150, too long: 16 |');
    expect(card).toContain('| learningRate | 2.00e-5 |');
    expect(card).toContain('| Benchmark | Metric | Student | Teacher | Without teacher |');
    expect(card).toContain('| IFEval | prompt-level strict accuracy (%) | 41.2 | 71.9 | 35.5 |');
    expect(card).toContain('| MT-Bench | score (1-10) | 5.1 | 8.2 |  |');
    expect(card).toContain('```yaml\nname: staged\nstages:\n  - id: sft\n```');
    expect(card).toContain('[`report.html`](./report.html)');
    expect(card).toContain('`apache-2.0`');
    expect(card).toContain('llama-cli -m qwen2.5-0.5b-distilled-q8_0.gguf');
    expect(generateModelCard(input)).toBe(card);
  });

  it('marks a missing licence as other and says to set it', () => {
    const card = generateModelCard({ modelName: 'x' });
    expect(frontMatter(card).license).toBe('other');
    expect(card).toContain('Not stated');
  });

  it('escapes table cells and keeps code fences intact', () => {
    const card = generateModelCard({
      modelName: 'x',
      evaluation: [{ benchmark: 'a|b', metric: 'line\nbreak', student: 1 }],
      recipe: { name: 'r', text: 'prompt: "```"\n' },
    });
    expect(card).toContain('| a\\|b | line break | 1 |');
    expect(card).toContain('````yaml\nprompt: "```"\n````');
  });
});

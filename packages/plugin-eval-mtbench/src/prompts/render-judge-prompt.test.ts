import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readFixtureText, readModelAnswers } from '../__fixtures__/read-fixtures';
import { MT_BENCH_QUESTIONS, MT_BENCH_REFERENCE_ANSWERS } from '../data/mt-bench-data';
import { pythonFormat } from './python-format';
import { renderJudgePrompt } from './render-judge-prompt';

interface ExpectedPrompt {
  model: string;
  question_id: number;
  turn: 1 | 2;
  prompt_name: string;
  system_sha256: string;
  user_sha256: string;
  user_length: number;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('renderJudgePrompt', () => {
  it('renders all 960 prompts (6 answer sets × 80 questions × 2 turns) byte for byte as FastChat', () => {
    // expected_judge_prompts.json comes from render_expected_prompts.py: Python str.format on the
    // FastChat templates, as fastchat/llm_judge/common.py run_judge_single does.
    const expected = JSON.parse(readFixtureText('expected_judge_prompts.json')) as ExpectedPrompt[];
    const answers = readModelAnswers();
    expect(expected).toHaveLength(960);
    let checked = 0;
    for (const row of expected) {
      const question = MT_BENCH_QUESTIONS.find((entry) => entry.question_id === row.question_id)!;
      const answer = answers.get(row.model)!.find((entry) => entry.question_id === row.question_id)!;
      const reference = MT_BENCH_REFERENCE_ANSWERS.find((entry) => entry.question_id === row.question_id);
      const rendered = renderJudgePrompt(question, answer, row.turn, reference);
      const where = `${row.model} q${row.question_id} turn ${row.turn}`;
      expect(rendered.promptName, where).toBe(row.prompt_name);
      expect(sha256(rendered.systemPrompt), where).toBe(row.system_sha256);
      expect([...rendered.userPrompt].length, where).toBe(row.user_length);
      expect(sha256(rendered.userPrompt), where).toBe(row.user_sha256);
      expect(rendered.messages).toEqual([
        { role: 'system', content: rendered.systemPrompt },
        { role: 'user', content: rendered.userPrompt },
      ]);
      checked += 1;
    }
    expect(checked).toBe(960);
  });

  it('shows the whole conversation in turn 2 and the references for math', () => {
    const question = MT_BENCH_QUESTIONS.find((entry) => entry.category === 'math')!;
    const reference = MT_BENCH_REFERENCE_ANSWERS.find((entry) => entry.question_id === question.question_id)!;
    const answer = { choices: [{ index: 0, turns: ['first {answer}', 'second'] }] };
    const turn2 = renderJudgePrompt(question, answer, 2, reference);
    expect(turn2.promptName).toBe('single-math-v1-multi-turn');
    expect(turn2.userPrompt).toContain(`### User:\n${question.turns[0]}\n\n### Assistant A:\nfirst {answer}\n\n### User:\n${question.turns[1]}\n\n### Assistant A:\nsecond`);
    expect(turn2.userPrompt).toContain(`### Reference answer:\n${reference.choices[0].turns[1]}`);
    expect(() => renderJudgePrompt(question, answer, 1)).toThrow(/judged against a reference answer/);
    const writing = MT_BENCH_QUESTIONS.find((entry) => entry.category === 'writing')!;
    expect(renderJudgePrompt(writing, answer, 1).promptName).toBe('single-v1');
    expect(() => renderJudgePrompt(writing, { choices: [{ index: 0, turns: ['only one'] }] }, 2)).toThrow(/has 1 turn/);
  });
});

describe('pythonFormat', () => {
  it('substitutes once, keeps braces inside values and unescapes doubled braces', () => {
    expect(pythonFormat('a {x} b {y} {x}', { x: '{y}', y: '$&' })).toBe('a {y} b $& {y}');
    expect(pythonFormat('{{literal}} {x}', { x: '1' })).toBe('{literal} 1');
  });

  it('fails like Python on unknown fields and stray braces', () => {
    expect(() => pythonFormat('{missing}', {})).toThrow(/KeyError: 'missing'/);
    expect(() => pythonFormat('a } b', {})).toThrow(/Single '}'/);
    expect(() => pythonFormat('a { b', {})).toThrow();
    expect(() => pythonFormat('{x!r}', { x: '1' })).toThrow(/Unsupported format field/);
  });
});

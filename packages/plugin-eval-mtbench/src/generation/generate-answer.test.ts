import { describe, expect, it } from 'vitest';
import { MT_BENCH_QUESTIONS } from '../data/mt-bench-data';
import { generateAnswer, type AnswerMessage } from './generate-answer';

describe('generateAnswer', () => {
  it('answers two turns with the full history and the category temperature', async () => {
    const calls: Array<{ messages: AnswerMessage[]; temperature: number; maxTokens: number }> = [];
    const math = MT_BENCH_QUESTIONS.find((question) => question.category === 'math')!;
    const answer = await generateAnswer(
      math,
      async (request) => {
        calls.push(request);
        return `  answer ${calls.length}\n`;
      },
      'student',
    );
    expect(answer).toEqual({ question_id: math.question_id, model_id: 'student', choices: [{ index: 0, turns: ['answer 1', 'answer 2'] }] });
    expect(calls.map((call) => call.temperature)).toEqual([0, 0]);
    expect(calls[0].maxTokens).toBe(1024);
    expect(calls[1].messages).toEqual([
      { role: 'user', content: math.turns[0] },
      { role: 'assistant', content: 'answer 1' },
      { role: 'user', content: math.turns[1] },
    ]);
  });

  it('records ERROR for a failed turn and goes on', async () => {
    const writing = MT_BENCH_QUESTIONS.find((question) => question.category === 'writing')!;
    let call = 0;
    const temperatures: number[] = [];
    const answer = await generateAnswer(
      writing,
      async (request) => {
        call += 1;
        temperatures.push(request.temperature);
        if (call === 1) throw new Error('endpoint down');
        return 'fine';
      },
      'student',
    );
    expect(answer.choices[0].turns).toEqual(['ERROR', 'fine']);
    expect(temperatures).toEqual([0.7, 0.7]);
  });
});

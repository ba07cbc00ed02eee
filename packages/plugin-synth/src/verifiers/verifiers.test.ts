import { describe, expect, it } from 'vitest';
import { scriptedTeacher, testContext, userText } from '../__fixtures__/scripted-teacher';
import { answersEquivalent, extractFinalAnswer } from '../shared/math-answer';
import { detectLanguage } from './detect-language';
import { judgeVerifierDefinition, judgeVerifierOptionsSchema } from './judge-verifier';
import { MathAnswerVerifier, mathAnswerVerifierOptionsSchema } from './math-answer-verifier';
import { RulesVerifier, rulesVerifierOptionsSchema } from './rules-verifier';
import { selfConsistencyVerifierDefinition, selfConsistencyVerifierOptionsSchema } from './self-consistency-verifier';

describe('synth/rules', () => {
  const verify = (options: Record<string, unknown>, output: string) => new RulesVerifier(rulesVerifierOptionsSchema.parse(options)).doVerify({ id: 'r', instruction: 'q', output });

  it('checks JSON validity and shape, length bounds, required and banned phrases, listing every failure', async () => {
    expect((await verify({ json: true }, '```json\n{"a": 1}\n```')).pass).toBe(true);
    expect((await verify({ json: 'array' }, '{"a": 1}')).reason).toBe('JSON is not an array');
    expect((await verify({ json: 'object' }, '{"a": 1,}')).reason).toBe('not valid JSON');
    const failed = await verify({ minWords: 6, maxChars: 10, required: ['therefore'], banned: ['as an ai'] }, 'As an AI, I refuse.');
    expect(failed.pass).toBe(false);
    expect(failed.reason).toBe('19 characters > maxChars 10; 5 words < minWords 6; missing required phrase "therefore"; contains banned phrase "as an ai"');
    expect((await verify({ banned: ['as an ai'], caseSensitive: true }, 'As an AI')).pass).toBe(true);
    expect((await new RulesVerifier(rulesVerifierOptionsSchema.parse({ field: 'meta.answer' })).doVerify({ id: 'x' })).reason).toBe('no text at meta.answer');
  });

  it('checks the language by script and function words', async () => {
    expect(detectLanguage('The cat is on the table and it is happy.')).toBe('en');
    expect(detectLanguage('Le chat est sur la table et il est content.')).toBe('fr');
    expect(detectLanguage('Der Hund ist nicht in dem Haus, und die Katze auch nicht.')).toBe('de');
    expect(detectLanguage('今天天气很好，我们去公园散步吧。')).toBe('zh');
    expect(detectLanguage('今日はとても良い天気ですね。')).toBe('ja');
    expect(detectLanguage('Привет, как дела?')).toBe('ru');
    expect(detectLanguage('12345 !!!')).toBeUndefined();
    const verdict = await verify({ language: 'en' }, 'Le chat est sur la table et il est content.');
    expect(verdict).toMatchObject({ pass: false, reason: 'language looks like fr, expected en', annotations: { language: 'fr' } });
  });
});

describe('synth/math-answer', () => {
  it('extracts boxed (nested), ####, stated and last-number answers', () => {
    expect(extractFinalAnswer('so \\boxed{\\frac{1}{2}} and later \\boxed{x^{2}+1}')).toBe('x^{2}+1');
    expect(extractFinalAnswer('work...\n#### 1,234')).toBe('1,234');
    expect(extractFinalAnswer('Thus the answer is 42.')).toBe('42');
    expect(extractFinalAnswer('we get 3 then 7/8')).toBe('7/8');
    expect(extractFinalAnswer('no digits')).toBeUndefined();
  });

  it('compares numbers, fractions, percentages and LaTeX text', () => {
    expect(answersEquivalent('\\frac{1}{2}', '0.5')).toBe(true);
    expect(answersEquivalent('\\dfrac{3}{4}', '3/4')).toBe(true);
    expect(answersEquivalent('50\\%', '0.5')).toBe(true);
    expect(answersEquivalent('1,000', '1000')).toBe(true);
    expect(answersEquivalent('x = 5', '5')).toBe(true);
    expect(answersEquivalent('\\text{Paris}', 'paris')).toBe(true);
    expect(answersEquivalent('90^\\circ', '90')).toBe(true);
    expect(answersEquivalent('1/3', '0.33')).toBe(false);
    expect(answersEquivalent('\\sqrt{2}', '\\sqrt{3}')).toBe(false);
  });

  it('passes a row whose final answer equals the reference, and explains a mismatch', async () => {
    const verifier = new MathAnswerVerifier(mathAnswerVerifierOptionsSchema.parse({}));
    expect(await verifier.doVerify({ id: 'a', instruction: 'q', output: 'Half of one is \\boxed{\\frac12}', answer: '0.5' })).toMatchObject({ pass: true });
    expect(await verifier.doVerify({ id: 'b', instruction: 'q', output: 'It is 3.', meta: { answer: 'Reasoning ... #### 4' } })).toMatchObject({
      pass: false,
      reason: 'final answer 3 differs from the reference 4',
    });
    expect((await verifier.doVerify({ id: 'c', instruction: 'q', output: 'x' })).reason).toMatch(/^no reference answer at answer/);
  });
});

describe('synth/judge', () => {
  it('passes on factuality and consistency at or above the minimums, fails with the judge reason, keeps the raw text of a bad reply', async () => {
    const replies: Record<string, string> = {
      good: '<factuality>8</factuality><consistency>9</consistency><verdict>pass</verdict><reason>none</reason>',
      bad: '<factuality>3</factuality><consistency>7</consistency><verdict>fail</verdict><reason>wrong capital</reason>',
      junk: 'I think it is fine',
    };
    const judge = scriptedTeacher((request) => replies[/Response:\n(\w+)/.exec(userText(request))![1]!]!);
    const verifier = await judgeVerifierDefinition.create({ options: judgeVerifierOptionsSchema.parse({ teacher: 'judge' }), context: testContext({ judge }) });
    expect(await verifier.doVerify({ id: '1', instruction: 'Capital of France?', output: 'good' })).toEqual({
      pass: true,
      reason: 'factuality 8, consistency 9',
      annotations: { factuality: 8, consistency: 9, verdict: 'pass', reason: 'none' },
    });
    expect((await verifier.doVerify({ id: '2', instruction: 'Capital of France?', output: 'bad' })).reason).toBe('factuality 3 < 6; judge verdict fail (wrong capital)');
    const junk = await verifier.doVerify({ id: '3', instruction: 'Capital of France?', output: 'junk' });
    expect(junk).toMatchObject({ pass: false, annotations: { raw: 'I think it is fine' } });
    expect(judge.calls[0]!.temperature).toBe(0);
  });
});

describe('synth/self-consistency', () => {
  it('samples n answers, takes the majority (equivalent answers grouped) and checks the row agrees', async () => {
    const teacher = scriptedTeacher(() => ['\\boxed{1/2}', 'so 0.5', 'the answer is 0.50', '\\boxed{3}', 'hmm']);
    const verifier = await selfConsistencyVerifierDefinition.create({ options: selfConsistencyVerifierOptionsSchema.parse({ teacher: 't', n: 5 }), context: testContext({ t: teacher }) });
    const pass = await verifier.doVerify({ id: 'a', instruction: 'What is one half?', output: '\\boxed{\\frac{1}{2}}' });
    expect(pass).toMatchObject({ pass: true, annotations: { majority: '1/2', agreement: 0.6, samples: 5 } });
    expect(teacher.calls[0]!.n).toBe(5);
    const differs = await verifier.doVerify({ id: 'b', instruction: 'What is one half?', output: 'It is 3' });
    expect(differs.reason).toBe('row answer "3" differs from the majority "1/2" (3/5)');
    const strict = await selfConsistencyVerifierDefinition.create({ options: selfConsistencyVerifierOptionsSchema.parse({ teacher: 't', minAgreement: 0.8 }), context: testContext({ t: teacher }) });
    expect((await strict.doVerify({ id: 'c', instruction: 'q', output: '0.5' })).reason).toMatch(/^agreement 0\.60 < 0\.8/);
  });
});

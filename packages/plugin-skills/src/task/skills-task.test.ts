import { describe, expect, it } from 'vitest';
import { generateItems } from './generate-items';
import { isCorrect, parseInstruction } from './parse-instruction';
import { SKILLS, WORDS, renderPhrasing } from './skills';

describe('skills task', () => {
  it('parses every phrasing of every skill back to its skill, slots and answer', () => {
    for (const skill of SKILLS) {
      for (const phrasing of [...skill.train, ...skill.heldOut]) {
        const args = skill.id === 'subtract' ? { a: 57, b: 18 } : { a: 23, b: 19, n: 3, w: 'kavo' };
        const parsed = parseInstruction(`  ${renderPhrasing(phrasing, args)} `);
        expect(parsed?.skill.id, phrasing).toBe(skill.id);
        expect(parsed!.phrasing).toBe(phrasing);
        expect(parsed!.heldOut).toBe(skill.heldOut.includes(phrasing));
        expect(parsed!.expected).toBe(skill.answer(args));
      }
    }
  });

  it('computes the answers by rule', () => {
    expect(parseInstruction('What is 12 plus 30?')!.expected).toBe('42');
    expect(parseInstruction('Subtract 8 from 20.')!.expected).toBe('12');
    expect(parseInstruction('Reverse the word "stone".')!.expected).toBe('enots');
    expect(parseInstruction('Convert "abc" to uppercase.')!.expected).toBe('ABC');
    expect(parseInstruction('Count the letters in "banana".')!.expected).toBe('6');
    expect(parseInstruction('Repeat "ok" 3 times, separated by spaces.')!.expected).toBe('ok ok ok');
    expect(parseInstruction('Add 2 and 3. Answer in JSON with the key "answer".')!.expected).toBe('{"answer": 5}');
  });

  it('rejects text that is not an item, and slot values a skill cannot take', () => {
    expect(parseInstruction('Write a poem about the sea.')).toBeUndefined();
    expect(parseInstruction('What is 12 plus?')).toBeUndefined();
    expect(parseInstruction('Subtract 30 from 20.')).toBeUndefined();
    expect(parseInstruction('Repeat "ok" 0 times, separated by spaces.')).toBeUndefined();
    expect(parseInstruction('Reverse the word "Stone".')).toBeUndefined();
  });

  it('checks answers exactly, ignoring surrounding whitespace', () => {
    expect(isCorrect(' 42\n', '42')).toBe(true);
    expect(isCorrect('The answer is 42', '42')).toBe(false);
    expect(isCorrect('{"answer":5}', '{"answer": 5}')).toBe(false);
  });

  it('draws the same distinct items for the same seed, from the asked phrasings', () => {
    const first = generateItems({ perSkill: 5, seed: 3, phrasings: 'held-out' });
    expect(generateItems({ perSkill: 5, seed: 3, phrasings: 'held-out' })).toEqual(first);
    expect(generateItems({ perSkill: 5, seed: 4, phrasings: 'held-out' })).not.toEqual(first);
    expect(first).toHaveLength(5 * SKILLS.length);
    expect(new Set(first.map((row) => row.instruction)).size).toBe(first.length);
    expect(new Set(first.map((row) => row.id)).size).toBe(first.length);
    for (const row of first) {
      const parsed = parseInstruction(row.instruction!)!;
      expect(parsed.heldOut).toBe(true);
      expect(row.output).toBe(parsed.expected);
      expect(row.meta).toMatchObject({ skill: parsed.skill.id, heldOut: true, answer: parsed.expected });
    }
    const train = generateItems({ perSkill: 3, seed: 3, phrasings: 'train', skills: ['add'], exclude: new Set(first.map((row) => row.instruction!)) });
    expect(train.map((row) => row.meta?.skill)).toEqual(['add', 'add', 'add']);
    expect(train.every((row) => parseInstruction(row.instruction!)!.heldOut === false)).toBe(true);
  });

  it('draws small items: single-digit operands, differences from at most 18, words of the closed list', () => {
    const rows = generateItems({ perSkill: 40, seed: 5, phrasings: 'all' });
    for (const row of rows) {
      const { args, skill } = parseInstruction(row.instruction!)!;
      if (skill.id === 'subtract') expect(args.a! <= 18 && args.b! <= 9 && args.a! - args.b! <= 9).toBe(true);
      else if (args.a !== undefined) expect(Math.max(args.a, args.b!)).toBeLessThanOrEqual(9);
      if (args.w !== undefined) expect(WORDS).toContain(args.w);
    }
    expect(new Set(WORDS).size).toBe(WORDS.length);
    expect(WORDS.every((word) => /^[a-z]{2,7}$/.test(word))).toBe(true);
  });
});

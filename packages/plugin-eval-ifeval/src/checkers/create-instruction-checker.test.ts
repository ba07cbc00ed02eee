import { describe, expect, it } from 'vitest';
import { loadGpt4Variants } from '../__fixtures__/gpt4-fixtures';
import { readIfevalInputData } from '../read-input-data';
import { pythonStrip } from '../python/python-string';
import { createInstructionChecker, INSTRUCTION_IDS } from './create-instruction-checker';

const check = (id: string, kwargs: Record<string, unknown>, value: string): boolean => createInstructionChecker(id, kwargs).check(value);

describe('the 25 IFEval checkers', () => {
  it('registers the 25 official instruction ids', () => {
    expect(INSTRUCTION_IDS).toHaveLength(25);
  });

  it('gives the official verdict of every instruction on every loose variant (832 × 8)', async () => {
    const inputs = await readIfevalInputData();
    const mismatches: string[] = [];
    let compared = 0;
    for (const [itemIndex, { detail, variants }] of loadGpt4Variants().entries()) {
      const input = inputs[itemIndex]!;
      expect(input.key).toBe(detail.key);
      input.instruction_id_list.forEach((id, index) => {
        if (detail.nondeterministic[index]) return;
        const checker = createInstructionChecker(id, input.kwargs[index]);
        variants.forEach((variant, variantIndex) => {
          compared += 1;
          const verdict = pythonStrip(variant) !== '' && checker.check(variant);
          if (verdict !== detail.verdicts_by_variant[index]![variantIndex]) {
            mismatches.push(`key ${detail.key} ${id} ${detail.variant_order[variantIndex]}: ${verdict}`);
          }
        });
      });
    }
    expect(compared).toBe(832 * 8);
    expect(mismatches).toEqual([]);
  }, 30_000);

  it('keywords: substring existence, non-overlapping frequency, Unicode whole-word forbidden words', () => {
    expect(check('keywords:existence', { keywords: ['cat', 'DOG'] }, 'Concatenate the hotdogs')).toBe(true);
    expect(check('keywords:frequency', { keyword: ' aa ', frequency: 2, relation: 'at least' }, 'aaaa')).toBe(true);
    expect(check('keywords:frequency', { keyword: 'aa', frequency: 3, relation: 'less than' }, 'aaaaa')).toBe(true);
    expect(check('keywords:forbidden_words', { forbidden_words: ['cafe'] }, 'the cafeé is open')).toBe(true);
    expect(check('keywords:forbidden_words', { forbidden_words: ['cafe'] }, 'the CAFE, open')).toBe(false);
    expect(check('keywords:letter_frequency', { letter: 'E', let_frequency: 3, let_relation: 'at least' }, 'eEe')).toBe(true);
    expect(check('keywords:letter_frequency', { letter: '#', let_frequency: 2, let_relation: 'at least' }, '#a#')).toBe(true);
  });

  it('length constraints: paragraphs on ***, nth paragraph first word', () => {
    expect(check('length_constraints:number_paragraphs', { num_paragraphs: 2 }, '***\nA\n***\nB\n***')).toBe(true);
    expect(check('length_constraints:number_paragraphs', { num_paragraphs: 2 }, 'A\n***\n\n***\nB')).toBe(false);
    const nth = { num_paragraphs: 2, nth_paragraph: 2, first_word: 'Summer' };
    expect(check('length_constraints:nth_paragraph_first_word', nth, 'One.\n\n"\'Summer\'s here.')).toBe(false);
    expect(check('length_constraints:nth_paragraph_first_word', nth, 'One.\n\n\'"Summer, here.')).toBe(true);
    expect(check('length_constraints:nth_paragraph_first_word', nth, '\n\nOne.\n\nSummer here.\n\n')).toBe(false);
    expect(check('length_constraints:number_words', { num_words: 3, relation: 'less than' }, "don't stop")).toBe(false);
  });

  it('detectable content and format: placeholders, postscript anywhere, bullets, highlights, sections, JSON, title', () => {
    expect(check('detectable_content:number_placeholders', { num_placeholders: 2 }, '[a] [b\n] [c]')).toBe(true);
    expect(check('detectable_content:number_placeholders', { num_placeholders: 3 }, '[a] [b\n] [c]')).toBe(false);
    expect(check('detectable_content:postscript', { postscript_marker: 'P.P.S' }, 'text p. p. s more')).toBe(true);
    expect(check('detectable_content:postscript', { postscript_marker: 'P.S.' }, 'no postscript')).toBe(false);
    expect(check('detectable_format:number_bullet_lists', { num_bullets: 4 }, '* a\n** b\n- c\n---\n  *d')).toBe(true);
    expect(check('detectable_format:number_highlighted_sections', { num_highlights: 2 }, '**bold** and *it* and ** **')).toBe(true);
    expect(check('detectable_format:number_highlighted_sections', { num_highlights: 2 }, '**bold** and * *')).toBe(false);
    expect(check('detectable_format:multiple_sections', { section_spliter: 'SECTION', num_sections: 2 }, 'SECTION 1\nx\nSECTION 2\ny')).toBe(true);
    expect(check('detectable_format:multiple_sections', { section_spliter: 'Section', num_sections: 2 }, 'SECTION 1\nx\nSECTION 2\ny')).toBe(false);
    expect(check('detectable_format:json_format', {}, '```json\n{"a": NaN}\n```')).toBe(true);
    expect(check('detectable_format:json_format', {}, '```js\n{"a": 1}\n```')).toBe(false);
    expect(check('detectable_format:title', {}, '<<  >> then <<Real title>>')).toBe(true);
    expect(check('detectable_format:title', {}, '<<broken\ntitle>>')).toBe(false);
    expect(check('detectable_format:constrained_response', {}, '  My answer is maybe. ')).toBe(true);
  });

  it('combination, start/end, case and punctuation', () => {
    expect(check('combination:two_responses', {}, 'A\n******\nB')).toBe(true);
    expect(check('combination:two_responses', {}, 'A\n******\n A \n')).toBe(false);
    expect(check('combination:two_responses', {}, 'A******\n******B')).toBe(false);
    expect(check('combination:repeat_prompt', { prompt_to_repeat: 'Say Hi.' }, ' say hi. Hi!')).toBe(true);
    expect(check('startend:end_checker', { end_phrase: 'Any other questions?' }, 'Text. any other QUESTIONS?"" ')).toBe(true);
    expect(check('startend:quotation', {}, ' "quoted" ')).toBe(true);
    expect(check('startend:quotation', {}, '"')).toBe(false);
    expect(check('change_case:capital_word_frequency', { capital_frequency: 3, capital_relation: 'at least' }, "I SAID U.S. isn't OK")).toBe(true);
    expect(check('change_case:english_capital', {}, 'THIS IS AN ENGLISH SENTENCE ABOUT THE WEATHER TODAY.')).toBe(true);
    expect(check('change_case:english_capital', {}, 'This is not all capitals.')).toBe(false);
    expect(check('change_case:english_lowercase', {}, 'this is an english sentence about the weather today.')).toBe(true);
    expect(check('change_case:english_lowercase', {}, 'ceci est une phrase en français sur le temps.')).toBe(false);
    expect(check('punctuation:no_comma', {}, 'fullwidth，is fine')).toBe(true);
    expect(check('punctuation:no_comma', {}, 'a, b')).toBe(false);
    expect(check('language:response_language', { language: 'de' }, 'Dies ist ein deutscher Satz über das Wetter.')).toBe(true);
    expect(check('language:response_language', { language: 'de' }, '12345')).toBe(true);
  });

  it('drops null kwargs (Hugging Face format) and names the id and kwarg on bad input', () => {
    expect(check('punctuation:no_comma', { num_words: null, relation: null }, 'ok')).toBe(true);
    expect(() => createInstructionChecker('keywords:unknown', {})).toThrow(/Unknown IFEval instruction id "keywords:unknown"/);
    expect(() => createInstructionChecker('length_constraints:number_words', { num_words: 'ten', relation: 'at least' })).toThrow(
      /"length_constraints:number_words": kwarg "num_words" must be an integer/,
    );
    expect(() => createInstructionChecker('length_constraints:number_words', { num_words: 10, relation: 'at most' })).toThrow(/"less than" or "at least"/);
  });
});

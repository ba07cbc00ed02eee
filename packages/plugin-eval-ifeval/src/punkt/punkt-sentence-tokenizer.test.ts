import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixturePath, loadGpt4Variants } from '../__fixtures__/gpt4-fixtures';
import { countSentences, englishSentenceTokenizer } from './punkt-sentence-tokenizer';

const reference = JSON.parse(readFileSync(fixturePath('python_reference.json'), 'utf8')) as {
  punkt_and_word_tokenize: Array<{ text: string; sentences: string[] }>;
};

describe('Punkt English sentence tokenizer', () => {
  it.each(reference.punkt_and_word_tokenize.map((row) => [row.text, row.sentences] as const))(
    'splits %j as NLTK 3.8 does',
    (text, sentences) => {
      expect(englishSentenceTokenizer().tokenize(text)).toEqual(sentences);
    },
  );

  it('counts the sentences of all 4,328 GPT-4 response variants as the official count_sentences', () => {
    const mismatches: string[] = [];
    for (const { detail, variants } of loadGpt4Variants()) {
      variants.forEach((variant, index) => {
        const expected = detail.variant_features[index]!.count_sentences;
        const actual = countSentences(variant);
        if (actual !== expected) mismatches.push(`key ${detail.key} ${detail.variant_order[index]}: ${actual} ≠ ${expected}`);
      });
    }
    expect(mismatches).toEqual([]);
  });
});

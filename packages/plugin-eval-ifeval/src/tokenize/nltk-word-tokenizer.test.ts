import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixturePath, loadGpt4Variants } from '../__fixtures__/gpt4-fixtures';
import { pythonIsUpper } from '../python/python-string';
import { countWords } from './count-words';
import { treebankTokenize, wordTokenize } from './nltk-word-tokenizer';

const reference = JSON.parse(readFileSync(fixturePath('python_reference.json'), 'utf8')) as {
  punkt_and_word_tokenize: Array<{ text: string; words: string[] }>;
  regexp_words: Array<{ text: string; words: string[] }>;
};

describe('nltk.word_tokenize and RegexpTokenizer(r"\\w+")', () => {
  it.each(reference.punkt_and_word_tokenize.map((row) => [row.text, row.words] as const))(
    'tokenizes %j as NLTK 3.8 does',
    (text, words) => {
      expect(wordTokenize(text)).toEqual(words);
    },
  );

  it('splits contractions and quotes like NLTKWordTokenizer', () => {
    expect(treebankTokenize('"They\'ll gonna do it," she said.')).toEqual(['``', 'They', "'ll", 'gon', 'na', 'do', 'it', ',', "''", 'she', 'said', '.']);
  });

  it.each(reference.regexp_words.map((row) => [row.text, row.words.length] as const))('counts Python \\w+ words in %j', (text, count) => {
    expect(countWords(text)).toBe(count);
  });

  it('matches the official word and capital-word counts on all 4,328 GPT-4 response variants', () => {
    const mismatches: string[] = [];
    for (const { detail, variants } of loadGpt4Variants()) {
      variants.forEach((variant, index) => {
        const expected = detail.variant_features[index]!;
        const words = countWords(variant);
        const capitals = wordTokenize(variant).filter(pythonIsUpper).length;
        if (words !== expected.count_words) mismatches.push(`key ${detail.key} v${index} words ${words} ≠ ${expected.count_words}`);
        if (capitals !== expected.capital_words) mismatches.push(`key ${detail.key} v${index} capitals ${capitals} ≠ ${expected.capital_words}`);
      });
    }
    expect(mismatches).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { loadGpt4Variants } from '../__fixtures__/gpt4-fixtures';
import { detectLanguage, detectLanguageProbabilities, LanguageDetectionError } from './langdetect';
import { PythonRandom } from './python-random';

describe('PythonRandom (CPython random.Random)', () => {
  it('reproduces the CPython 3.11 stream for seed 0', () => {
    // Values printed by CPython 3.11.2: random.Random(0), then getrandbits(32)×3, random(),
    // gauss(0, 1)×2, choice(range(1000)), choice(range(77)).
    const random = new PythonRandom(0);
    expect([random.nextUint32(), random.nextUint32(), random.nextUint32()]).toEqual([3626764237, 1654615998, 3255389356]);
    expect(random.random()).toBe(0.890243920837131);
    expect(random.gauss(0, 1)).toBe(2.5110373812253317);
    expect(random.gauss(0, 1)).toBe(0.6528772028059545);
    expect(random.choice([...Array(1000).keys()])).toBe(497);
    expect(random.choice([...Array(77).keys()])).toBe(51);
  });
});

describe('langdetect 1.0.9 port', () => {
  it.each([
    ["Bonjour tout le monde, comment allez-vous aujourd'hui ?", 'fr', 0.999997],
    ['Dies ist ein deutscher Satz über das Wetter.', 'de', 0.999997],
    ['これは日本語の文章です。', 'ja', 0.999999],
    ['这是一个中文句子。', 'zh-cn', 0.999998],
    ['Это предложение на русском языке.', 'ru', 0.999997],
    ['Tôi yêu tiếng Việt rất nhiều.', 'vi', 1.0],
    ['안녕하세요 반갑습니다', 'ko', 0.999996],
    ['HELLO WORLD THIS IS ALL CAPS', 'en', 0.999996],
  ] as const)('detect_langs(%j) with seed 0 → %s (%f), as Python', (text, language, probability) => {
    const [best, ...rest] = detectLanguageProbabilities(text, { seed: 0 });
    expect(best!.language).toBe(language);
    expect(best!.probability).toBeCloseTo(probability, 6);
    expect(rest).toEqual([]);
  });

  it('throws LanguageDetectionError for text without features, as Python raises LangDetectException', () => {
    expect(() => detectLanguage('12345 !!! ...')).toThrow(LanguageDetectionError);
    expect(() => detectLanguage('')).toThrow(LanguageDetectionError);
  });

  it('matches langdetect_seed0 on all 760 GPT-4 variants where the official checkers call it', () => {
    const mismatches: string[] = [];
    let compared = 0;
    for (const { detail, variants } of loadGpt4Variants()) {
      variants.forEach((variant, index) => {
        const features = detail.variant_features[index]!;
        if (!('langdetect_seed0' in features)) return;
        compared += 1;
        let language: string | null;
        try {
          language = detectLanguage(variant, { seed: 0 });
        } catch (error) {
          if (!(error instanceof LanguageDetectionError)) throw error;
          language = null;
        }
        if (language !== features.langdetect_seed0) mismatches.push(`key ${detail.key} v${index}: ${language} ≠ ${features.langdetect_seed0}`);
      });
    }
    expect(compared).toBe(760);
    expect(mismatches).toEqual([]);
  }, 30_000);
});

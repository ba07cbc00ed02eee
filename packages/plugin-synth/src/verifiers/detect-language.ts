/** Languages `detectLanguage` can tell apart (ISO 639-1). */
export const DETECTABLE_LANGUAGES = ['en', 'fr', 'de', 'es', 'it', 'pt', 'nl', 'zh', 'ja', 'ko', 'ru', 'ar', 'he', 'el', 'hi', 'th'] as const;
export type LanguageCode = (typeof DETECTABLE_LANGUAGES)[number];

const SCRIPTS: Array<[LanguageCode, RegExp]> = [
  ['ja', /[\u3040-\u30ff]/gu],
  ['ko', /[\uac00-\ud7af\u1100-\u11ff]/gu],
  ['zh', /[\u4e00-\u9fff\u3400-\u4dbf]/gu],
  ['ru', /[\u0400-\u04ff]/gu],
  ['ar', /[\u0600-\u06ff]/gu],
  ['he', /[\u0590-\u05ff]/gu],
  ['el', /[\u0370-\u03ff]/gu],
  ['hi', /[\u0900-\u097f]/gu],
  ['th', /[\u0e00-\u0e7f]/gu],
];

/** Frequent function words of the Latin-script languages (scored by share of the text's words). */
const STOPWORDS: Record<'en' | 'fr' | 'de' | 'es' | 'it' | 'pt' | 'nl', string[]> = {
  en: ['the', 'and', 'of', 'to', 'is', 'in', 'that', 'it', 'for', 'you', 'with', 'are', 'this', 'on', 'be', 'as', 'was', 'have', 'not', 'or'],
  fr: ['le', 'la', 'les', 'et', 'des', 'est', 'un', 'une', 'du', 'que', 'pour', 'dans', 'pas', 'qui', 'sur', 'au', 'avec', 'vous', 'ce', 'sont'],
  de: ['der', 'die', 'und', 'das', 'ist', 'nicht', 'ein', 'eine', 'zu', 'den', 'mit', 'sich', 'auf', 'für', 'von', 'dem', 'auch', 'es', 'sie', 'wir'],
  es: ['el', 'la', 'de', 'que', 'y', 'los', 'las', 'en', 'un', 'una', 'es', 'por', 'con', 'para', 'del', 'se', 'no', 'lo', 'como', 'más'],
  it: ['il', 'la', 'di', 'che', 'e', 'non', 'un', 'una', 'per', 'gli', 'le', 'del', 'della', 'sono', 'con', 'come', 'anche', 'nel', 'questo', 'è'],
  pt: ['o', 'a', 'de', 'que', 'e', 'os', 'as', 'um', 'uma', 'não', 'para', 'com', 'do', 'da', 'em', 'no', 'na', 'por', 'mais', 'são'],
  nl: ['de', 'het', 'een', 'en', 'van', 'is', 'dat', 'niet', 'op', 'te', 'zijn', 'met', 'voor', 'die', 'er', 'ook', 'als', 'maar', 'wij', 'aan'],
};

/**
 * Best-guess language of a text: by script for non-Latin scripts (the script holding most letters),
 * else by the share of each Latin language's function words. Undefined for text with no letters.
 * A heuristic for filtering synthetic data, not a general language identifier.
 */
export function detectLanguage(text: string): LanguageCode | undefined {
  const letters = (text.match(/\p{L}/gu) ?? []).length;
  if (letters === 0) return undefined;
  let bestScript: [LanguageCode, number] | undefined;
  for (const [language, pattern] of SCRIPTS) {
    const count = (text.match(pattern) ?? []).length;
    if (count > 0 && (!bestScript || count > bestScript[1])) bestScript = [language, count];
  }
  // Japanese text mixes kana with Han; kana present in quantity means Japanese.
  const kana = (text.match(/[\u3040-\u30ff]/gu) ?? []).length;
  if (kana > 0 && kana >= letters * 0.05) return 'ja';
  if (bestScript && bestScript[1] >= letters * 0.3) return bestScript[0];
  const tokens = text.toLowerCase().match(/\p{L}+/gu) ?? [];
  let best: ['en' | 'fr' | 'de' | 'es' | 'it' | 'pt' | 'nl', number] = ['en', 0];
  for (const [language, list] of Object.entries(STOPWORDS) as Array<[keyof typeof STOPWORDS, string[]]>) {
    const set = new Set(list);
    const hits = tokens.filter((token) => set.has(token)).length;
    if (hits > best[1]) best = [language, hits];
  }
  return best[0];
}

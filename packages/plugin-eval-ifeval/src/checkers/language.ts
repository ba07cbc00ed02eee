import { detectLanguage, LanguageDetectionError } from '../langdetect/langdetect';
import type { CheckerOptions } from './instruction-checker';
import type { KwargsReader } from './kwargs';

/**
 * langdetect's verdict as the official checkers use it: `detect(value) === language`, and
 * **true** when langdetect finds no features in the text (the official code counts that as
 * followed).
 */
export function languageIs(value: string, language: string, options: CheckerOptions): boolean {
  try {
    return detectLanguage(value, { seed: options.languageDetectionSeed ?? 0 }) === language;
  } catch (error) {
    if (error instanceof LanguageDetectionError) return true;
    throw error;
  }
}

/** `language:response_language`: the whole response is detected as `language` (ISO 639-1). */
export function responseLanguage(kwargs: KwargsReader, options: CheckerOptions): (value: string) => boolean {
  const language = kwargs.string('language');
  return (value) => languageIs(value, language, options);
}

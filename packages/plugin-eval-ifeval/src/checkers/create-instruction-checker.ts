import { DistillError } from '@easydistill/core';
import { capitalWordFrequency, englishCapital, englishLowercase } from './change-case';
import { repeatPrompt, twoResponses } from './combination';
import { numberOfPlaceholders, postscript } from './detectable-content';
import {
  constrainedResponse,
  jsonFormat,
  multipleSections,
  numberOfBulletLists,
  numberOfHighlightedSections,
  title,
} from './detectable-format';
import type { CheckerOptions, InstructionChecker, InstructionKwargs } from './instruction-checker';
import { forbiddenWords, keywordExistence, keywordFrequency, letterFrequency } from './keywords';
import { KwargsReader } from './kwargs';
import { responseLanguage } from './language';
import { nthParagraphFirstWord, numberOfParagraphs, numberOfSentences, numberOfWords } from './length-constraints';
import { noComma } from './punctuation';
import { endChecker, quotation } from './startend';

type Factory = (kwargs: KwargsReader, options: CheckerOptions) => (value: string) => boolean;

/** The 25 registered IFEval instruction ids (google-research `instructions_registry.py`). */
const FACTORIES: Readonly<Record<string, Factory>> = {
  'keywords:existence': keywordExistence,
  'keywords:frequency': keywordFrequency,
  'keywords:forbidden_words': forbiddenWords,
  'keywords:letter_frequency': letterFrequency,
  'language:response_language': responseLanguage,
  'length_constraints:number_sentences': numberOfSentences,
  'length_constraints:number_paragraphs': numberOfParagraphs,
  'length_constraints:number_words': numberOfWords,
  'length_constraints:nth_paragraph_first_word': nthParagraphFirstWord,
  'detectable_content:number_placeholders': numberOfPlaceholders,
  'detectable_content:postscript': postscript,
  'detectable_format:number_bullet_lists': numberOfBulletLists,
  'detectable_format:constrained_response': () => constrainedResponse(),
  'detectable_format:number_highlighted_sections': numberOfHighlightedSections,
  'detectable_format:multiple_sections': multipleSections,
  'detectable_format:json_format': () => jsonFormat(),
  'detectable_format:title': () => title(),
  'combination:two_responses': () => twoResponses(),
  'combination:repeat_prompt': repeatPrompt,
  'startend:end_checker': endChecker,
  'startend:quotation': () => quotation(),
  'change_case:capital_word_frequency': capitalWordFrequency,
  'change_case:english_capital': (_kwargs, options) => englishCapital(options),
  'change_case:english_lowercase': (_kwargs, options) => englishLowercase(options),
  'punctuation:no_comma': () => noComma(),
};

/** All instruction ids this scorer knows, in registry order. */
export const INSTRUCTION_IDS: readonly string[] = Object.keys(FACTORIES);

/**
 * Builds the checker of one instruction, like the official `build_description(**kwargs)`.
 * Null kwargs (the Hugging Face `google/IFEval` copy fills unused keys with null) are dropped.
 * Throws a DistillError (`INVALID_DATASET`) for an unknown id or a missing/ill-typed kwarg.
 */
export function createInstructionChecker(
  id: string,
  kwargs: InstructionKwargs = {},
  options: CheckerOptions = {},
): InstructionChecker {
  const factory = FACTORIES[id];
  if (!factory) {
    throw new DistillError({
      code: 'INVALID_DATASET',
      message: `Unknown IFEval instruction id "${id}". Known ids: ${INSTRUCTION_IDS.join(', ')}.`,
    });
  }
  const present = Object.fromEntries(Object.entries(kwargs).filter(([, value]) => value !== null && value !== undefined));
  const check = factory(new KwargsReader(id, present), options);
  return { id, check };
}

import { z } from 'zod';
import { defineVerifier, type RowV1, type VerifierV1, type VerifierV1Verdict } from '@easydistill/core';
import { readPath, responseOf } from '../shared/row-text';
import { DETECTABLE_LANGUAGES, detectLanguage } from './detect-language';

export const rulesVerifierOptionsSchema = z.strictObject({
  /** Field checked (dotted path); default the response (`output` or the last assistant message). */
  field: z.string().min(1).optional(),
  /** The text must be JSON (`true` / `any`), a JSON object, or a JSON array; a ```json fence around it is allowed. */
  json: z.union([z.boolean(), z.enum(['any', 'object', 'array'])]).default(false),
  minChars: z.number().int().min(0).optional(),
  maxChars: z.number().int().min(1).optional(),
  minWords: z.number().int().min(0).optional(),
  maxWords: z.number().int().min(1).optional(),
  /** Expected language (ISO 639-1), detected heuristically by script and function words. */
  language: z.enum(DETECTABLE_LANGUAGES).optional(),
  /** Phrases that must all appear. */
  required: z.array(z.string().min(1)).default([]),
  /** Phrases that must not appear (e.g. "As an AI language model"). */
  banned: z.array(z.string().min(1)).default([]),
  caseSensitive: z.boolean().default(false),
});
export type RulesVerifierOptions = z.output<typeof rulesVerifierOptionsSchema>;

/**
 * `synth/rules`: deterministic checks of a row's text: JSON validity, length bounds (characters,
 * words), language, required and banned phrases. Every failed rule is listed in the reason.
 */
export class RulesVerifier implements VerifierV1 {
  readonly specificationVersion = 'v1' as const;
  readonly componentId = 'synth/rules';
  readonly concurrency = 64;

  constructor(private readonly options: RulesVerifierOptions) {}

  async doVerify(row: RowV1): Promise<VerifierV1Verdict> {
    const options = this.options;
    const value = options.field ? readPath(row, options.field) : responseOf(row);
    const where = options.field ?? 'response';
    if (typeof value !== 'string') return { pass: false, reason: `no text at ${where}` };
    const problems: string[] = [];
    const annotations: Record<string, unknown> = {};
    if (options.json !== false) {
      const parsed = parseJson(value);
      const want = options.json === true ? 'any' : options.json;
      if (parsed === undefined) problems.push('not valid JSON');
      else if (want === 'object' && (typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value))) problems.push('JSON is not an object');
      else if (want === 'array' && !Array.isArray(parsed.value)) problems.push('JSON is not an array');
    }
    const chars = [...value].length;
    const wordCount = value.trim().length === 0 ? 0 : value.trim().split(/\s+/).length;
    annotations.chars = chars;
    annotations.words = wordCount;
    if (options.minChars !== undefined && chars < options.minChars) problems.push(`${chars} characters < minChars ${options.minChars}`);
    if (options.maxChars !== undefined && chars > options.maxChars) problems.push(`${chars} characters > maxChars ${options.maxChars}`);
    if (options.minWords !== undefined && wordCount < options.minWords) problems.push(`${wordCount} words < minWords ${options.minWords}`);
    if (options.maxWords !== undefined && wordCount > options.maxWords) problems.push(`${wordCount} words > maxWords ${options.maxWords}`);
    if (options.language) {
      const detected = detectLanguage(value);
      annotations.language = detected;
      if (detected !== options.language) problems.push(`language looks like ${detected ?? 'none'}, expected ${options.language}`);
    }
    const haystack = options.caseSensitive ? value : value.toLowerCase();
    const contains = (phrase: string) => haystack.includes(options.caseSensitive ? phrase : phrase.toLowerCase());
    for (const phrase of options.required) if (!contains(phrase)) problems.push(`missing required phrase "${phrase}"`);
    for (const phrase of options.banned) if (contains(phrase)) problems.push(`contains banned phrase "${phrase}"`);
    return problems.length === 0 ? { pass: true, reason: 'all rules pass', annotations } : { pass: false, reason: problems.join('; '), annotations };
  }
}

/** Parses JSON, tolerating a Markdown code fence around it. */
export function parseJson(text: string): { value: unknown } | undefined {
  const fenced = /^\s*```(?:json)?\s*\n([\s\S]*?)\n\s*```\s*$/i.exec(text);
  try {
    return { value: JSON.parse(fenced ? fenced[1]! : text) };
  } catch {
    return undefined;
  }
}

export const rulesVerifierDefinition = defineVerifier({
  id: 'rules',
  description: 'Rule checks: JSON validity, length bounds, language, required and banned phrases',
  optionsSchema: rulesVerifierOptionsSchema,
  create: ({ options }) => new RulesVerifier(options),
});

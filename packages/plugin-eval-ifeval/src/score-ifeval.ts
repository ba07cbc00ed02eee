import { DistillError } from '@easydistill/core';
import { createInstructionChecker } from './checkers/create-instruction-checker';
import type { CheckerOptions, InstructionChecker } from './checkers/instruction-checker';
import { pythonStrip } from './python/python-string';
import type { IfevalInput } from './read-input-data';

/** The verdicts of one prompt. `strict[i]` / `loose[i]` belong to `instruction_id_list[i]`. */
export interface IfevalItemResult {
  readonly key: number;
  readonly prompt: string;
  readonly response: string;
  readonly instruction_id_list: readonly string[];
  readonly strict: readonly boolean[];
  readonly loose: readonly boolean[];
}

/** Accuracy as a count and a fraction. */
export interface Accuracy {
  readonly correct: number;
  readonly total: number;
  /** correct / total (0 when total is 0). */
  readonly accuracy: number;
}

/** The four official metrics plus per-category and per-instruction accuracy, for one mode. */
export interface IfevalModeSummary {
  readonly prompt_level: Accuracy;
  readonly instruction_level: Accuracy;
  /** Keyed by the part of the id before `:` (e.g. `length_constraints`). */
  readonly by_category: Readonly<Record<string, Accuracy>>;
  /** Keyed by the full instruction id. */
  readonly by_instruction: Readonly<Record<string, Accuracy>>;
}

/** Summary of a scored run, with the four metrics under their lm-eval names (fractions). */
export interface IfevalSummary {
  readonly prompt_level_strict_acc: number;
  readonly inst_level_strict_acc: number;
  readonly prompt_level_loose_acc: number;
  readonly inst_level_loose_acc: number;
  readonly strict: IfevalModeSummary;
  readonly loose: IfevalModeSummary;
}

/**
 * The 8 candidate responses of the official loose scorer, in its order: the response; without
 * `*`; without the first line; without the last line; without both; then the last three without `*`.
 */
export function looseResponseVariants(response: string): string[] {
  const lines = response.split('\n');
  const removeFirst = pythonStrip(lines.slice(1).join('\n'));
  const removeLast = pythonStrip(lines.slice(0, -1).join('\n'));
  const removeBoth = pythonStrip(lines.slice(1, -1).join('\n'));
  const withoutStars = (text: string): string => text.replaceAll('*', '');
  return [
    response,
    withoutStars(response),
    removeFirst,
    removeLast,
    removeBoth,
    withoutStars(removeFirst),
    withoutStars(removeLast),
    withoutStars(removeBoth),
  ];
}

/** A verdict as the official scorer gives it: false for an empty (after strip) response. */
function follows(checker: InstructionChecker, value: string): boolean {
  return pythonStrip(value) !== '' && checker.check(value);
}

/**
 * Scores one prompt's response, strict and loose, as google-research `evaluation_lib.py` does:
 * a fresh checker per instruction; strict checks the response, loose passes when any of the 8
 * variants passes (each instruction on its own).
 */
export function scoreIfevalItem(input: IfevalInput, response: string, options: CheckerOptions = {}): IfevalItemResult {
  const variants = looseResponseVariants(response);
  const strict: boolean[] = [];
  const loose: boolean[] = [];
  input.instruction_id_list.forEach((id, index) => {
    const checker = createInstructionChecker(id, input.kwargs[index] ?? {}, options);
    const strictVerdict = follows(checker, response);
    strict.push(strictVerdict);
    loose.push(strictVerdict || variants.slice(1).some((variant) => follows(checker, variant)));
  });
  return { key: input.key, prompt: input.prompt, response, instruction_id_list: input.instruction_id_list, strict, loose };
}

/**
 * Scores every input against responses keyed by prompt text (the official pairing). Throws a
 * DistillError naming the first prompt without a response.
 */
export function scoreIfeval(
  inputs: readonly IfevalInput[],
  responses: ReadonlyMap<string, string>,
  options: CheckerOptions & { readonly onProgress?: (done: number, total: number) => void } = {},
): { items: IfevalItemResult[]; summary: IfevalSummary } {
  const items = inputs.map((input, index) => {
    const response = responses.get(input.prompt);
    if (response === undefined) {
      throw new DistillError({
        code: 'INVALID_DATASET',
        message: `No response for IFEval prompt key ${input.key} (${JSON.stringify(input.prompt.slice(0, 60))}…). The responses file must have one {"prompt", "response"} line per input prompt, with the prompt text unchanged.`,
      });
    }
    const result = scoreIfevalItem(input, response, options);
    options.onProgress?.(index + 1, inputs.length);
    return result;
  });
  return { items, summary: summarizeIfeval(items) };
}

const accuracy = (correct: number, total: number): Accuracy => ({ correct, total, accuracy: total === 0 ? 0 : correct / total });

function summarizeMode(items: readonly IfevalItemResult[], mode: 'strict' | 'loose'): IfevalModeSummary {
  let promptsCorrect = 0;
  let instructionsCorrect = 0;
  let instructionsTotal = 0;
  const categories = new Map<string, [number, number]>();
  const instructions = new Map<string, [number, number]>();
  const add = (map: Map<string, [number, number]>, key: string, verdict: boolean): void => {
    const entry = map.get(key) ?? [0, 0];
    entry[0] += verdict ? 1 : 0;
    entry[1] += 1;
    map.set(key, entry);
  };
  for (const item of items) {
    const verdicts = item[mode];
    if (verdicts.every(Boolean)) promptsCorrect += 1;
    verdicts.forEach((verdict, index) => {
      const id = item.instruction_id_list[index]!;
      instructionsCorrect += verdict ? 1 : 0;
      instructionsTotal += 1;
      add(categories, id.split(':')[0]!, verdict);
      add(instructions, id, verdict);
    });
  }
  const toRecord = (map: Map<string, [number, number]>): Record<string, Accuracy> =>
    Object.fromEntries([...map.entries()].sort(([left], [right]) => left.localeCompare(right)).map(([key, [correct, total]]) => [key, accuracy(correct, total)]));
  return {
    prompt_level: accuracy(promptsCorrect, items.length),
    instruction_level: accuracy(instructionsCorrect, instructionsTotal),
    by_category: toRecord(categories),
    by_instruction: toRecord(instructions),
  };
}

/**
 * The official report: prompt-level accuracy (all instructions of a prompt followed) and
 * instruction-level accuracy (micro average over instructions), strict and loose, plus accuracy
 * per category and per instruction id.
 */
export function summarizeIfeval(items: readonly IfevalItemResult[]): IfevalSummary {
  const strict = summarizeMode(items, 'strict');
  const loose = summarizeMode(items, 'loose');
  return {
    prompt_level_strict_acc: strict.prompt_level.accuracy,
    inst_level_strict_acc: strict.instruction_level.accuracy,
    prompt_level_loose_acc: loose.prompt_level.accuracy,
    inst_level_loose_acc: loose.instruction_level.accuracy,
    strict,
    loose,
  };
}

/** One line of the official `eval_results_{strict,loose}.jsonl` for an item. */
export function toOfficialEvalResult(item: IfevalItemResult, mode: 'strict' | 'loose'): Record<string, unknown> {
  const verdicts = item[mode];
  return {
    follow_all_instructions: verdicts.every(Boolean),
    follow_instruction_list: verdicts,
    instruction_id_list: item.instruction_id_list,
    prompt: item.prompt,
    response: item.response,
  };
}

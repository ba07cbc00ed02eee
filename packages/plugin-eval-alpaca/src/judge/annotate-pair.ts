import { finalPreference, parseLogprobPreference, type TopLogprob } from './parse-logprob-preference';
import { isSwitchedOutputs } from './is-switched-outputs';
import { renderJudgeMessages, type ChatMessage } from './render-judge-prompt';

/**
 * A judge: sends the messages (max 1 token, temperature 1, top-5 log-probabilities in the official
 * setting) and returns the top log-probabilities of the first generated token, or undefined when
 * the answer carried none.
 */
export type AlpacaJudge = (messages: ChatMessage[]) => Promise<readonly TopLogprob[] | undefined>;

/** One annotation in the official `annotations.json` shape (output_1 = baseline, output_2 = model). */
export interface AlpacaAnnotation {
  instruction: string;
  output_1: string;
  generator_1: string;
  output_2: string;
  generator_2: string;
  annotator: string;
  /** In [1, 2], 2 = the model wins; 1.5 for identical outputs; NaN (null in JSON) when unparseable. */
  preference: number;
  is_switched_outputs: boolean;
  /** The judge's top log-probabilities at the first token (absent when no judge call was made). */
  top_logprobs?: readonly TopLogprob[];
}

/**
 * Annotates one instruction the way `weighted_alpaca_eval_gpt4_turbo` does: identical outputs give
 * 1.5 without a judge call; otherwise the outputs are placed in the seeded per-instruction order,
 * the judge is asked, `m`/`M` log-probabilities give the preference, and a switch is undone.
 */
export async function annotatePair(
  pair: { instruction: string; baselineOutput: string; baselineGenerator: string; modelOutput: string; modelGenerator: string },
  judge: AlpacaJudge,
  options: { seed?: number; annotator?: string } = {},
): Promise<AlpacaAnnotation> {
  const isSwitched = isSwitchedOutputs(pair.instruction, options.seed ?? 0);
  const base = {
    instruction: pair.instruction,
    output_1: pair.baselineOutput,
    generator_1: pair.baselineGenerator,
    output_2: pair.modelOutput,
    generator_2: pair.modelGenerator,
    annotator: options.annotator ?? 'weighted_alpaca_eval_gpt4_turbo',
    is_switched_outputs: isSwitched,
  };
  if (pair.baselineOutput === pair.modelOutput) return { ...base, preference: 1.5 };
  const [shownAsM, shownAsCapitalM] = isSwitched
    ? [pair.modelOutput, pair.baselineOutput]
    : [pair.baselineOutput, pair.modelOutput];
  const topLogprobs = await judge(renderJudgeMessages(pair.instruction, shownAsM, shownAsCapitalM));
  const parsed = topLogprobs ? parseLogprobPreference(topLogprobs) : Number.NaN;
  return { ...base, preference: finalPreference(parsed, isSwitched), ...(topLogprobs ? { top_logprobs: topLogprobs } : {}) };
}

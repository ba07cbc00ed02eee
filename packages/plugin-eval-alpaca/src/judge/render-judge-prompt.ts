import { AlpacaEvalError } from '../errors';
import { ALPACA_EVAL_CLF_TEMPLATE } from './judge-prompt-template';
import { pythonStrip } from './python-strip';

/** One chat message; the same shape as core's `ChatMessageV1`. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

const START_TOKEN = '<|im_start|>';
const END_TOKEN = '<|im_end|>';

/** Python `str.replace(old, new, 1)`: the first occurrence only, the replacement taken literally (no `$&`). */
function replaceFirst(text: string, placeholder: string, value: string): string {
  const at = text.indexOf(placeholder);
  if (at < 0) return text;
  return text.slice(0, at) + value + text.slice(at + placeholder.length);
}

/**
 * Fills the judge template the way alpaca_eval does: plain replacement of the first occurrence of
 * `{instruction}`, then `{output_1}`, then `{output_2}`, values inserted raw. `output1` is the output
 * shown as model `m`, `output2` the one shown as `M` (after the order switch).
 */
export function fillJudgeTemplate(
  instruction: string,
  output1: string,
  output2: string,
  template: string = ALPACA_EVAL_CLF_TEMPLATE,
): string {
  let text = replaceFirst(template, '{instruction}', instruction);
  text = replaceFirst(text, '{output_1}', output1);
  return replaceFirst(text, '{output_2}', output2);
}

/**
 * Converts ChatML text to chat messages as alpaca_eval's `_prompt_to_chatml` does: strip, split on
 * `<|im_start|>`, the role is the chunk's first line, the content runs to `<|im_end|>` and is stripped.
 * Throws when the text does not start with `<|im_start|>` and end with `<|im_end|>`.
 */
export function chatmlToMessages(text: string): ChatMessage[] {
  const prompt = pythonStrip(text);
  if (!prompt.startsWith(START_TOKEN) || !prompt.endsWith(END_TOKEN)) {
    throw new AlpacaEvalError(
      'ALPACA_BAD_TEMPLATE',
      `The judge template must start with ${START_TOKEN} and end with ${END_TOKEN}; fix the template text.`,
    );
  }
  const messages: ChatMessage[] = [];
  for (const chunk of prompt.split(START_TOKEN).slice(1)) {
    const newline = chunk.indexOf('\n');
    const roleLine = newline < 0 ? chunk : chunk.slice(0, newline);
    const rest = newline < 0 ? '' : chunk.slice(newline + 1);
    const role = pythonStrip(roleLine);
    if (role !== 'system' && role !== 'user' && role !== 'assistant') {
      throw new AlpacaEvalError(
        'ALPACA_BAD_TEMPLATE',
        `The judge template has a ChatML block with role "${role}"; use system, user or assistant.`,
      );
    }
    const endAt = rest.indexOf(END_TOKEN);
    messages.push({ role, content: pythonStrip(endAt < 0 ? rest : rest.slice(0, endAt)) });
  }
  return messages;
}

/**
 * The chat messages sent to the judge for one instruction: the template filled with the two outputs
 * in prompt order (`m` first), then converted to messages.
 */
export function renderJudgeMessages(
  instruction: string,
  outputShownAsM: string,
  outputShownAsCapitalM: string,
): ChatMessage[] {
  return chatmlToMessages(fillJudgeTemplate(instruction, outputShownAsM, outputShownAsCapitalM));
}

import type { ChatMessageV1 } from '@easydistill/core';
import type { Tokenizer } from '@easydistill/llm-tfjs';
import { trainerError } from '../trainer-error';

/** A rendered, tokenized chat: ids and a 1/0 flag per id (1 = assistant token, trained on). */
export interface TokenizedChat {
  ids: number[];
  assistant: number[];
  /** Index in `ids` where the last assistant turn starts (with `lastResponse`: where those ids start). */
  lastResponseStart: number;
}

/**
 * Renders `messages` with the tokenizer's chat template and marks every assistant turn's tokens
 * (content and the template's closing tokens, e.g. `<|im_end|>`) for the loss, and nothing else.
 * Each turn is located by rendering the chat up to it with and without the generation prompt, so
 * any template that renders prefixes as prefixes works. `lastResponse` replaces the last
 * assistant turn's tokens with given ids (KD: the teacher's exact response tokens).
 */
export function tokenizeChat(tokenizer: Tokenizer, messages: ChatMessageV1[], rowId: string, lastResponse?: ArrayLike<number>): TokenizedChat {
  const ids: number[] = [];
  const assistant: number[] = [];
  let rendered = '';
  let lastResponseStart = -1;
  const push = (text: string, trained: boolean) => {
    if (!text) return;
    const pieces = tokenizer.encode(text, { addSpecialTokens: false });
    ids.push(...pieces);
    for (const _ of pieces) assistant.push(trained ? 1 : 0);
  };
  const prefixError = (index: number) =>
    trainerError('INVALID_DATASET', `Row "${rowId}": the chat template does not render message ${index} as an extension of the messages before it, so assistant tokens cannot be located.`);
  for (let index = 0; index < messages.length; index += 1) {
    const message = messages[index]!;
    if (message.role !== 'assistant') continue;
    const before = tokenizer.applyChatTemplate(messages.slice(0, index), { addGenerationPrompt: true });
    const through = tokenizer.applyChatTemplate(messages.slice(0, index + 1));
    if (!before.startsWith(rendered) || !through.startsWith(before)) throw prefixError(index);
    push(before.slice(rendered.length), false);
    const isLast = index === messages.length - 1 || messages.slice(index + 1).every((next) => next.role !== 'assistant');
    const turn = through.slice(before.length);
    if (isLast) lastResponseStart = ids.length;
    if (isLast && lastResponse) {
      const contentAt = turn.indexOf(message.content);
      if (contentAt < 0) throw prefixError(index);
      push(turn.slice(0, contentAt), true);
      lastResponseStart = ids.length;
      ids.push(...Array.from(lastResponse));
      for (let count = 0; count < lastResponse.length; count += 1) assistant.push(1);
      let closing = turn.slice(contentAt + message.content.length);
      // A response that already ends with the closing special token (the teacher's eos) keeps one copy.
      const closingIds = tokenizer.encode(closing, { addSpecialTokens: false });
      if (lastResponse.length > 0 && closingIds[0] === lastResponse[lastResponse.length - 1]) {
        closing = tokenizer.decode(closingIds.slice(1));
      }
      push(closing, true);
    } else {
      push(turn, true);
    }
    rendered = through;
  }
  const full = tokenizer.applyChatTemplate(messages);
  if (!full.startsWith(rendered)) throw prefixError(messages.length - 1);
  push(full.slice(rendered.length), false);
  if (lastResponseStart < 0) {
    throw trainerError('INVALID_DATASET', `Row "${rowId}" has no assistant turn to train on.`);
  }
  return { ids, assistant, lastResponseStart };
}

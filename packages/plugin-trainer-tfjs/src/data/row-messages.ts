import type { ChatMessageV1, RowV1 } from '@easydistill/core';
import { trainerError } from '../trainer-error';

/**
 * The chat a row stands for: its `messages`, or `system` + a user turn of `instruction` (and
 * `input`) + an assistant turn of `output` (`response` overrides `output` when given, for DPO's
 * chosen/rejected). Throws naming the row when it has neither shape.
 */
export function rowMessages(row: RowV1, response?: string): ChatMessageV1[] {
  if (Array.isArray(row.messages) && row.messages.length > 0 && response === undefined) return row.messages;
  const prompt = promptMessages(row);
  const output = response ?? row.output;
  if (typeof output !== 'string') {
    throw trainerError('INVALID_DATASET', `Row "${row.id}" has no "output" (or "messages" ending with an assistant turn) to train on.`);
  }
  return [...prompt, { role: 'assistant', content: output }];
}

/** The prompt part of a row: its messages before the last assistant turn, or system + instruction/input. */
export function promptMessages(row: RowV1): ChatMessageV1[] {
  if (Array.isArray(row.messages) && row.messages.length > 0) {
    const last = row.messages.at(-1)!;
    return last.role === 'assistant' ? row.messages.slice(0, -1) : row.messages;
  }
  if (typeof row.instruction !== 'string') {
    throw trainerError('INVALID_DATASET', `Row "${row.id}" has neither "messages" nor "instruction"; convert the dataset to the canonical row shape.`);
  }
  const user = row.input ? `${row.instruction}\n\n${row.input}` : row.instruction;
  return [...(row.system ? [{ role: 'system' as const, content: row.system }] : []), { role: 'user', content: user }];
}

import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { finished } from 'node:stream/promises';
import { DistillError, type RowV1 } from '@easydistill/core';
import { promptOf } from '../shared/row-text';

/** Preference dataset layouts: LLaMA-Factory Alpaca and ShareGPT pairs, and OpenAI-style messages. */
export type PreferenceFormat = 'alpaca' | 'sharegpt' | 'openai';

/**
 * One preference row (`chosen` and `rejected` set, as `synth/dpo-pairs` writes them) in a trainer's
 * layout:
 * - `alpaca`: `{ instruction, input, chosen, rejected }` (LLaMA-Factory `ranking: true`, Alpaca columns)
 * - `sharegpt`: `{ conversations: [{from: 'system'|'human', value}], chosen: {from: 'gpt', value}, rejected: {…} }`
 * - `openai`: `{ messages: [...prompt turns], chosen: [{role: 'assistant', content}], rejected: [...] }`
 */
export function toPreferenceRecord(row: RowV1, format: PreferenceFormat): Record<string, unknown> {
  if (typeof row.chosen !== 'string' || typeof row.rejected !== 'string') {
    throw new DistillError({ code: 'INVALID_DATASET', message: `row ${row.id} is not a preference pair (needs string "chosen" and "rejected"); produce it with synth/dpo-pairs.` });
  }
  const prompt = row.instruction ?? promptOf(row);
  if (prompt === undefined) throw new DistillError({ code: 'INVALID_DATASET', message: `row ${row.id} has no instruction or user message for its preference pair.` });
  if (format === 'alpaca') {
    return { instruction: prompt, input: row.input ?? '', chosen: row.chosen, rejected: row.rejected, ...(row.system ? { system: row.system } : {}) };
  }
  const turns = row.messages && !row.instruction ? row.messages.filter((message) => message.role !== 'assistant' || row.messages!.indexOf(message) < row.messages!.length - 1) : undefined;
  const promptTurns = turns ?? [
    ...(row.system ? [{ role: 'system' as const, content: row.system }] : []),
    { role: 'user' as const, content: row.input ? `${prompt}\n\n${row.input}` : prompt },
  ];
  if (format === 'openai') {
    return { messages: promptTurns, chosen: [{ role: 'assistant', content: row.chosen }], rejected: [{ role: 'assistant', content: row.rejected }] };
  }
  const from = { system: 'system', user: 'human', assistant: 'gpt' } as const;
  return {
    conversations: promptTurns.map((message) => ({ from: from[message.role], value: message.content })),
    chosen: { from: 'gpt', value: row.chosen },
    rejected: { from: 'gpt', value: row.rejected },
  };
}

/** Writes preference rows as JSONL in the chosen layout (streamed; returns the number of rows). */
export async function writePreferenceJsonl(rows: AsyncIterable<RowV1> | Iterable<RowV1>, path: string, format: PreferenceFormat): Promise<number> {
  await mkdir(dirname(path), { recursive: true });
  const stream = createWriteStream(path, { encoding: 'utf8' });
  let count = 0;
  try {
    for await (const row of rows) {
      if (!stream.write(`${JSON.stringify(toPreferenceRecord(row, format))}\n`)) await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
      count++;
    }
  } finally {
    stream.end();
    await finished(stream);
  }
  return count;
}

import type { ChatMessageV1 } from '../spec/shared/v1/chat-message-v1';
import type { RowV1 } from '../spec/shared/v1/row-v1';

/** Dataset file formats core reads (`auto` detects per row) and writes. `rows` is core's canonical RowV1 JSONL. */
export const DATASET_FORMATS = ['auto', 'alpaca', 'sharegpt', 'messages', 'rows'] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

/** Thrown by {@link normaliseRow} for a record that fits no format; the reader adds file and line. */
export class RowFormatError extends Error {}

const SHAREGPT_ROLES: Record<string, ChatMessageV1['role']> = {
  human: 'user',
  user: 'user',
  gpt: 'assistant',
  assistant: 'assistant',
  chatgpt: 'assistant',
  bing: 'assistant',
  bard: 'assistant',
  model: 'assistant',
  system: 'system',
};

const ALPACA_KEYS = new Set(['id', 'instruction', 'input', 'output', 'system', 'history', 'meta', 'chosen', 'rejected', 'messages']);

function asText(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new RowFormatError(`"${field}" must be a string, got ${Array.isArray(value) ? 'an array' : typeof value}`);
}

function rowId(record: Record<string, unknown>, fallback: string): string {
  const id = record.id;
  if (typeof id === 'string' && id.length > 0) return id;
  if (typeof id === 'number') return String(id);
  return fallback;
}

function parseMessages(value: unknown, field: string): ChatMessageV1[] {
  if (!Array.isArray(value)) throw new RowFormatError(`"${field}" must be an array of messages`);
  return value.map((message, index) => {
    if (typeof message !== 'object' || message === null) throw new RowFormatError(`"${field}[${index}]" must be an object`);
    const record = message as Record<string, unknown>;
    if (field === 'conversations') {
      const role = SHAREGPT_ROLES[String(record.from ?? record.role ?? '').toLowerCase()];
      if (!role) throw new RowFormatError(`"conversations[${index}].from" must be human, gpt or system, got ${JSON.stringify(record.from)}`);
      return { role, content: asText(record.value ?? record.content, `conversations[${index}].value`) ?? '' };
    }
    const role = record.role;
    if (role !== 'system' && role !== 'user' && role !== 'assistant') {
      throw new RowFormatError(`"messages[${index}].role" must be system, user or assistant, got ${JSON.stringify(role)}`);
    }
    const content = Array.isArray(record.content)
      ? record.content.map((part) => (typeof part === 'object' && part !== null ? String((part as { text?: unknown }).text ?? '') : String(part))).join('')
      : asText(record.content, `messages[${index}].content`) ?? '';
    return { role, content };
  });
}

function extraMeta(record: Record<string, unknown>, known: Set<string>): Record<string, unknown> | undefined {
  const meta: Record<string, unknown> = typeof record.meta === 'object' && record.meta !== null ? { ...(record.meta as Record<string, unknown>) } : {};
  for (const [key, value] of Object.entries(record)) if (!known.has(key)) meta[key] = value;
  return Object.keys(meta).length > 0 ? meta : undefined;
}

function withoutUndefined(row: RowV1): RowV1 {
  for (const key of Object.keys(row)) if (row[key] === undefined) delete row[key];
  return row;
}

/**
 * Turns one parsed JSONL record into a RowV1. `fallbackId` (`<dataset>:<line>`) is used when the
 * record has no `id`. Alpaca `history` pairs and ShareGPT conversations become `messages`.
 */
export function normaliseRow(record: unknown, format: DatasetFormat, fallbackId: string): RowV1 {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) throw new RowFormatError('expected a JSON object');
  const value = record as Record<string, unknown>;
  const id = rowId(value, fallbackId);
  let detected = format;
  if (format === 'auto') {
    if ('conversations' in value) detected = 'sharegpt';
    else if ('messages' in value && !('instruction' in value)) detected = 'messages';
    else if ('instruction' in value || 'output' in value || 'prompt' in value) detected = 'alpaca';
    else throw new RowFormatError('cannot tell the format: expected "instruction" (Alpaca), "conversations" (ShareGPT) or "messages"');
  }
  if (detected === 'rows') {
    return { ...value, id } as RowV1;
  }
  if (detected === 'sharegpt') {
    const messages = parseMessages(value.conversations, 'conversations');
    const known = new Set(['id', 'conversations', 'meta']);
    return withoutUndefined({ id, messages, meta: extraMeta(value, known) });
  }
  if (detected === 'messages') {
    const messages = parseMessages(value.messages, 'messages');
    const known = new Set(['id', 'messages', 'meta']);
    return withoutUndefined({ id, messages, meta: extraMeta(value, known) });
  }
  const instruction = asText(value.instruction ?? value.prompt, 'instruction');
  if (instruction === undefined) throw new RowFormatError('an Alpaca row needs "instruction"');
  const row: RowV1 = {
    id,
    instruction,
    input: asText(value.input, 'input') || undefined,
    output: asText(value.output ?? value.response, 'output'),
    system: asText(value.system, 'system'),
    chosen: asText(value.chosen, 'chosen'),
    rejected: asText(value.rejected, 'rejected'),
  };
  if (Array.isArray(value.history) && value.history.length > 0) {
    const messages: ChatMessageV1[] = [];
    if (row.system) messages.push({ role: 'system', content: row.system });
    for (const pair of value.history) {
      if (!Array.isArray(pair) || pair.length !== 2) throw new RowFormatError('"history" must be a list of [instruction, response] pairs');
      messages.push({ role: 'user', content: String(pair[0]) }, { role: 'assistant', content: String(pair[1]) });
    }
    messages.push({ role: 'user', content: promptText(row) });
    if (row.output !== undefined) messages.push({ role: 'assistant', content: row.output });
    row.messages = messages;
  }
  const known = new Set([...ALPACA_KEYS, 'prompt', 'response']);
  row.meta = extraMeta(value, known);
  return withoutUndefined(row);
}

/** The user turn of an Alpaca-shaped row: instruction, then input after a blank line. */
export function promptText(row: RowV1): string {
  return row.input ? `${row.instruction ?? ''}\n\n${row.input}` : (row.instruction ?? '');
}

/**
 * The row as chat messages: its `messages` when present, otherwise system + user (instruction and
 * input) + assistant (output, when there is one).
 */
export function rowToMessages(row: RowV1): ChatMessageV1[] {
  if (row.messages && row.messages.length > 0) return row.messages;
  const messages: ChatMessageV1[] = [];
  if (row.system) messages.push({ role: 'system', content: row.system });
  messages.push({ role: 'user', content: promptText(row) });
  if (row.output !== undefined) messages.push({ role: 'assistant', content: row.output });
  return messages;
}

/** Serialises a row in an output format (without the newline). */
export function formatRow(row: RowV1, format: Exclude<DatasetFormat, 'auto'>): string {
  if (format === 'rows') return JSON.stringify(row);
  if (format === 'messages') return JSON.stringify({ id: row.id, messages: rowToMessages(row), ...(row.meta ? { meta: row.meta } : {}) });
  if (format === 'sharegpt') {
    const from = { system: 'system', user: 'human', assistant: 'gpt' } as const;
    return JSON.stringify({ id: row.id, conversations: rowToMessages(row).map((message) => ({ from: from[message.role], value: message.content })) });
  }
  if (row.instruction !== undefined) {
    return JSON.stringify(withoutUndefined({ id: row.id, instruction: row.instruction, input: row.input ?? '', output: row.output ?? '', system: row.system, chosen: row.chosen, rejected: row.rejected }));
  }
  const messages = rowToMessages(row);
  const system = messages.find((message) => message.role === 'system')?.content;
  const turns = messages.filter((message) => message.role !== 'system');
  const lastUser = turns.map((message) => message.role).lastIndexOf('user');
  const history: Array<[string, string]> = [];
  for (let index = 0; index + 1 < lastUser; index += 2) history.push([turns[index].content, turns[index + 1].content]);
  const output = turns.slice(lastUser + 1).find((message) => message.role === 'assistant')?.content ?? '';
  return JSON.stringify(withoutUndefined({ id: row.id, instruction: turns[lastUser]?.content ?? '', input: '', output, system, history: history.length > 0 ? history : undefined }));
}

import type { ChatMessageV1, RowV1 } from '@easydistill/core';

/** The prompt of a row: `instruction` (+ blank line + `input`), else its last user message. */
export function promptOf(row: RowV1): string | undefined {
  if (typeof row.instruction === 'string' && row.instruction.trim().length > 0) {
    return row.input && row.input.trim().length > 0 ? `${row.instruction}\n\n${row.input}` : row.instruction;
  }
  const user = row.messages?.filter((message) => message.role === 'user').at(-1);
  return user?.content;
}

/** The response of a row: `output`, else its last assistant message. */
export function responseOf(row: RowV1): string | undefined {
  if (typeof row.output === 'string') return row.output;
  const last = row.messages?.at(-1);
  return last?.role === 'assistant' ? last.content : undefined;
}

/**
 * Chat messages that ask the row's question: the row's own messages up to (not including) a
 * trailing assistant turn, else `system` + the prompt.
 */
export function questionMessages(row: RowV1, system?: string): ChatMessageV1[] | undefined {
  if (row.messages && row.messages.length > 0 && !(typeof row.instruction === 'string' && row.instruction.length > 0)) {
    const messages = row.messages.at(-1)?.role === 'assistant' ? row.messages.slice(0, -1) : [...row.messages];
    if (system && messages[0]?.role !== 'system') messages.unshift({ role: 'system', content: system });
    return messages.length > 0 ? messages : undefined;
  }
  const prompt = promptOf(row);
  if (prompt === undefined) return undefined;
  const first = system ?? row.system;
  return first ? [{ role: 'system', content: first }, { role: 'user', content: prompt }] : [{ role: 'user', content: prompt }];
}

/** Reads a dotted path (`meta.answer`) from a row. */
export function readPath(row: RowV1, path: string): unknown {
  let value: unknown = row;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** The text a selector compares: the named fields joined with newlines (messages flattened). */
export function fieldsText(row: RowV1, fields: readonly string[]): string {
  const parts: string[] = [];
  for (const field of fields) {
    const value = readPath(row, field);
    if (typeof value === 'string') parts.push(value);
    else if (Array.isArray(value)) parts.push(value.map((item) => (typeof item === 'object' && item && 'content' in item ? String(item.content) : String(item))).join('\n'));
  }
  if (parts.length === 0 && row.messages) parts.push(row.messages.map((message) => message.content).join('\n'));
  return parts.join('\n');
}

/** A copy of the row with `values` merged into `meta`. */
export function withMeta(row: RowV1, values: Record<string, unknown>): RowV1 {
  return { ...row, meta: { ...(row.meta ?? {}), ...values } };
}

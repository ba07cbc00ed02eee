import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RowV1 } from '../spec/shared/v1/row-v1';
import { formatRow, rowToMessages } from './dataset-format';
import { readDataset } from './read-dataset';

const folder = mkdtempSync(join(tmpdir(), 'easydistill-formats-'));

async function read(name: string, lines: unknown[], format: 'auto' | 'alpaca' | 'sharegpt' | 'messages'): Promise<RowV1[]> {
  const path = join(folder, `${name}.jsonl`);
  writeFileSync(path, lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n') + '\n');
  const rows: RowV1[] = [];
  for await (const row of readDataset(path, { name, format })) rows.push(row);
  return rows;
}

const conversation = [
  { role: 'system', content: 'Be brief.' },
  { role: 'user', content: 'Name a colour.' },
  { role: 'assistant', content: 'Blue.' },
  { role: 'user', content: 'Another?' },
  { role: 'assistant', content: 'Red.' },
] as const;

describe('dataset formats: Alpaca, ShareGPT and OpenAI messages, read and written', () => {
  it('reads each format (named or detected) into the same rows', async () => {
    const alpaca = await read('alpaca', [{ instruction: 'Another?', input: '', output: 'Red.', system: 'Be brief.', history: [['Name a colour.', 'Blue.']], source: 'x' }], 'alpaca');
    const sharegpt = await read('sharegpt', [{ id: 'c1', conversations: [{ from: 'system', value: 'Be brief.' }, { from: 'human', value: 'Name a colour.' }, { from: 'gpt', value: 'Blue.' }, { from: 'human', value: 'Another?' }, { from: 'gpt', value: 'Red.' }] }], 'auto');
    const messages = await read('messages', [{ id: 'm1', messages: conversation }], 'auto');
    expect(alpaca[0]).toMatchObject({ id: 'alpaca:1', instruction: 'Another?', output: 'Red.', meta: { source: 'x' } });
    for (const row of [alpaca[0]!, sharegpt[0]!, messages[0]!]) expect(rowToMessages(row)).toEqual(conversation);
    expect(sharegpt[0]!.id).toBe('c1');
  });

  it('writes each format so that reading it back gives the same conversation', async () => {
    const [row] = await read('source', [{ id: 'r1', messages: conversation, meta: { score: 7 } }], 'messages');
    for (const format of ['alpaca', 'sharegpt', 'messages'] as const) {
      const written = JSON.parse(formatRow(row!, format)) as Record<string, unknown>;
      expect(Object.keys(written)).toContain(format === 'alpaca' ? 'instruction' : format === 'sharegpt' ? 'conversations' : 'messages');
      const [back] = await read(`back-${format}`, [written], format);
      expect(rowToMessages(back!), format).toEqual(conversation);
      expect(back!.id).toBe('r1');
    }
    expect(JSON.parse(formatRow(row!, 'sharegpt')).conversations.map((turn: { from: string }) => turn.from)).toEqual(['system', 'human', 'gpt', 'human', 'gpt']);
  });

  it('names the file and line of a row that fits no format', async () => {
    const path = join(folder, 'bad.jsonl');
    await expect(read('bad', [{ instruction: 'ok' }, { text: 'no known field' }], 'auto')).rejects.toThrow(`${path}:2: cannot tell the format`);
    await expect(read('bad', [{ conversations: [{ from: 'robot', value: 'x' }] }], 'sharegpt')).rejects.toThrow(/bad\.jsonl:1: "conversations\[0\]\.from" must be human, gpt or system/);
  });
});

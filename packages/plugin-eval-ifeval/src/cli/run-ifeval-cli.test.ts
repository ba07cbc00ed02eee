import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fixturePath } from '../__fixtures__/gpt4-fixtures';
import plugin from '../index';
import { runIfevalCli } from './run-ifeval-cli';

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks = { stdout: '', stderr: '' };
  stdout.on('data', (chunk: Buffer) => (chunks.stdout += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (chunks.stderr += chunk.toString()));
  const code = await runIfevalCli(argv, { stdout, stderr, cwd: fixturePath('.') });
  return { code, ...chunks };
}

describe('easydistill eval ifeval', () => {
  it('is contributed by the plugin manifest as "eval ifeval"', () => {
    expect(plugin.commands.map((command) => command.name)).toEqual(['eval ifeval']);
  });

  it('prints the four metrics of the official GPT-4 responses as fractions with --json', async () => {
    const result = await run(['--responses', 'input_response_data_gpt4_20231107_145030.jsonl', '--json']);
    expect(result.code).toBe(0);
    // Strict equals the official 417/541 and 698/834. Loose is 431/714 instead of the official
    // 430/713: key 1129's letter '!' is counted literally here (the official picks a random letter).
    expect(JSON.parse(result.stdout)).toEqual({
      prompt_level_strict_acc: 417 / 541,
      inst_level_strict_acc: 698 / 834,
      prompt_level_loose_acc: 431 / 541,
      inst_level_loose_acc: 714 / 834,
    });
  }, 30_000);

  it('prints a readable report without --json', async () => {
    const result = await run(['--responses=input_response_data_gpt4_20231107_145030.jsonl']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('prompt-level strict         77.08%  (417/541)');
    expect(result.stdout).toContain('instruction-level strict    83.69%  (698/834)');
  }, 30_000);

  it('fails with a usage error (exit 2) without --responses or with an unknown flag', async () => {
    expect(await run([])).toMatchObject({ code: 2, stderr: expect.stringContaining('Missing --responses') });
    expect(await run(['--responses', 'x', '--bogus'])).toMatchObject({ code: 2, stderr: expect.stringContaining('Unknown argument "--bogus"') });
  });

  it('names the file and line of a malformed responses file, and a prompt without a response (exit 1)', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'ifeval-cli-'));
    writeFileSync(join(directory, 'bad.jsonl'), '{"prompt": "a", "response": "b"}\n{"prompt": 3}\n');
    const bad = await run(['--responses', join(directory, 'bad.jsonl')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`${join(directory, 'bad.jsonl')}:2: expected {"prompt": string, "response": string}`);
    writeFileSync(join(directory, 'partial.jsonl'), '{"prompt": "a", "response": "b"}\n');
    const partial = await run(['--responses', join(directory, 'partial.jsonl')]);
    expect(partial.code).toBe(1);
    expect(partial.stderr).toContain('No response for IFEval prompt key 1000');
  });
});

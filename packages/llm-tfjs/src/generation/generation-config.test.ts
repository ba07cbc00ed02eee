import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/init-backend';
import { loadPretrained } from '../load-pretrained';
import { FIXTURES } from '../test-support/reference';
import { generate } from './generate';

const dir = mkdtempSync(join(tmpdir(), 'llm-tfjs-gencfg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await initBackend('wasm');
});

describe('generation_config.json eos ids', () => {
  it('are what generation stops on by default, over config.json and beside the tokenizer eos', async () => {
    const base = await loadPretrained(`${FIXTURES}tiny-qwen2`);
    const prompt = base.tokenizer.encodeChat([{ role: 'user', content: 'Write a poem.' }], { addGenerationPrompt: true });
    const sampled = await generate(base.model, base.tokenizer, [prompt], { maxTokens: 12, temperature: 1, seed: 7, eosTokenIds: [] });
    base.model.dispose();
    // The first token of the continuation not seen before in it.
    const at = sampled[0].tokenIds.findIndex((id, index) => index > 0 && !sampled[0].tokenIds.slice(0, index).includes(id));
    expect(at).toBeGreaterThan(0);
    const stopAt = sampled[0].tokenIds[at];

    // A copy whose generation_config.json lists a second eos id (as Qwen2.5-Instruct and Llama-3 do).
    const folder = join(dir, 'model');
    cpSync(`${FIXTURES}tiny-qwen2`, folder, { recursive: true });
    const generationConfig = JSON.parse(readFileSync(join(folder, 'generation_config.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(folder, 'generation_config.json'), JSON.stringify({ ...generationConfig, eos_token_id: [2, stopAt] }));
    const loaded = await loadPretrained(folder);
    expect(loaded.model.config.eosTokenIds).toEqual([2]); // config.json's
    expect(loaded.generationConfig.eosTokenIds).toEqual([2, stopAt]);
    expect(loaded.tokenizer.eosTokenIds).toEqual([2, stopAt]);
    const stopped = await generate(loaded.model, loaded.tokenizer, [prompt], { maxTokens: 12, temperature: 1, seed: 7 });
    expect(stopped[0].tokenIds).toEqual(sampled[0].tokenIds.slice(0, at + 1));
    expect(stopped[0].finishReason).toBe('stop');
    loaded.model.dispose();
  });
});

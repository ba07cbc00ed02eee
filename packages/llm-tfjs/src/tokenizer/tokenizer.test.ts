import { describe, expect, it } from 'vitest';
import { FIXTURES, MODELS, tokenizerReference } from '../test-support/reference';
import { Tokenizer } from './tokenizer';

describe.each(MODELS)('Tokenizer (%s)', (modelName) => {
  const reference = tokenizerReference();

  it('encodes and decodes every reference string exactly', async () => {
    const tokenizer = await Tokenizer.load(`${FIXTURES}${modelName}`);
    for (const item of reference.strings) {
      expect(tokenizer.encode(item.text, { addSpecialTokens: false }), item.text).toEqual(item.ids);
      expect(tokenizer.decode(item.ids)).toBe(item.decoded);
    }
  });

  it('renders every chat with the template and encodes it to the reference ids', async () => {
    const tokenizer = await Tokenizer.load(`${FIXTURES}${modelName}`);
    for (const chat of reference.chats) {
      const text = tokenizer.applyChatTemplate(chat.messages, { addGenerationPrompt: true });
      expect(text).toBe(chat.text);
      expect(tokenizer.encodeChat(chat.messages, { addGenerationPrompt: true })).toEqual(chat.ids);
    }
  });

  it('knows its special tokens, token texts and a stable identity', async () => {
    const tokenizer = await Tokenizer.load(`${FIXTURES}${modelName}`);
    expect(tokenizer.eosTokenIds).toEqual([2]);
    expect(tokenizer.padTokenId).toBe(0);
    expect(tokenizer.tokenText(2)).toBe('<|im_end|>');
    expect(tokenizer.decode([1, 42, 2], { skipSpecialTokens: true })).toBe(tokenizer.decode([42]));
    expect(tokenizer.id).toMatch(/^[0-9a-f]{16}$/);
    const other = await Tokenizer.load(`${FIXTURES}${modelName === 'tiny-qwen2' ? 'tiny-llama' : 'tiny-qwen2'}`);
    expect(other.id).toBe(tokenizer.id); // both fixtures share one tokenizer.json
  });
});

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DistillError } from '@easydistill/core';
import type { ModelConfig } from '@easydistill/llm-tfjs';
import { TokenType } from './gguf-constants';
import type { GgufMetadata } from './gguf-metadata';

/**
 * Pre-tokenizer regexes of the byte-level BPE families, by the name llama.cpp gives them
 * (`tokenizer.ggml.pre`). llama.cpp's converter recognises a tokenizer by hashing its output on a
 * test text; this exporter compares the `Split` regex of `tokenizer.json` instead, which is what
 * that hash stands for.
 */
export const KNOWN_PRE_TOKENIZERS: Record<string, string> = {
  qwen2: "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
  'llama-bpe': "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
};

interface TokenizerJson {
  model?: { type?: string; vocab?: Record<string, number>; merges?: Array<string | [string, string]> };
  added_tokens?: Array<{ id: number; content: string; special?: boolean }>;
  pre_tokenizer?: Record<string, unknown> | null;
  post_processor?: Record<string, unknown> | null;
}

type TokenName = string | { content?: string } | null | undefined;

function tokenContent(value: TokenName): string | undefined {
  if (typeof value === 'string') return value;
  return value?.content ?? undefined;
}

function findSplitRegex(node: unknown): string | undefined {
  if (!node || typeof node !== 'object') return undefined;
  const record = node as Record<string, unknown>;
  if (record.type === 'Split') return (record.pattern as { Regex?: string } | undefined)?.Regex;
  for (const child of (record.pretokenizers as unknown[] | undefined) ?? []) {
    const found = findSplitRegex(child);
    if (found) return found;
  }
  return undefined;
}

function hasByteLevel(node: unknown): boolean {
  if (!node || typeof node !== 'object') return false;
  const record = node as Record<string, unknown>;
  if (record.type === 'ByteLevel') return true;
  return ((record.pretokenizers as unknown[] | undefined) ?? []).some(hasByteLevel);
}

/** Whether the post-processor's single-sequence template starts with a special token (Llama 3 adds `<|begin_of_text|>`). */
function templateAddsBos(postProcessor: Record<string, unknown> | null | undefined): boolean | undefined {
  if (!postProcessor) return undefined;
  if (postProcessor.type === 'Sequence') {
    for (const child of (postProcessor.processors as Record<string, unknown>[] | undefined) ?? []) {
      const found = templateAddsBos(child);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (postProcessor.type !== 'TemplateProcessing') return undefined;
  const single = postProcessor.single as Array<Record<string, unknown>> | undefined;
  return single !== undefined && single.length > 0 && 'SpecialToken' in single[0];
}

async function readJson<T>(path: string): Promise<T | undefined> {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (error) {
    throw new DistillError({ code: 'INVALID_MODEL', message: `${path} is not valid JSON: ${(error as Error).message}`, cause: error });
  }
}

/**
 * Writes llama.cpp's `tokenizer.ggml.*` keys for a byte-level BPE tokenizer (`gpt2` model):
 * tokens (padded to the model's vocabulary size with `[PAD<i>]`), token types (added special
 * tokens are `CONTROL`, other added tokens `USER_DEFINED`), merges, the pre-tokenizer name,
 * bos/eos/pad/unk ids, whether to add bos, and the chat template. Mirrors `_set_vocab_gpt2` and
 * `SpecialVocab` of llama.cpp's `convert_hf_to_gguf.py`.
 */
export async function writeTokenizerMetadata(
  metadata: GgufMetadata,
  modelDir: string,
  config: ModelConfig,
  options: { preTokenizer?: string } = {},
): Promise<void> {
  const tokenizerPath = join(modelDir, 'tokenizer.json');
  const tokenizer = await readJson<TokenizerJson>(tokenizerPath);
  if (!tokenizer) {
    throw new DistillError({ code: 'INVALID_MODEL', message: `${tokenizerPath} is missing; GGUF export needs the fast tokenizer file (save the tokenizer with transformers).` });
  }
  const tokenizerConfig = (await readJson<Record<string, unknown>>(join(modelDir, 'tokenizer_config.json'))) ?? {};
  if (tokenizer.model?.type !== 'BPE' || !hasByteLevel(tokenizer.pre_tokenizer)) {
    throw new DistillError({
      code: 'INVALID_MODEL',
      message: `${tokenizerPath}: only byte-level BPE tokenizers (Qwen2/Qwen2.5/Qwen3, Llama 3) are exported to GGUF; this one is ${tokenizer.model?.type ?? 'unknown'} without a ByteLevel pre-tokenizer.`,
    });
  }

  let preTokenizer = options.preTokenizer;
  if (!preTokenizer) {
    const regex = findSplitRegex(tokenizer.pre_tokenizer);
    preTokenizer = Object.entries(KNOWN_PRE_TOKENIZERS).find(([, pattern]) => pattern === regex)?.[0];
    if (!preTokenizer) {
      throw new DistillError({
        code: 'INVALID_MODEL',
        message: `${tokenizerPath}: the pre-tokenizer regex is not one llama.cpp knows (${Object.keys(KNOWN_PRE_TOKENIZERS).join(', ')}); set the gguf option "preTokenizer" to llama.cpp's name for it.`,
      });
    }
  }

  const byId = new Map<number, { content: string; type: number }>();
  for (const [content, id] of Object.entries(tokenizer.model.vocab ?? {})) byId.set(id, { content, type: TokenType.NORMAL });
  for (const added of tokenizer.added_tokens ?? []) {
    byId.set(added.id, { content: added.content, type: added.special ? TokenType.CONTROL : TokenType.USER_DEFINED });
  }
  const idOf = new Map<string, number>();
  for (const [id, token] of byId) idOf.set(token.content, id);

  const tokens: string[] = [];
  const types: number[] = [];
  for (let id = 0; id < config.vocabSize; id += 1) {
    const token = byId.get(id);
    tokens.push(token?.content ?? `[PAD${id}]`);
    types.push(token?.type ?? TokenType.UNUSED);
  }
  const merges = (tokenizer.model.merges ?? []).map((merge) => (typeof merge === 'string' ? merge : merge.join(' ')));

  metadata
    .string('tokenizer.ggml.model', 'gpt2')
    .string('tokenizer.ggml.pre', preTokenizer)
    .stringArray('tokenizer.ggml.tokens', tokens)
    .int32Array('tokenizer.ggml.token_type', types)
    .stringArray('tokenizer.ggml.merges', merges);

  const special = (name: string, configId: number | undefined): number | undefined => {
    const content = tokenContent(tokenizerConfig[`${name}_token`] as TokenName);
    const fromTokenizer = content === undefined ? undefined : idOf.get(content);
    return fromTokenizer ?? configId;
  };
  const ids: Array<[string, number | undefined]> = [
    ['bos_token_id', special('bos', config.bosTokenId)],
    ['eos_token_id', special('eos', config.eosTokenIds[0])],
    ['unknown_token_id', special('unk', undefined)],
    ['padding_token_id', special('pad', config.padTokenId)],
  ];
  for (const [key, id] of ids) if (id !== undefined) metadata.uint32(`tokenizer.ggml.${key}`, id);

  const addBos = typeof tokenizerConfig.add_bos_token === 'boolean' ? tokenizerConfig.add_bos_token : templateAddsBos(tokenizer.post_processor);
  metadata.bool('tokenizer.ggml.add_bos_token', addBos ?? false);
  if (typeof tokenizerConfig.add_eos_token === 'boolean') metadata.bool('tokenizer.ggml.add_eos_token', tokenizerConfig.add_eos_token);

  const template = await readChatTemplate(modelDir, tokenizerConfig);
  if (template !== undefined) metadata.string('tokenizer.chat_template', template);
}

/** The chat template: `tokenizer_config.json`'s `chat_template` (string, or the `default` of a list), else `chat_template.jinja`. */
async function readChatTemplate(modelDir: string, tokenizerConfig: Record<string, unknown>): Promise<string | undefined> {
  const inline = tokenizerConfig.chat_template;
  if (typeof inline === 'string') return inline;
  if (Array.isArray(inline)) {
    const named = inline as Array<{ name?: string; template?: string }>;
    return (named.find((entry) => entry.name === 'default') ?? named[0])?.template;
  }
  const file = join(modelDir, 'chat_template.jinja');
  return existsSync(file) ? readFile(file, 'utf8') : undefined;
}

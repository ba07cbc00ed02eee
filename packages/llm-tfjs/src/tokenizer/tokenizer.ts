import { Template } from '@huggingface/jinja';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LlmError } from '../errors/llm-error';
import { resolveModelDir, type ResolveOptions } from '../hub/resolve-model-dir';
import { readJsonFile } from '../util/read-json-file';

/** One chat message as chat templates expect it. */
export interface ChatMessage {
  role: string;
  content: string;
}

type TokenSpec = string | { content?: string } | null | undefined;

function tokenContent(spec: TokenSpec): string | undefined {
  if (!spec) return undefined;
  return typeof spec === 'string' ? spec : spec.content;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'chat_template.jinja', 'special_tokens_map.json'];

/**
 * A Hugging Face tokenizer (`tokenizer.json` through `@huggingface/tokenizers`) with its chat
 * template (`chat_template.jinja`, else `tokenizer_config.json`'s `chat_template`, rendered by
 * `@huggingface/jinja`).
 */
export class Tokenizer {
  /** Stable identity: sha256 (first 16 hex) of the vocabulary, merges, added tokens and pre-processing. */
  readonly id: string;
  /** End-of-sequence ids: the tokenizer's eos token plus any given at load (generation_config). */
  readonly eosTokenIds: number[];
  /** Padding id: the pad token, else the first eos id, else 0. */
  readonly padTokenId: number;
  private readonly template?: Template;
  private readonly specialTokens: Record<string, string | undefined>;

  private constructor(
    private readonly tokenizer: HfTokenizer,
    json: Record<string, unknown>,
    config: Record<string, unknown>,
    templateText: string | undefined,
    extraEos: number[],
    /** The folder it was loaded from. */
    readonly dir: string,
  ) {
    this.id = createHash('sha256')
      .update(canonical({ model: json.model, added: json.added_tokens, normalizer: json.normalizer, pre: json.pre_tokenizer }))
      .digest('hex')
      .slice(0, 16);
    this.template = templateText ? new Template(templateText) : undefined;
    this.specialTokens = {
      bos_token: tokenContent(config.bos_token as TokenSpec),
      eos_token: tokenContent(config.eos_token as TokenSpec),
      pad_token: tokenContent(config.pad_token as TokenSpec),
      unk_token: tokenContent(config.unk_token as TokenSpec),
    };
    const idOf = (token?: string) => (token === undefined ? undefined : tokenizer.token_to_id(token));
    const eos = idOf(this.specialTokens.eos_token);
    this.eosTokenIds = [...new Set([...(eos === undefined ? [] : [eos]), ...extraEos])];
    this.padTokenId = idOf(this.specialTokens.pad_token) ?? this.eosTokenIds[0] ?? 0;
  }

  /**
   * Loads `tokenizer.json` and `tokenizer_config.json` (and `chat_template.jinja`) from a model
   * folder or Hub id. `eosTokenIds` adds ids (e.g. from generation_config.json).
   */
  static async load(pathOrHubId: string, options: ResolveOptions & { eosTokenIds?: number[] } = {}): Promise<Tokenizer> {
    const dir = await resolveModelDir(pathOrHubId, options);
    const tokenizerPath = join(dir, 'tokenizer.json');
    if (!existsSync(tokenizerPath)) {
      throw new LlmError('tokenizer-not-found', `${dir} has no tokenizer.json; only fast (tokenizer.json) tokenizers are supported.`);
    }
    const json = await readJsonFile(tokenizerPath);
    const configPath = join(dir, 'tokenizer_config.json');
    const config = existsSync(configPath) ? await readJsonFile(configPath) : {};
    let templateText: string | undefined;
    const jinjaPath = join(dir, 'chat_template.jinja');
    if (existsSync(jinjaPath)) templateText = await readFile(jinjaPath, 'utf8');
    else if (typeof config.chat_template === 'string') templateText = config.chat_template;
    else if (Array.isArray(config.chat_template)) {
      const named = config.chat_template as { name: string; template: string }[];
      templateText = (named.find((item) => item.name === 'default') ?? named[0])?.template;
    }
    return new Tokenizer(new HfTokenizer(json, config), json, config, templateText, options.eosTokenIds ?? [], dir);
  }

  /** Token ids of `text`; `addSpecialTokens` (default true, as transformers) applies the post-processor (e.g. BOS). */
  encode(text: string, options: { addSpecialTokens?: boolean } = {}): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: options.addSpecialTokens ?? true }).ids;
  }

  /** Text of `ids`; `skipSpecialTokens` drops special tokens (default false). */
  decode(ids: number[], options: { skipSpecialTokens?: boolean } = {}): string {
    if (ids.length === 0) return '';
    return this.tokenizer.decode(ids, { skip_special_tokens: options.skipSpecialTokens ?? false, clean_up_tokenization_spaces: false });
  }

  /** Decoded text of one token, as OpenAI-style logprobs show it (a partial UTF-8 byte shows as U+FFFD). */
  tokenText(id: number): string {
    return this.decode([id]);
  }

  /** Vocabulary size including added tokens. */
  get vocabSize(): number {
    return this.tokenizer.get_vocab(true).size;
  }

  /** Whether a chat template is available. */
  get hasChatTemplate(): boolean {
    return this.template !== undefined;
  }

  /**
   * Renders `messages` with the chat template (variables: `messages`, `add_generation_prompt`,
   * the special tokens, plus `options.variables`). Throws `LlmError` (`chat-template-missing`).
   */
  applyChatTemplate(
    messages: ChatMessage[],
    options: { addGenerationPrompt?: boolean; variables?: Record<string, unknown> } = {},
  ): string {
    if (!this.template) {
      throw new LlmError('chat-template-missing', `The tokenizer in ${this.dir} has no chat template (chat_template.jinja or tokenizer_config.json "chat_template").`);
    }
    return this.template.render({
      ...this.specialTokens,
      ...options.variables,
      messages,
      add_generation_prompt: options.addGenerationPrompt ?? false,
    });
  }

  /** Renders and encodes a chat without adding special tokens (the template already holds them), as transformers does. */
  encodeChat(messages: ChatMessage[], options: { addGenerationPrompt?: boolean } = {}): number[] {
    return this.encode(this.applyChatTemplate(messages, options), { addSpecialTokens: false });
  }

  /** Copies the tokenizer files it was loaded from into `dir`. */
  async save(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    for (const file of TOKENIZER_FILES) {
      if (existsSync(join(this.dir, file)) && this.dir !== dir) await copyFile(join(this.dir, file), join(dir, file));
    }
  }
}

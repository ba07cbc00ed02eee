import { generate, initBackend, loadPretrained, scoreTopKBatch, type BackendName, type CausalLM, type GenerateResult, type TokenLogprob, type Tokenizer } from '@easydistill/llm-tfjs';
import { basename } from 'node:path';
import type { ChatMessageV1 } from '@easydistill/core';
import type { ServedGeneration, ServedGenerateRequest, ServedModel, ServedPrompt, ServedScore, ServedScoreRequest, ServedToken } from '../serve/served-model';
import { streamDeltas } from './stream-deltas';

/**
 * A Hugging Face model folder (or Hub id) through `@easydistill/llm-tfjs`, served and used as a
 * teacher. Requests with the same decoding settings decode together in one padded batch; each
 * sampled sequence draws from its own random stream (the request's seed, else a random one), so a
 * seeded request answers the same in process, over HTTP, alone or among others.
 */
export class HfModel implements ServedModel {
  readonly modelId: string;
  readonly tokenizerId: string;
  readonly contextLength: number;
  readonly vocabSize: number;

  private constructor(
    private readonly model: CausalLM,
    private readonly tokenizer: Tokenizer,
    private readonly eosTokenIds: number[],
    modelId: string,
  ) {
    this.modelId = modelId;
    this.tokenizerId = tokenizer.id;
    this.contextLength = model.config.maxPositionEmbeddings;
    this.vocabSize = model.config.vocabSize;
  }

  /** Loads `pathOrHubId` (a folder, or a Hub id downloaded into the cache) on `backend` (default: the best that starts). */
  static async load(pathOrHubId: string, options: { backend?: BackendName; modelId?: string; revision?: string } = {}): Promise<HfModel> {
    await initBackend(options.backend);
    const pretrained = await loadPretrained(pathOrHubId, options.revision ? { revision: options.revision } : {});
    const modelId = options.modelId ?? (pathOrHubId.includes('/') && !pathOrHubId.startsWith('.') && !pathOrHubId.startsWith('/') ? pathOrHubId : basename(pretrained.dir));
    return new HfModel(pretrained.model, pretrained.tokenizer, pretrained.generationConfig.eosTokenIds, modelId);
  }

  /** Token ids of a prompt: the chat rendered with the generation prompt, then the raw text. */
  encodePrompt(prompt: ServedPrompt): number[] {
    const chat = prompt.messages ? this.tokenizer.encodeChat(prompt.messages as ChatMessageV1[], { addGenerationPrompt: true }) : [];
    const text = prompt.text ? this.tokenizer.encode(prompt.text, { addSpecialTokens: chat.length === 0 }) : [];
    return [...chat, ...text];
  }

  async generateBatch(requests: readonly ServedGenerateRequest[]): Promise<Array<ServedGeneration | Error>> {
    const results: Array<ServedGeneration | Error> = new Array(requests.length);
    const groups = new Map<string, number[]>();
    requests.forEach((request, index) => {
      const key = JSON.stringify([request.temperature, request.topP, request.topK, request.maxTokens, request.stop, request.topLogprobs]);
      groups.set(key, [...(groups.get(key) ?? []), index]);
    });
    let firstGroup = true;
    for (const indexes of groups.values()) {
      // Decoding blocks the event loop; between groups, let the server read what clients sent.
      if (!firstGroup) await new Promise((resolve) => setImmediate(resolve));
      firstGroup = false;
      try {
        const prompts = indexes.map((index) => this.encodePrompt(requests[index]!.prompt));
        const first = requests[indexes[0]!]!;
        if (first.maxTokens === 0) {
          indexes.forEach((index, position) => (results[index] = { promptTokens: prompts[position]!.length, choices: [] }));
          continue;
        }
        const copies = indexes.flatMap((index, position) => Array.from({ length: requests[index]!.n }, () => prompts[position]!));
        // A stream per sequence: the request's seed for its first choice, the seed moved on by the golden ratio for its others.
        const seeds = indexes.flatMap((index) => {
          const seed = requests[index]!.seed ?? Math.floor(Math.random() * 2 ** 32);
          return Array.from({ length: requests[index]!.n }, (_, choice) => (seed + Math.imul(choice, 0x9e3779b9)) >>> 0);
        });
        const generated = await generate(this.model, this.tokenizer, copies, {
          maxTokens: first.maxTokens,
          temperature: first.temperature,
          topP: first.topP,
          ...(first.topK === undefined ? {} : { topK: first.topK }),
          stop: first.stop,
          ...(first.temperature > 0 ? { seeds } : {}),
          // At least 1: each token's own log-probability is always served; alternatives are cut to the request's count below.
          topLogprobs: Math.max(1, first.topLogprobs),
          eosTokenIds: this.eosTokenIds,
        });
        let cursor = 0;
        indexes.forEach((index, position) => {
          const count = requests[index]!.n;
          results[index] = { promptTokens: prompts[position]!.length, choices: generated.slice(cursor, cursor + count).map((result) => this.toChoice(result, first.topLogprobs)) };
          cursor += count;
        });
      } catch (error) {
        for (const index of indexes) results[index] = error instanceof Error ? error : new Error(String(error));
      }
    }
    return results;
  }

  async score(request: ServedScoreRequest): Promise<ServedScore> {
    const prefix = request.prefixMessages ? this.tokenizer.encodeChat(request.prefixMessages as ChatMessageV1[], { addGenerationPrompt: true }) : [];
    const ids = this.tokenizer.encode(request.text, { addSpecialTokens: prefix.length === 0 });
    // Asked for more than the vocabulary: the whole distribution.
    const k = Math.min(this.vocabSize, Math.max(1, request.topK));
    // Without a prefix the first token has no context: it is echoed with a null log-probability.
    const context = prefix.length > 0 ? prefix : ids.slice(0, 1);
    const scoredIds = prefix.length > 0 ? ids : ids.slice(1);
    const [scored] = await scoreTopKBatch(this.model, [{ prompt: context, response: scoredIds }], k);
    const tokens: ServedToken[] = (scored ?? []).map((entry) => this.toToken(entry, request.topK));
    if (prefix.length === 0 && ids.length > 0) tokens.unshift({ id: ids[0]!, text: this.tokenizer.tokenText(ids[0]!), logprob: null, top: [] });
    return { tokens, textOffsets: this.textOffsets(ids, request.text), prefixTokens: prefix.length };
  }

  async close(): Promise<void> {
    this.model.dispose();
  }

  private toToken(entry: TokenLogprob, topK: number): ServedToken {
    return {
      id: entry.id,
      text: this.tokenizer.tokenText(entry.id),
      logprob: entry.logprob,
      top: entry.top.slice(0, topK).map((top) => ({ id: top.id, text: this.tokenizer.tokenText(top.id), logprob: top.logprob })),
    };
  }

  private toChoice(result: GenerateResult, topLogprobs: number): ServedGeneration['choices'][number] {
    const tokens = (result.logprobs ?? []).map((entry) => this.toToken(entry, topLogprobs));
    return { text: result.text, finishReason: result.finishReason, tokens, deltas: streamDeltas(result.tokenIds, result.text, (ids) => this.tokenizer.decode(ids, { skipSpecialTokens: true })) };
  }

  /** Character offset in `text` where each token's text starts (by incremental decoding). */
  private textOffsets(ids: number[], text: string): number[] {
    const deltas = streamDeltas(ids, text, (prefix) => this.tokenizer.decode(prefix, { skipSpecialTokens: false }));
    let offset = 0;
    return deltas.map((delta) => {
      const at = offset;
      offset += delta.length;
      return at;
    });
  }
}

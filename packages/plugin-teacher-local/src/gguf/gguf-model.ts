import { basename } from 'node:path';
import { Template } from '@huggingface/jinja';
import { DistillError, type ChatMessageV1 } from '@easydistill/core';
import type { ServedChoice, ServedGeneration, ServedGenerateRequest, ServedModel, ServedPrompt, ServedScore, ServedScoreRequest, ServedToken } from '../serve/served-model';
import { streamDeltas } from '../hf/stream-deltas';
import { chooseToken, seededRandom, topOf } from './sample-from-probabilities';

type LlamaCpp = typeof import('node-llama-cpp');
type LlamaModel = import('node-llama-cpp').LlamaModel;
type LlamaContext = import('node-llama-cpp').LlamaContext;
type LlamaContextSequence = import('node-llama-cpp').LlamaContextSequence;

/** Loads node-llama-cpp, an optional peer dependency, or explains how to install it. */
async function importLlamaCpp(): Promise<LlamaCpp> {
  const name = 'node-llama-cpp';
  try {
    return (await import(/* @vite-ignore */ name)) as LlamaCpp;
  } catch (error) {
    throw new DistillError({
      code: 'INVALID_MODEL',
      message: 'GGUF models need the optional package node-llama-cpp (prebuilt llama.cpp binaries, tens of MB). Install it next to easydistill: npm install node-llama-cpp@^3.22',
      cause: error,
    });
  }
}

/**
 * A GGUF model through node-llama-cpp. Every step reads the full next-token distribution (raw:
 * temperature 1, no top-k/top-p) so log-probabilities mean the same as with llm-tfjs; the token is
 * then chosen here (greedy, or sampled with temperature/top-k/top-p from a seeded generator) and fed
 * back, which also gives teacher-forced scoring. The chat template is the GGUF's
 * `tokenizer.chat_template`. Requests run one after another on one sequence.
 */
export class GgufModel implements ServedModel {
  readonly modelId: string;
  readonly contextLength: number;
  /** GGUF models score too (teacher forcing through the evaluation loop). */
  readonly scores = true;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly model: LlamaModel,
    private readonly context: LlamaContext,
    private readonly sequence: LlamaContextSequence,
    private readonly template: Template | undefined,
    modelId: string,
  ) {
    this.modelId = modelId;
    this.contextLength = context.contextSize;
  }

  static async load(path: string, options: { modelId?: string; contextSize?: number; gpuLayers?: 'auto' | 'max' | number } = {}): Promise<GgufModel> {
    const llamaCpp = await importLlamaCpp();
    const llama = await llamaCpp.getLlama(options.gpuLayers === 0 ? { gpu: false } : {});
    const model = await llama.loadModel({ modelPath: path, ...(options.gpuLayers === undefined ? {} : { gpuLayers: options.gpuLayers }) });
    const context = await model.createContext({ contextSize: options.contextSize ?? Math.min(4096, model.trainContextSize) });
    const templateText = (model.fileInfo.metadata as { tokenizer?: { chat_template?: string } }).tokenizer?.chat_template;
    return new GgufModel(model, context, context.getSequence(), templateText ? new Template(templateText) : undefined, options.modelId ?? basename(path));
  }

  encodePrompt(prompt: ServedPrompt): number[] {
    const chat = prompt.messages ? this.renderChat(prompt.messages) : '';
    const bos = this.model.tokens.bos;
    const chatTokens = chat ? (this.model.tokenize(chat, true) as number[]) : [];
    const textTokens = prompt.text ? (this.model.tokenize(prompt.text, false) as number[]) : [];
    const tokens = [...chatTokens, ...textTokens];
    if (!chat && bos !== null && this.model.fileInfo.metadata.tokenizer?.ggml?.add_bos_token !== false && tokens[0] !== bos) tokens.unshift(bos);
    return tokens;
  }

  async generateBatch(requests: readonly ServedGenerateRequest[]): Promise<Array<ServedGeneration | Error>> {
    const results: Array<ServedGeneration | Error> = [];
    for (const request of requests) {
      try {
        results.push(await this.exclusive(() => this.generateOne(request)));
      } catch (error) {
        results.push(error instanceof Error ? error : new Error(String(error)));
      }
    }
    return results;
  }

  score(request: ServedScoreRequest): Promise<ServedScore> {
    return this.exclusive(async () => {
      const prefix = request.prefixMessages ? this.encodePrompt({ messages: request.prefixMessages }) : [];
      const ids = prefix.length > 0 ? (this.model.tokenize(request.text, false) as unknown as number[]) : this.encodePrompt({ text: request.text });
      const context = prefix.length > 0 ? prefix : ids.slice(0, 1);
      const scored = prefix.length > 0 ? ids : ids.slice(1);
      const tokens: ServedToken[] = [];
      if (prefix.length === 0 && ids.length > 0) tokens.push({ id: ids[0]!, text: this.tokenText(ids[0]!), logprob: null, top: [] });
      await this.walk(context, scored.length, (probabilities, position) => {
        const id = scored[position]!;
        tokens.push(this.servedToken(id, probabilities, request.topK));
        return id;
      });
      const deltas = streamDeltas(ids, request.text, (some) => this.detokenize(some, true));
      let offset = 0;
      return { tokens, textOffsets: deltas.map((delta) => ((offset += delta.length), offset - delta.length)), prefixTokens: prefix.length };
    });
  }

  async close(): Promise<void> {
    await this.context.dispose();
    await this.model.dispose();
  }

  private async generateOne(request: ServedGenerateRequest): Promise<ServedGeneration> {
    const prompt = this.encodePrompt(request.prompt);
    const random = seededRandom(request.seed ?? Math.floor(Math.random() * 2 ** 32));
    const choices: ServedChoice[] = [];
    for (let choice = 0; choice < request.n; choice += 1) {
      const tokens: ServedToken[] = [];
      const ids: number[] = [];
      let finishReason: 'stop' | 'length' = 'length';
      let cut: string | undefined;
      await this.walk(prompt, request.maxTokens, (probabilities) => {
        const id = chooseToken(probabilities, request, random);
        tokens.push(this.servedToken(id, probabilities, request.topLogprobs));
        ids.push(id);
        if (this.isEog(id)) {
          finishReason = 'stop';
          return undefined;
        }
        if (request.stop.length > 0) {
          const text = this.detokenize(ids, false);
          const at = request.stop.map((stop) => text.indexOf(stop)).filter((index) => index >= 0);
          if (at.length > 0) {
            cut = text.slice(0, Math.min(...at));
            finishReason = 'stop';
            return undefined;
          }
        }
        return id;
      });
      const content = ids.length > 0 && this.isEog(ids[ids.length - 1]) ? ids.slice(0, -1) : ids;
      const text = cut ?? this.detokenize(content, false);
      choices.push({ text, finishReason, tokens, deltas: streamDeltas(ids, text, (some) => this.detokenize(some, false)) });
    }
    return { choices, promptTokens: prompt.length };
  }

  /**
   * Evaluates `context`, then up to `steps` times hands the next-token distribution to `next`,
   * which returns the token to feed back (or undefined to stop).
   */
  private async walk(context: number[], steps: number, next: (probabilities: Map<number, number>, position: number) => number | undefined): Promise<void> {
    if (steps <= 0) return;
    await this.sequence.clearHistory();
    const iterator = this.sequence.evaluateWithMetadata(context as never, { probabilities: true }, { temperature: 1, topK: 0, topP: 1 });
    try {
      let output = await iterator.next();
      for (let position = 0; position < steps && !output.done; position += 1) {
        const chosen = next(output.value.probabilities as Map<number, number>, position);
        if (chosen === undefined || position === steps - 1) break;
        output = await iterator.next(chosen as never);
      }
    } finally {
      await iterator.return();
    }
  }

  private servedToken(id: number, probabilities: Map<number, number>, topK: number): ServedToken {
    return {
      id,
      text: this.tokenText(id),
      logprob: Math.log(probabilities.get(id) ?? 0),
      top: topOf(probabilities, topK).map(([topId, probability]) => ({ id: topId, text: this.tokenText(topId), logprob: Math.log(probability) })),
    };
  }

  private detokenize(ids: readonly number[], special: boolean): string {
    return this.model.detokenize(ids as unknown as Parameters<LlamaModel['detokenize']>[0], special);
  }

  private isEog(id: number | undefined): boolean {
    return this.model.isEogToken(id as unknown as Parameters<LlamaModel['isEogToken']>[0]);
  }

  private tokenText(id: number): string {
    return this.detokenize([id], true);
  }

  private renderChat(messages: ChatMessageV1[]): string {
    if (!this.template) throw new DistillError({ code: 'INVALID_MODEL', message: `${this.modelId}: the GGUF file has no tokenizer.chat_template; chat requests need one.` });
    const special = (id: number | null) => (id === null ? undefined : this.detokenize([id], true));
    return this.template.render({ messages, add_generation_prompt: true, bos_token: special(this.model.tokens.bos), eos_token: special(this.model.tokens.eos) });
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

import { basename } from 'node:path';
import { Template } from '@huggingface/jinja';
import { DistillError, type ChatMessageV1 } from '@easydistill/core';
import type { ServedChoice, ServedGeneration, ServedGenerateRequest, ServedModel, ServedPrompt, ServedScore, ServedScoreRequest, ServedToken } from '../serve/served-model';
import { streamDeltas } from '../hf/stream-deltas';
import { chooseToken, seededRandom } from './sample-from-probabilities';

type LlamaCpp = typeof import('node-llama-cpp');
type LlamaModel = import('node-llama-cpp').LlamaModel;
type LlamaContext = import('node-llama-cpp').LlamaContext;
type LlamaContextSequence = import('node-llama-cpp').LlamaContextSequence;
type Token = import('node-llama-cpp').Token;
type EvaluateItem = import('node-llama-cpp').ControlledEvaluateInputItem;
type EvaluateOutput = import('node-llama-cpp').ControlledEvaluateIndexOutput;

/** Options of a GGUF model (the `teacher-local/gguf` options and `serve --model x.gguf`). */
export interface GgufModelOptions {
  /** Name served and used in cache keys (default: the file name). */
  modelId?: string;
  /** Context size in tokens per sequence (default: the model's training context, capped at 4096). */
  contextSize?: number;
  /** Layers offloaded to the GPU: `auto`, `max` or a number; 0 runs on the CPU only (default `auto`). */
  gpuLayers?: 'auto' | 'max' | number;
  /** Sequences decoded together (requests batched across clients); default 4. */
  parallel?: number;
  /** CPU threads (default: the machine's math cores). */
  threads?: number;
}

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

/** One next-token distribution as llama.cpp returns it: some logits and the log of the normaliser. */
interface NextDistribution {
  /** Raw logits of the tokens asked for (the top ones, the max, and any named), highest first. */
  logits: Map<number, number>;
  /** log Σ exp(logit) over the whole vocabulary. */
  logNormaliser: number;
}

function distributionOf(output: EvaluateOutput | undefined, where: string): NextDistribution {
  const logits = output?.next.logits;
  const total = output?.next.totalLogitWeight;
  if (!logits || logits.size === 0 || total === undefined) throw new Error(`llama.cpp returned no logits ${where}`);
  let maximum = -Infinity;
  for (const value of logits.values()) if (value > maximum) maximum = value;
  return { logits: logits as Map<number, number>, logNormaliser: maximum + Math.log(total) };
}

/**
 * A GGUF model through node-llama-cpp (the prebuilt binary; it never builds llama.cpp). At every
 * step llama.cpp hands back the raw logits of the top tokens and the sum of exp(logit) over the
 * vocabulary, so log-probabilities mean what they mean with llm-tfjs (temperature 1, no
 * truncation); greedy decoding takes the top token, sampled decoding reads the full row and
 * samples here (temperature, top-k, top-p, seeded), and scoring evaluates the whole response in
 * one pass under teacher forcing. The chat template is the file's `tokenizer.chat_template`.
 * `parallel` sequences share one context, so concurrent requests decode in the same llama.cpp batch.
 */
export class GgufModel implements ServedModel {
  readonly modelId: string;
  readonly contextLength: number;
  /** GGUF models score too (teacher forcing in one evaluation). */
  readonly scores = true;
  private readonly free: LlamaContextSequence[];
  private readonly waiting: Array<(sequence: LlamaContextSequence) => void> = [];
  private readonly addBos: boolean;

  private constructor(
    private readonly model: LlamaModel,
    private readonly context: LlamaContext,
    private readonly template: Template | undefined,
    modelId: string,
    sequences: number,
  ) {
    this.modelId = modelId;
    this.contextLength = context.contextSize;
    this.free = Array.from({ length: sequences }, () => context.getSequence());
    this.addBos = (model.fileInfo.metadata.tokenizer?.ggml as { add_bos_token?: boolean } | undefined)?.add_bos_token !== false;
  }

  static async load(path: string, options: GgufModelOptions = {}): Promise<GgufModel> {
    const llamaCpp = await importLlamaCpp();
    const parallel = options.parallel ?? 4;
    let model: LlamaModel;
    let threads: number;
    try {
      const llama = await llamaCpp.getLlama({ gpu: options.gpuLayers === 0 ? false : 'auto', build: 'never', logLevel: llamaCpp.LlamaLogLevel.error });
      model = await llama.loadModel({ modelPath: path, ...(options.gpuLayers === undefined ? {} : { gpuLayers: options.gpuLayers }) });
      // node-llama-cpp's default can exceed the cores there are; llama.cpp's spinning threads then slow every step 100-fold.
      threads = options.threads ?? Math.max(1, llama.cpuMathCores);
    } catch (error) {
      throw new DistillError({ code: 'INVALID_MODEL', message: `${path}: llama.cpp cannot load this GGUF file: ${(error as Error).message}`, cause: error });
    }
    const contextSize = options.contextSize ?? Math.min(4096, model.trainContextSize);
    const context = await model.createContext({ contextSize, sequences: parallel, threads });
    const templateText = (model.fileInfo.metadata as { tokenizer?: { chat_template?: string } }).tokenizer?.chat_template;
    return new GgufModel(model, context, templateText ? new Template(templateText) : undefined, options.modelId ?? basename(path), parallel);
  }

  /** Token ids of a prompt: the chat rendered with the generation prompt (special tokens parsed), then the raw text. */
  encodePrompt(prompt: ServedPrompt): number[] {
    const chat = prompt.messages ? this.renderChat(prompt.messages) : '';
    const chatTokens = chat ? this.tokenize(chat, true) : [];
    const textTokens = prompt.text ? this.tokenize(prompt.text, false) : [];
    const tokens = [...chatTokens, ...textTokens];
    const bos = this.model.tokens.bos;
    if (this.addBos && bos !== null && tokens[0] !== bos && (!chat || !chat.startsWith(this.tokenText(bos)))) tokens.unshift(bos);
    return tokens;
  }

  /** Runs the requests concurrently, each on its own sequence; llama.cpp decodes them in shared batches. */
  generateBatch(requests: readonly ServedGenerateRequest[]): Promise<Array<ServedGeneration | Error>> {
    return Promise.all(
      requests.map((request) =>
        this.withSequence((sequence) => this.generateOne(sequence, request)).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))),
      ),
    );
  }

  score(request: ServedScoreRequest): Promise<ServedScore> {
    return this.withSequence(async (sequence) => {
      const prefix = request.prefixMessages ? this.encodePrompt({ messages: request.prefixMessages }) : [];
      const ids = prefix.length > 0 ? this.tokenize(request.text, false) : this.encodePrompt({ text: request.text });
      // Without a prefix the first token has no context: it is echoed with a null log-probability.
      const context = prefix.length > 0 ? prefix : ids.slice(0, 1);
      const scored = prefix.length > 0 ? ids : ids.slice(1);
      this.checkLength(context.length + scored.length);
      const tokens: ServedToken[] = [];
      if (prefix.length === 0 && ids.length > 0) tokens.push({ id: ids[0]!, text: this.tokenText(ids[0]!), logprob: null, top: [] });
      if (scored.length > 0) {
        await sequence.clearHistory();
        const all = [...context, ...scored];
        const items: EvaluateItem[] = all.slice(0, -1).map((id, index) =>
          index < context.length - 1 ? (id as Token) : [id as Token, { generateNext: this.nextOptions(request.topK, [scored[index - context.length + 1]!]) }],
        );
        const outputs = await sequence.controlledEvaluate(items);
        scored.forEach((id, position) => {
          const at = context.length - 1 + position;
          tokens.push(this.servedToken(id, distributionOf(outputs[at], `at position ${at}`), request.topK));
        });
      }
      const deltas = streamDeltas(ids, request.text, (some) => this.detokenize(some, true));
      let offset = 0;
      return { tokens, textOffsets: deltas.map((delta) => ((offset += delta.length), offset - delta.length)), prefixTokens: prefix.length };
    });
  }

  async close(): Promise<void> {
    await this.context.dispose();
    await this.model.dispose();
  }

  private async generateOne(sequence: LlamaContextSequence, request: ServedGenerateRequest): Promise<ServedGeneration> {
    const prompt = this.encodePrompt(request.prompt);
    if (prompt.length === 0) throw new Error('the prompt is empty');
    if (request.maxTokens === 0) return { promptTokens: prompt.length, choices: [] };
    this.checkLength(prompt.length + 1);
    const greedy = request.temperature === 0;
    const random = seededRandom(request.seed ?? Math.floor(Math.random() * 2 ** 32));
    const next = (id: number): EvaluateItem => [id as Token, { generateNext: greedy ? this.nextOptions(Math.max(1, request.topLogprobs), []) : { logits: true, totalLogitWeight: true } }];
    await sequence.clearHistory();
    // The prompt is evaluated once; each of the n choices starts from its last distribution.
    const promptOutputs = await sequence.controlledEvaluate([...(prompt.slice(0, -1) as Token[]), next(prompt[prompt.length - 1]!)]);
    const first = promptOutputs[prompt.length - 1];
    const choices: ServedChoice[] = [];
    for (let choice = 0; choice < request.n; choice += 1) {
      if (choice > 0) await sequence.eraseContextTokenRanges([{ start: prompt.length, end: sequence.nextTokenIndex }]);
      const tokens: ServedToken[] = [];
      const ids: number[] = [];
      let finishReason: 'stop' | 'length' = 'length';
      let cut: string | undefined;
      let output = first;
      const room = this.contextLength - prompt.length;
      for (let step = 0; step < Math.min(request.maxTokens, room); step += 1) {
        const distribution = distributionOf(output, `after ${prompt.length + step} tokens`);
        const id = greedy ? distribution.logits.keys().next().value! : chooseToken(probabilitiesOf(distribution), request, random);
        tokens.push(this.servedToken(id, distribution, request.topLogprobs));
        ids.push(id);
        if (this.isEog(id)) {
          finishReason = 'stop';
          break;
        }
        if (request.stop.length > 0) {
          const text = this.detokenize(ids, false);
          const at = request.stop.map((stop) => text.indexOf(stop)).filter((index) => index >= 0);
          if (at.length > 0) {
            cut = text.slice(0, Math.min(...at));
            finishReason = 'stop';
            break;
          }
        }
        if (step === Math.min(request.maxTokens, room) - 1) break;
        [output] = await sequence.controlledEvaluate([next(id)]);
      }
      const content = ids.length > 0 && this.isEog(ids[ids.length - 1]) ? ids.slice(0, -1) : ids;
      const text = cut ?? this.detokenize(content, false);
      choices.push({ text, finishReason, tokens, deltas: streamDeltas(ids, text, (some) => this.detokenize(some, false)) });
    }
    return { choices, promptTokens: prompt.length };
  }

  /** What llama.cpp returns after a token: the top `topK` raw logits (the max always), `tokens`' logits, and the normaliser. */
  private nextOptions(topK: number, tokens: number[]) {
    return { logits: { filter: { tokens: tokens as Token[], includeTop: Math.max(1, topK), includeMax: true } }, totalLogitWeight: true };
  }

  private servedToken(id: number, distribution: NextDistribution, topK: number): ServedToken {
    const logit = distribution.logits.get(id);
    const top: ServedToken['top'] = [];
    if (topK > 0) {
      const ranked = [...distribution.logits.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, topK);
      for (const [topId, value] of ranked) top.push({ id: topId, text: this.tokenText(topId), logprob: value - distribution.logNormaliser });
    }
    return { id, text: this.tokenText(id), logprob: logit === undefined ? -Infinity : logit - distribution.logNormaliser, top };
  }

  private checkLength(tokens: number): void {
    if (tokens > this.contextLength) {
      throw new DistillError({ code: 'TEACHER_REQUEST_FAILED', message: `${this.modelId}: ${tokens} tokens do not fit the context of ${this.contextLength} (raise contextSize / --context-size)` });
    }
  }

  private tokenize(text: string, special: boolean): number[] {
    return this.model.tokenize(text, special).map(Number);
  }

  private detokenize(ids: readonly number[], special: boolean): string {
    return this.model.detokenize(ids as unknown as Token[], special);
  }

  private isEog(id: number | undefined): boolean {
    return id !== undefined && this.model.isEogToken(id as Token);
  }

  private tokenText(id: number): string {
    return this.detokenize([id], true);
  }

  private renderChat(messages: ChatMessageV1[]): string {
    if (!this.template) throw new DistillError({ code: 'INVALID_MODEL', message: `${this.modelId}: the GGUF file has no tokenizer.chat_template; chat requests need one.` });
    const special = (id: number | null) => (id === null ? undefined : this.detokenize([id], true));
    return this.template.render({ messages, add_generation_prompt: true, bos_token: special(this.model.tokens.bos), eos_token: special(this.model.tokens.eos) });
  }

  /** Runs `task` on a free sequence (waiting for one when all are busy). */
  private async withSequence<T>(task: (sequence: LlamaContextSequence) => Promise<T>): Promise<T> {
    const sequence = this.free.pop() ?? (await new Promise<LlamaContextSequence>((resolve) => this.waiting.push(resolve)));
    try {
      return await task(sequence);
    } finally {
      const waiter = this.waiting.shift();
      if (waiter) waiter(sequence);
      else this.free.push(sequence);
    }
  }
}

/** Probabilities of a full logits row (for sampling). */
function probabilitiesOf(distribution: NextDistribution): Map<number, number> {
  const probabilities = new Map<number, number>();
  for (const [id, logit] of distribution.logits) probabilities.set(id, Math.exp(logit - distribution.logNormaliser));
  return probabilities;
}

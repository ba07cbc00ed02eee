import * as tf from '@tensorflow/tfjs';
import { LlmError } from '../errors/llm-error';
import type { CausalLM } from '../model/causal-lm';
import { KVCache } from '../model/kv-cache';
import type { Tokenizer } from '../tokenizer/tokenizer';
import { logSumExp, sampleToken, seededRandom, topEntries } from './sampling';

/** Log-probability of one chosen token and the most likely alternatives at that step. */
export interface TokenLogprob {
  id: number;
  logprob: number;
  top: { id: number; logprob: number }[];
}

/** Options of `generate`. */
export interface GenerateOptions {
  /** Most new tokens per prompt (required). */
  maxTokens: number;
  /** 0 or unset: greedy. */
  temperature?: number;
  topP?: number;
  topK?: number;
  /** Generation stops when the text contains one of these; the text is cut before it. */
  stop?: string[];
  /** Seed of the sampler (same seed, same prompts, same settings: same output). */
  seed?: number;
  /**
   * One sampler seed per prompt (instead of `seed`): each prompt draws from its own random stream,
   * so a seeded prompt samples the same continuation alone or in any batch (up to float rounding
   * of the batched logits), which lets seeded requests be decoded together.
   */
  seeds?: readonly number[];
  /** Return this many alternatives per step (0..20) with each token's log-probability. */
  topLogprobs?: number;
  /** End-of-sequence ids; default the tokenizer's. Pass [] to never stop on eos. */
  eosTokenIds?: number[];
  /** Called after every step with the number of rows still running. */
  onStep?: (step: number, running: number) => void;
}

/** One prompt's continuation. */
export interface GenerateResult {
  /** New token ids, an ending eos included. */
  tokenIds: number[];
  /** Decoded text without special tokens, cut before a stop string. */
  text: string;
  finishReason: 'stop' | 'length';
  /** Per new token (with `topLogprobs`): log-probabilities of the model's distribution (temperature 1). */
  logprobs?: TokenLogprob[];
}

interface Row {
  index: number;
  tokenIds: number[];
  logprobs: TokenLogprob[];
  finishReason?: 'stop' | 'length';
  text?: string;
}

/**
 * Batched generation with a KV cache: prompts (token ids) are left-padded into one batch,
 * processed in one forward pass, then extended one token per step; finished rows leave the batch.
 * Greedy decoding reproduces transformers' `generate(do_sample=False)`.
 */
export async function generate(
  model: CausalLM,
  tokenizer: Tokenizer,
  prompts: number[][],
  options: GenerateOptions,
): Promise<GenerateResult[]> {
  if (!(options.maxTokens >= 1)) throw new LlmError('option-invalid', `generate: options.maxTokens must be at least 1, got ${options.maxTokens}.`);
  if (prompts.length === 0) return [];
  if (prompts.some((prompt) => prompt.length === 0)) throw new LlmError('option-invalid', 'generate: every prompt needs at least one token.');
  const eos = new Set(options.eosTokenIds ?? tokenizer.eosTokenIds);
  const stops = (options.stop ?? []).filter((stop) => stop.length > 0);
  // Up to the whole vocabulary (full-distribution distillation); OpenAI's limit of 20 is the server's to apply.
  const topLogprobs = Math.max(0, Math.min(model.config.vocabSize, options.topLogprobs ?? 0));
  const wantLogprobs = options.topLogprobs !== undefined;
  if (options.seeds && options.seeds.length !== prompts.length) {
    throw new LlmError('option-invalid', `generate: options.seeds has ${options.seeds.length} seeds for ${prompts.length} prompts.`);
  }
  const random = seededRandom(options.seed ?? Math.floor(Math.random() * 2 ** 32));
  const randoms = options.seeds?.map((seed) => seededRandom(seed));
  const vocab = model.config.vocabSize;
  const width = Math.max(...prompts.map((prompt) => prompt.length));
  const ids = new Int32Array(prompts.length * width).fill(tokenizer.padTokenId);
  const mask = new Int32Array(prompts.length * width);
  prompts.forEach((prompt, row) => {
    ids.set(prompt, row * width + width - prompt.length);
    mask.fill(1, row * width + width - prompt.length, (row + 1) * width);
  });
  const rows: Row[] = prompts.map((_, index) => ({ index, tokenIds: [], logprobs: [] }));
  let running = rows.slice();
  const cache = new KVCache(model.config.numHiddenLayers);
  try {
    let last = tf.tidy(() => {
      const logits = model.forward(tf.tensor2d(ids, [prompts.length, width], 'int32'), {
        attentionMask: tf.tensor2d(mask, [prompts.length, width], 'int32'),
        cache,
      });
      return tf.reshape(tf.slice(logits, [0, width - 1, 0], [prompts.length, 1, vocab]), [prompts.length, vocab]);
    });
    for (let step = 0; ; step += 1) {
      const values = (await last.data()) as Float32Array;
      last.dispose();
      const next: number[] = [];
      const keep: number[] = [];
      running.forEach((row, position) => {
        const logits = values.subarray(position * vocab, (position + 1) * vocab);
        const token = sampleToken(logits, options, randoms ? randoms[row.index]! : random);
        row.tokenIds.push(token);
        if (wantLogprobs) {
          const normaliser = logSumExp(logits);
          row.logprobs.push({
            id: token,
            logprob: logits[token] - normaliser,
            top: topEntries(logits, topLogprobs).map((entry) => ({ id: entry.id, logprob: entry.value - normaliser })),
          });
        }
        if (eos.has(token)) row.finishReason = 'stop';
        else if (stops.length > 0) {
          const text = tokenizer.decode(row.tokenIds, { skipSpecialTokens: true });
          const cut = stops.map((stop) => text.indexOf(stop)).filter((at) => at >= 0);
          if (cut.length > 0) {
            row.finishReason = 'stop';
            row.text = text.slice(0, Math.min(...cut));
          }
        }
        if (!row.finishReason && row.tokenIds.length >= options.maxTokens) row.finishReason = 'length';
        if (!row.finishReason) {
          keep.push(position);
          next.push(token);
        }
      });
      options.onStep?.(step, keep.length);
      if (keep.length === 0) break;
      if (keep.length < running.length) {
        cache.selectRows(keep);
        running = keep.map((position) => running[position]);
      }
      last = tf.tidy(() => {
        const logits = model.forward(tf.tensor2d(next, [next.length, 1], 'int32'), { cache });
        return tf.reshape(logits, [next.length, vocab]);
      });
    }
  } finally {
    cache.dispose();
  }
  return rows.map((row) => {
    const content = row.tokenIds.length > 0 && eos.has(row.tokenIds[row.tokenIds.length - 1]) ? row.tokenIds.slice(0, -1) : row.tokenIds;
    return {
      tokenIds: row.tokenIds,
      text: row.text ?? tokenizer.decode(content, { skipSpecialTokens: true }),
      finishReason: row.finishReason ?? 'length',
      ...(wantLogprobs ? { logprobs: row.logprobs } : {}),
    };
  });
}

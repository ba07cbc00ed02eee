import * as tf from '@tensorflow/tfjs';
import { LlmError } from '../errors/llm-error';
import type { CausalLM } from '../model/causal-lm';
import type { TokenLogprob } from './generate';

/** One prompt/response pair to score. */
export interface ScoreRequest {
  prompt: number[];
  response: number[];
}

/**
 * Teacher-forced scoring of many prompt/response pairs in one right-padded forward pass: for
 * every response token, its log-probability under the model and the top-k of the full
 * distribution at that position (log-softmax, descending). Only response positions go through
 * the LM head, so memory is `responseTokens × vocab`, not `allTokens × vocab`.
 */
export async function scoreTopKBatch(model: CausalLM, requests: ScoreRequest[], k: number): Promise<TokenLogprob[][]> {
  const vocab = model.config.vocabSize;
  if (!(k >= 1 && k <= vocab)) throw new LlmError('option-invalid', `scoreTopK: k must be between 1 and the vocabulary size ${vocab}, got ${k}.`);
  for (const [index, request] of requests.entries()) {
    if (request.prompt.length === 0) throw new LlmError('option-invalid', `scoreTopK: request ${index} has an empty prompt; the first response token needs a context.`);
  }
  const scored = requests.filter((request) => request.response.length > 0);
  if (scored.length === 0) return requests.map(() => []);
  const width = Math.max(...scored.map((request) => request.prompt.length + request.response.length));
  const ids = new Int32Array(scored.length * width);
  const mask = new Int32Array(scored.length * width);
  const positions: number[] = [];
  const targets: number[] = [];
  scored.forEach((request, row) => {
    const sequence = [...request.prompt, ...request.response];
    ids.set(sequence, row * width);
    mask.fill(1, row * width, row * width + sequence.length);
    for (let index = 0; index < request.response.length; index += 1) {
      positions.push(row * width + request.prompt.length - 1 + index);
      targets.push(request.response[index]);
    }
  });
  const [topValues, topIndices, chosen] = tf.tidy(() => {
    const hidden = model.hidden(tf.tensor2d(ids, [scored.length, width], 'int32'), {
      attentionMask: tf.tensor2d(mask, [scored.length, width], 'int32'),
    });
    const rows = tf.gather(tf.reshape(hidden, [scored.length * width, model.config.hiddenSize]), tf.tensor1d(positions, 'int32'));
    const logProbabilities = tf.logSoftmax(tf.matMul(rows, model.lmHead(), false, true));
    const top = tf.topk(logProbabilities, k);
    const flat = tf.add(tf.mul(tf.range(0, positions.length, 1, 'int32'), tf.scalar(vocab, 'int32')), tf.tensor1d(targets, 'int32'));
    return [top.values, top.indices, tf.gather(tf.reshape(logProbabilities, [-1]), flat)];
  });
  const [values, indices, picked] = await Promise.all([topValues.data(), topIndices.data(), chosen.data()]);
  tf.dispose([topValues, topIndices, chosen]);
  let cursor = 0;
  const byRequest = new Map<ScoreRequest, TokenLogprob[]>();
  for (const request of scored) {
    const result: TokenLogprob[] = [];
    for (let index = 0; index < request.response.length; index += 1, cursor += 1) {
      const top = Array.from({ length: k }, (_, rank) => ({ id: indices[cursor * k + rank], logprob: values[cursor * k + rank] }));
      result.push({ id: request.response[index], logprob: picked[cursor], top });
    }
    byRequest.set(request, result);
  }
  return requests.map((request) => byRequest.get(request) ?? []);
}

/**
 * Teacher-forced scoring of one response after one prompt (see `scoreTopKBatch`): per response
 * token, `{ id, logprob, top }` with the top-k log-probabilities, from one forward pass.
 */
export async function scoreTopK(model: CausalLM, prompt: number[], response: number[], k: number): Promise<TokenLogprob[]> {
  return (await scoreTopKBatch(model, [{ prompt, response }], k))[0];
}

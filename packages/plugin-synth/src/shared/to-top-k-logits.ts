import { DistillError, type TokenLogprobV1, type TopKLogitsV1 } from '@easydistill/core';

/**
 * Packs per-token log-probabilities into the store's TopKLogitsV1: alternatives sorted by
 * descending log-probability, cut or padded (id −1, log-probability −Infinity) to k. Every token
 * and alternative needs a tokenizer id; an API teacher that returns only strings is refused with a
 * message that says so.
 */
export function toTopKLogits(tokens: readonly TokenLogprobV1[], k: number, source: string): TopKLogitsV1 {
  const tokenIds = new Int32Array(tokens.length);
  const topIds = new Int32Array(tokens.length * k).fill(-1);
  const topLogprobs = new Float32Array(tokens.length * k).fill(-Infinity);
  tokens.forEach((token, position) => {
    if (token.id === undefined) throw missingIds(source, position, token.token);
    tokenIds[position] = token.id;
    const top = [...token.top].sort((left, right) => right.logprob - left.logprob).slice(0, k);
    top.forEach((alternative, rank) => {
      if (alternative.id === undefined) throw missingIds(source, position, alternative.token);
      topIds[position * k + rank] = alternative.id;
      topLogprobs[position * k + rank] = alternative.logprob;
    });
  });
  return { k, tokenIds, topIds, topLogprobs };
}

function missingIds(source: string, position: number, token: string): DistillError {
  return new DistillError({
    code: 'MISSING_CAPABILITY',
    message:
      `${source} returned log-probabilities without token ids (position ${position}, token ${JSON.stringify(token)}). ` +
      'The logits store keeps tokenizer ids for white-box distillation: use a teacher that reports ids (a local model, `easydistill serve`), or drop with.topLogprobs.',
  });
}

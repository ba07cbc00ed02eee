/**
 * The teacher's top-k log-probabilities over one response, as stored in the logits store:
 * `tokenIds[t]` is the response token at position t and `topIds[t*k + j]` / `topLogprobs[t*k + j]`
 * its j-th most likely alternative (descending). Keyed by row id in the store.
 */
export interface TopKLogitsV1 {
  k: number;
  tokenIds: Int32Array;
  topIds: Int32Array;
  topLogprobs: Float32Array;
}

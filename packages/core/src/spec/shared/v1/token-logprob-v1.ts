/**
 * Log-probability of one token and its top-k alternatives at the same position.
 * `id` is the tokenizer id when the teacher knows it (local models, `easydistill serve`); API
 * teachers that only return token strings leave it undefined and white-box stages refuse them.
 */
export interface TokenLogprobV1 {
  token: string;
  id?: number;
  logprob: number;
  top: Array<{ token: string; id?: number; logprob: number }>;
}

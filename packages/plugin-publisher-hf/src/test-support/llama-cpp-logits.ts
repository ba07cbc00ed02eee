import { getLlama, type Llama, type Token } from 'node-llama-cpp';

let llamaPromise: Promise<Llama> | undefined;

/** node-llama-cpp's prebuilt CPU binding (never builds from source, never downloads). */
function cpuLlama(): Promise<Llama> {
  llamaPromise ??= getLlama({ gpu: false, build: 'never', logLevel: 'error' as never });
  return llamaPromise;
}

/**
 * Next-token logits llama.cpp computes at every position of each sequence, `[T * vocab]` per
 * sequence. `exact` evaluates in float32 throughout (flash attention off, f32 KV cache) so the
 * comparison measures the file, not llama.cpp's default f16 KV cache; otherwise llama.cpp's
 * defaults (f16 KV cache, flash attention "auto") are used, as Ollama would serve it.
 */
export async function llamaCppLogits(ggufPath: string, sequences: number[][], options: { exact: boolean }): Promise<Float32Array[]> {
  const llama = await cpuLlama();
  const model = await llama.loadModel({ modelPath: ggufPath });
  const contextSize = Math.max(64, ...sequences.map((ids) => ids.length + 8));
  const context = await model.createContext({
    contextSize,
    sequences: sequences.length,
    threads: 1,
    ...(options.exact ? { flashAttention: false, experimentalKvCacheKeyType: 'F32', experimentalKvCacheValueType: 'F32' } : {}),
  });
  try {
    const results: Float32Array[] = [];
    for (const ids of sequences) {
      const sequence = context.getSequence();
      const evaluated = await sequence.controlledEvaluate(ids.map((id) => [id as Token, { generateNext: { logits: true } }] as const));
      const vocab = evaluated[0]?.next?.logits?.size ?? 0;
      const logits = new Float32Array(ids.length * vocab);
      for (let position = 0; position < ids.length; position += 1) {
        const row = evaluated[position]?.next?.logits;
        if (!row || row.size !== vocab) throw new Error(`llama.cpp returned no full logits row at position ${position}.`);
        for (const [token, value] of row) logits[position * vocab + token] = value;
      }
      results.push(logits);
    }
    return results;
  } finally {
    await context.dispose();
    await model.dispose();
  }
}

/** Tokenises `text` with the GGUF's own tokenizer (special tokens parsed), to check the vocabulary export. */
export async function llamaCppTokenize(ggufPath: string, texts: string[]): Promise<number[][]> {
  const llama = await cpuLlama();
  const model = await llama.loadModel({ modelPath: ggufPath, vocabOnly: true });
  try {
    return texts.map((text) => model.tokenize(text, true).map(Number));
  } finally {
    await model.dispose();
  }
}

/** Agreement of two `[T * vocab]` logit arrays: top-1 matches and the largest log-probability difference. */
export function compareLogprobs(actual: Float32Array, expected: ArrayLike<number>, vocab: number): { positions: number; top1Agreement: number; maxLogprobDiff: number } {
  const positions = actual.length / vocab;
  let agree = 0;
  let maxLogprobDiff = 0;
  const logSumExp = (values: ArrayLike<number>, offset: number): number => {
    let maximum = -Infinity;
    for (let index = 0; index < vocab; index += 1) maximum = Math.max(maximum, values[offset + index]);
    let sum = 0;
    for (let index = 0; index < vocab; index += 1) sum += Math.exp(values[offset + index] - maximum);
    return maximum + Math.log(sum);
  };
  for (let position = 0; position < positions; position += 1) {
    const offset = position * vocab;
    const actualNorm = logSumExp(actual, offset);
    const expectedNorm = logSumExp(expected, offset);
    let actualTop = 0;
    let expectedTop = 0;
    for (let index = 0; index < vocab; index += 1) {
      const difference = Math.abs(actual[offset + index] - actualNorm - (expected[offset + index] - expectedNorm));
      if (difference > maxLogprobDiff) maxLogprobDiff = difference;
      if (actual[offset + index] > actual[offset + actualTop]) actualTop = index;
      if (expected[offset + index] > expected[offset + expectedTop]) expectedTop = index;
    }
    if (actualTop === expectedTop) agree += 1;
  }
  return { positions, top1Agreement: agree / positions, maxLogprobDiff };
}

import type { RowV1, TopKLogitsV1 } from '@easydistill/core';
import type { Tokenizer } from '@easydistill/llm-tfjs';
import { trainerError } from '../trainer-error';

function normalise(text: string): string {
  return text.normalize('NFC').trim();
}

/**
 * Checks, before any training, that the teacher's stored response tokens are the student's
 * tokens: every id fits the student's vocabulary and the response ids decode with the student's
 * tokenizer to the row's response text. A different tokenizer fails here with the row id and both
 * texts, instead of training on misaligned targets.
 */
export function checkTeacherTokens(row: RowV1, response: string, logits: TopKLogitsV1, tokenizer: Tokenizer, vocabSize: number, storePath: string): void {
  let largest = -1;
  for (const id of logits.tokenIds) largest = Math.max(largest, id);
  for (const id of logits.topIds) largest = Math.max(largest, id);
  if (largest >= vocabSize) {
    throw trainerError(
      'INVALID_DATASET',
      `Teacher and student tokenizers differ: row "${row.id}" in ${storePath} uses token id ${largest}, but the student's vocabulary has ${vocabSize} tokens. KD needs a teacher with the student's tokenizer (e.g. the same model family); use trainer-tfjs/sft for a different teacher.`,
    );
  }
  const decoded = tokenizer.decode(Array.from(logits.tokenIds), { skipSpecialTokens: true });
  if (normalise(decoded) !== normalise(response)) {
    throw trainerError(
      'INVALID_DATASET',
      `Teacher and student tokenizers differ: row "${row.id}" in ${storePath}: the teacher's response token ids decode with the student's tokenizer to ${JSON.stringify(decoded.slice(0, 80))}, but the row's response is ${JSON.stringify(response.slice(0, 80))}. KD needs a teacher with the student's tokenizer; use trainer-tfjs/sft for a different teacher.`,
    );
  }
}

import { DistillError } from '@easydistill/core';
import { readJsonl } from './read-jsonl';

/** One model answer in the official `input_response_data.jsonl` format. */
export interface IfevalResponse {
  readonly prompt: string;
  readonly response: string;
}

/**
 * Reads responses in the official format (`{"prompt": …, "response": …}` per line) into a map
 * from prompt to response. As in the official `read_prompt_to_response_dict`, a later line for the
 * same prompt replaces an earlier one.
 */
export async function readIfevalResponses(path: string): Promise<Map<string, string>> {
  const responses = new Map<string, string>();
  for (const { line, value } of await readJsonl(path)) {
    const row = value as Partial<IfevalResponse> | null;
    if (row === null || typeof row !== 'object' || typeof row.prompt !== 'string' || typeof row.response !== 'string') {
      throw new DistillError({
        code: 'INVALID_DATASET',
        message: `${path}:${line}: expected {"prompt": string, "response": string} (the official IFEval response format).`,
      });
    }
    responses.set(row.prompt, row.response);
  }
  return responses;
}

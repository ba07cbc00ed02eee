import { readFile } from 'node:fs/promises';
import { LlmError } from '../errors/llm-error';

/** Reads a JSON object from a model folder file; a syntax error names the file and the fix. */
export async function readJsonFile(path: string): Promise<Record<string, unknown>> {
  const text = await readFile(path, 'utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new LlmError('invalid-json', `${path} is not valid JSON (${(error as Error).message}); re-download or re-save the model folder.`, { cause: error });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new LlmError('invalid-json', `${path} must hold a JSON object, not ${Array.isArray(value) ? 'an array' : typeof value}.`);
  }
  return value as Record<string, unknown>;
}

import { DistillError } from '@easydistill/core';
import type { InstructionKwargs } from './checkers/instruction-checker';
import { packageDataPath } from './data/package-data-path';
import { readJsonl } from './read-jsonl';

/** One IFEval prompt (a line of the official `input_data.jsonl`). */
export interface IfevalInput {
  readonly key: number;
  readonly prompt: string;
  readonly instruction_id_list: readonly string[];
  readonly kwargs: readonly InstructionKwargs[];
}

/** Path of the shipped official `input_data.jsonl` (541 prompts, Apache-2.0). */
export function ifevalInputDataPath(): string {
  return packageDataPath('input_data.jsonl');
}

/**
 * Reads IFEval prompts in the official format (default: the shipped 541 prompts). Each line must
 * have `key`, `prompt`, `instruction_id_list` and a `kwargs` list of the same length.
 */
export async function readIfevalInputData(path: string = ifevalInputDataPath()): Promise<IfevalInput[]> {
  return (await readJsonl(path)).map(({ line, value }) => {
    const row = value as Partial<IfevalInput> | null;
    const ok =
      row !== null &&
      typeof row === 'object' &&
      typeof row.prompt === 'string' &&
      Array.isArray(row.instruction_id_list) &&
      Array.isArray(row.kwargs) &&
      row.kwargs.length === row.instruction_id_list.length;
    if (!ok) {
      throw new DistillError({
        code: 'INVALID_DATASET',
        message: `${path}:${line}: expected {"key", "prompt", "instruction_id_list": [...], "kwargs": [...]} with one kwargs object per instruction id.`,
      });
    }
    return { key: typeof row.key === 'number' ? row.key : line, prompt: row.prompt!, instruction_id_list: row.instruction_id_list!, kwargs: row.kwargs! };
  });
}

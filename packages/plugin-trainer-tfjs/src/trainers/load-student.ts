import type { RunContextV1 } from '@easydistill/core';
import { initBackend, Tokenizer, type BackendName } from '@easydistill/llm-tfjs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { trainerError } from '../trainer-error';

/**
 * Starts the TensorFlow.js backend and finds the student: `from` (an earlier stage's model,
 * through `context.resolveModel`) or `student` (a folder resolved against the recipe, or a Hub
 * id). Loads its tokenizer, which must have a chat template.
 */
export async function loadStudent(
  options: { student?: string; from?: string; backend?: BackendName },
  context: RunContextV1,
  componentId: string,
): Promise<{ studentDir: string; tokenizer: Tokenizer; backend: BackendName }> {
  const backend = await initBackend(options.backend);
  const reference = (options.from ?? options.student)!;
  const optionName = options.from !== undefined ? 'from' : 'student';
  let studentDir = context.resolveModel(reference);
  if (!existsSync(studentDir)) {
    if (options.from !== undefined && studentDir === reference && !/^[.~/]/.test(reference)) {
      throw trainerError(
        'INVALID_MODEL',
        `${componentId}: with.from "${reference}" is not a model written by an earlier stage of this run; name the \`out\` of an earlier trainer stage, or use with.student for a model folder or Hub id.`,
      );
    }
    if (options.from !== undefined || !/^[\w.-]+\/[\w.-]+$/.test(reference)) {
      throw trainerError('INVALID_MODEL', `${componentId}: with.${optionName} "${reference}" resolves to ${studentDir}, which does not exist.`);
    }
    studentDir = reference; // a Hub id: llm-tfjs downloads it into its cache
  } else if (!existsSync(join(studentDir, 'config.json'))) {
    throw trainerError('INVALID_MODEL', `${componentId}: with.${optionName} "${reference}" (${studentDir}) has no config.json; it must be a Hugging Face model folder.`);
  }
  const tokenizer = await Tokenizer.load(studentDir);
  if (!tokenizer.hasChatTemplate) {
    throw trainerError('INVALID_MODEL', `${componentId}: the student's tokenizer in ${studentDir} has no chat template; add chat_template.jinja to the folder.`);
  }
  return { studentDir: tokenizer.dir, tokenizer, backend };
}

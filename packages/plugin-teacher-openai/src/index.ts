import { definePlugin, defineTeacher } from '@easydistill/core';
import packageJson from '../package.json' with { type: 'json' };
import { OpenAIChatTeacher } from './openai-chat-teacher';
import { openaiTeacherOptionsSchema } from './openai-teacher-options';

export { OpenAIChatTeacher, type OpenAITeacherEnvironment } from './openai-chat-teacher';
export { openaiTeacherOptionsSchema, type OpenAITeacherOptions, type ResolvedOpenAITeacherOptions } from './openai-teacher-options';
export type { UsageTotals } from './usage-meter';
export { backoffDelayMs, classifyAttemptError, retryAfterFromHeaders, MalformedResponseError, NotJsonResponseError } from './retry-policy';

/** `teacher-openai/chat`: any OpenAI-compatible endpoint (OpenAI, vLLM, Ollama, llama.cpp server, DashScope, easydistill serve). */
export const chatTeacher = defineTeacher({
  id: 'chat',
  description: 'Teacher on any OpenAI-compatible endpoint (logprobs, white-box scoring where the endpoint supports it).',
  optionsSchema: openaiTeacherOptionsSchema,
  create: ({ options, context }) => new OpenAIChatTeacher(options, { env: (name) => context.env(name), logger: context.logger, signal: context.signal }),
});

/** The plugin manifest (default export, loaded by core). */
export default definePlugin({
  name: packageJson.name,
  version: packageJson.version,
  apiVersion: 1,
  namespace: 'teacher-openai',
  provides: [chatTeacher],
});

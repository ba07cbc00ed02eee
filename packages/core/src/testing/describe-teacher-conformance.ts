import { describe, expect, it } from 'vitest';
import type { TeacherV1 } from '../spec/teacher/v1/teacher-v1';
import { createForConformance, isJsonSafe, type ConformanceOptions } from './conformance-setup';

/**
 * The teacher contract: a valid manifest, declared capabilities of the right shape, completions
 * with usage, `n` honoured, log-probabilities exactly when declared, scoring with token ids when
 * declared, JSON-safe answers (they are cached as JSON) and an idempotent close.
 */
export function describeTeacherConformance(options: ConformanceOptions & { prompt?: string; timeoutMs?: number }): void {
  const setup = async () => (await createForConformance('teacher', options)).instance as TeacherV1;
  const timeout = options.timeoutMs ?? 30_000;
  const messages = [{ role: 'user' as const, content: options.prompt ?? 'Say hello.' }];
  describe(`teacher conformance: ${options.componentId}`, () => {
    it('identifies itself as a v1 teacher', async () => {
      const teacher = await setup();
      expect(teacher.specificationVersion).toBe('v1');
      expect(teacher.componentId).toBe(options.componentId);
      expect(typeof teacher.modelId).toBe('string');
      expect(teacher.modelId.length).toBeGreaterThan(0);
      await teacher.doClose?.();
    });

    it('declares its capabilities', async () => {
      const teacher = await setup();
      const capabilities = await teacher.doCapabilities();
      expect(typeof capabilities.logprobs).toBe('boolean');
      expect(typeof capabilities.score).toBe('boolean');
      expect(Number.isInteger(capabilities.maxTopLogprobs)).toBe(true);
      if (capabilities.logprobs) expect(capabilities.maxTopLogprobs).toBeGreaterThan(0);
      if (capabilities.score) expect(typeof teacher.doScore).toBe('function');
      await teacher.doClose?.();
    });

    it('generates n completions with usage, JSON-safe', { timeout }, async () => {
      const teacher = await setup();
      const response = await teacher.doGenerate({ messages, n: 2, maxTokens: 16, temperature: 0 });
      expect(response.choices).toHaveLength(2);
      for (const choice of response.choices) {
        expect(typeof choice.text).toBe('string');
        expect(['stop', 'length', 'other']).toContain(choice.finishReason);
      }
      expect(response.usage.promptTokens).toBeGreaterThanOrEqual(0);
      expect(response.usage.completionTokens).toBeGreaterThanOrEqual(0);
      expect(typeof response.model).toBe('string');
      expect(isJsonSafe(response)).toBe(true);
      await teacher.doClose?.();
    });

    it('returns top log-probabilities when it declares them', { timeout }, async () => {
      const teacher = await setup();
      const capabilities = await teacher.doCapabilities();
      if (capabilities.logprobs) {
        const response = await teacher.doGenerate({ messages, maxTokens: 8, topLogprobs: 2, temperature: 0 });
        const logprobs = response.choices[0].logprobs;
        expect(Array.isArray(logprobs)).toBe(true);
        expect(logprobs!.length).toBeGreaterThan(0);
        for (const entry of logprobs!) {
          expect(entry.logprob).toBeLessThanOrEqual(0);
          expect(entry.top.length).toBeGreaterThan(0);
          expect(entry.top.length).toBeLessThanOrEqual(2);
        }
      }
      await teacher.doClose?.();
    });

    it('scores a response with token ids when it declares score', { timeout }, async () => {
      const teacher = await setup();
      const capabilities = await teacher.doCapabilities();
      if (capabilities.score) {
        const scored = await teacher.doScore!({ messages, response: 'Hello there.', topK: 3 });
        expect(scored.tokens.length).toBeGreaterThan(0);
        for (const token of scored.tokens) {
          expect(Number.isInteger(token.id)).toBe(true);
          expect(token.top.length).toBeLessThanOrEqual(3);
        }
      }
      await teacher.doClose?.();
      await teacher.doClose?.();
    });
  });
}

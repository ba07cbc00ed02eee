import { describe, expect, it } from 'vitest';
import type { RowV1 } from '../spec/shared/v1/row-v1';
import type { VerifierV1 } from '../spec/verifier/v1/verifier-v1';
import { createForConformance, isJsonSafe, SAMPLE_ROWS, type ConformanceOptions } from './conformance-setup';

/** The verifier contract: a boolean verdict with a non-empty reason for every row, JSON-safe annotations, deterministic. */
export function describeVerifierConformance(options: ConformanceOptions & { rows?: RowV1[]; timeoutMs?: number }): void {
  const rows = options.rows ?? SAMPLE_ROWS;
  const timeout = options.timeoutMs ?? 30_000;
  describe(`verifier conformance: ${options.componentId}`, () => {
    it('identifies itself as a v1 verifier', async () => {
      const { instance } = await createForConformance('verifier', options);
      expect(instance.specificationVersion).toBe('v1');
      expect(instance.componentId).toBe(options.componentId);
    });

    it('returns a verdict with a reason for every row, the same twice', { timeout }, async () => {
      const { instance } = await createForConformance('verifier', options);
      for (const row of rows) {
        const verdict = await (instance as VerifierV1).doVerify(row);
        expect(typeof verdict.pass).toBe('boolean');
        expect(typeof verdict.reason).toBe('string');
        if (!verdict.pass) expect(verdict.reason.length).toBeGreaterThan(0);
        if (verdict.annotations) expect(isJsonSafe(verdict.annotations)).toBe(true);
        expect(await (instance as VerifierV1).doVerify(row)).toEqual(verdict);
      }
    });
  });
}

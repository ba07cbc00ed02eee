import { describe, expect, it } from 'vitest';
import type { AgentV1 } from '../spec/agent/v1/agent-v1';
import type { RowV1 } from '../spec/shared/v1/row-v1';
import { createForConformance, isJsonSafe, SAMPLE_ROWS, type ConformanceOptions } from './conformance-setup';

/**
 * The agent contract: rows in, rows out with ids derived from the input id (so a resumed run
 * emits the same ids), JSON-safe rows, rejections with reasons, and the same result when a row is
 * processed twice (what makes resume and the request cache work).
 */
export function describeAgentConformance(options: ConformanceOptions & { rows?: RowV1[]; timeoutMs?: number }): void {
  const rows = options.rows ?? SAMPLE_ROWS;
  const timeout = options.timeoutMs ?? 30_000;
  describe(`agent conformance: ${options.componentId}`, () => {
    it('identifies itself as a v1 agent', async () => {
      const { instance } = await createForConformance('agent', options);
      expect(instance.specificationVersion).toBe('v1');
      expect(instance.componentId).toBe(options.componentId);
      if (instance.concurrency !== undefined) expect(instance.concurrency).toBeGreaterThan(0);
    });

    it('derives output ids from the input id and returns JSON-safe rows', { timeout }, async () => {
      const { instance } = await createForConformance('agent', options);
      for (const row of rows) {
        const result = await (instance as AgentV1).doProcess(row);
        expect(Array.isArray(result.outputs)).toBe(true);
        const ids = new Set<string>();
        for (const output of result.outputs) {
          expect(typeof output.row.id).toBe('string');
          expect(output.row.id === row.id || output.row.id.startsWith(`${row.id}/`)).toBe(true);
          expect(ids.has(output.row.id)).toBe(false);
          ids.add(output.row.id);
          expect(isJsonSafe(output.row)).toBe(true);
          if (output.logits) expect(output.logits.topIds.length).toBe(output.logits.tokenIds.length * output.logits.k);
        }
        for (const rejection of result.rejected ?? []) {
          expect(typeof rejection.reason).toBe('string');
          expect(rejection.reason.length).toBeGreaterThan(0);
        }
      }
    });

    it('gives the same result for the same row twice', { timeout }, async () => {
      const { instance } = await createForConformance('agent', options);
      const first = await (instance as AgentV1).doProcess(rows[0]);
      const second = await (instance as AgentV1).doProcess(rows[0]);
      expect(second.outputs.map((output) => output.row)).toEqual(first.outputs.map((output) => output.row));
    });
  });
}

import { describe, expect, it } from 'vitest';
import type { RowV1 } from '../spec/shared/v1/row-v1';
import type { SelectorV1, SelectorV1Decision } from '../spec/selector/v1/selector-v1';
import { createForConformance, SAMPLE_ROWS, type ConformanceOptions } from './conformance-setup';

async function* stream(rows: RowV1[]): AsyncIterable<RowV1> {
  for (const row of rows) yield row;
}

async function collect(selector: SelectorV1, rows: RowV1[]): Promise<SelectorV1Decision[]> {
  const decisions: SelectorV1Decision[] = [];
  for await (const decision of selector.doSelect(stream(rows))) decisions.push(decision);
  return decisions;
}

/** The selector contract: exactly one decision per input row, dropped rows with a reason, deterministic. */
export function describeSelectorConformance(options: ConformanceOptions & { rows?: RowV1[]; timeoutMs?: number }): void {
  const rows = options.rows ?? SAMPLE_ROWS;
  const timeout = options.timeoutMs ?? 30_000;
  describe(`selector conformance: ${options.componentId}`, () => {
    it('identifies itself as a v1 selector', async () => {
      const { instance } = await createForConformance('selector', options);
      expect(instance.specificationVersion).toBe('v1');
      expect(instance.componentId).toBe(options.componentId);
    });

    it('decides once on every row, with reasons for drops, the same twice', { timeout }, async () => {
      const { instance } = await createForConformance('selector', options);
      const decisions = await collect(instance as SelectorV1, rows);
      expect(decisions.map((decision) => decision.row.id).sort()).toEqual(rows.map((row) => row.id).sort());
      for (const decision of decisions) {
        expect(typeof decision.keep).toBe('boolean');
        if (!decision.keep) expect(typeof decision.reason).toBe('string');
      }
      const again = await collect((await createForConformance('selector', options)).instance as SelectorV1, rows);
      expect(again).toEqual(decisions);
    });
  });
}

import { appendFileSync, existsSync, mkdtempSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TopKLogitsV1 } from '../spec/shared/v1/top-k-logits-v1';
import { LogitsStoreReader, LogitsStoreWriter, logitsIndexPath } from './logits-store';
import { float16BitsToFloat32, float32ToFloat16Bits } from './logits-store-format';

const folder = mkdtempSync(join(tmpdir(), 'logits-store-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('LogitsStoreWriter / LogitsStoreReader', () => {
  it('round-trips rows with float16 precision and costs at most 64 bytes per token at k = 10', () => {
    const { path } = setup('roundtrip');
    const writer = LogitsStoreWriter.open(path, { k: 10 });
    const rows = Array.from({ length: 20 }, (_, index) => makeLogits(10, 50 + index, index, 151_935));
    rows.forEach((logits, index) => writer.append(`row-${index}`, logits));
    writer.close();
    const tokens = rows.reduce((sum, logits) => sum + logits.tokenIds.length, 0);
    const bytesPerToken = statSync(path).size / tokens;
    expect(bytesPerToken).toBeLessThanOrEqual(64);
    expect(bytesPerToken).toBeGreaterThan(53);

    const reader = LogitsStoreReader.open(path);
    expect(reader.source).toBe('index');
    expect(reader.ids()).toEqual(rows.map((_, index) => `row-${index}`));
    for (const [index, expected] of rows.entries()) {
      const actual = reader.get(`row-${index}`)!;
      expect(actual.k).toBe(10);
      expect([...actual.tokenIds]).toEqual([...expected.tokenIds]);
      expect([...actual.topIds]).toEqual([...expected.topIds]);
      for (let position = 0; position < expected.topLogprobs.length; position++) {
        const want = expected.topLogprobs[position]!;
        expect(Math.abs(actual.topLogprobs[position]! - want)).toBeLessThanOrEqual(Math.abs(want) * 2 ** -11 + 1e-7);
      }
    }
    expect(reader.get('missing')).toBeUndefined();
    reader.close();
  });

  it('switches to 4-byte ids for large vocabularies and keeps -1 padding and -Infinity', () => {
    const { path } = setup('wide');
    const writer = LogitsStoreWriter.open(path, { k: 2 });
    const wide: TopKLogitsV1 = { k: 2, tokenIds: Int32Array.of(20_000_000), topIds: Int32Array.of(20_000_000, 5), topLogprobs: Float32Array.of(-0.01, -7) };
    const padded: TopKLogitsV1 = { k: 2, tokenIds: Int32Array.of(3), topIds: Int32Array.of(3, -1), topLogprobs: Float32Array.of(0, -Infinity) };
    writer.append('wide', wide);
    writer.append('padded', padded);
    writer.close();
    const reader = LogitsStoreReader.open(path);
    expect([...reader.get('wide')!.topIds]).toEqual([20_000_000, 5]);
    expect([...reader.get('padded')!.topIds]).toEqual([3, -1]);
    expect(reader.get('padded')!.topLogprobs[1]).toBe(-Infinity);
    reader.close();
  });

  it('reads by scanning when the index is missing or stale, and a later record for an id wins', () => {
    const { path } = setup('scan');
    const writer = LogitsStoreWriter.open(path, { k: 3 });
    writer.append('a', makeLogits(3, 4, 1, 1000));
    writer.append('b', makeLogits(3, 5, 2, 1000));
    const replaced = makeLogits(3, 6, 3, 1000);
    writer.append('a', replaced);
    writer.close();
    rmSync(logitsIndexPath(path));
    let reader = LogitsStoreReader.open(path);
    expect(reader.source).toBe('scan');
    expect(reader.ids()).toEqual(['a', 'b']);
    expect([...reader.get('a')!.tokenIds]).toEqual([...replaced.tokenIds]);
    reader.close();

    // A stale index (file grew after it was written) is ignored.
    const again = LogitsStoreWriter.open(path, { k: 3 });
    again.close();
    appendFileSync(path, Buffer.alloc(0));
    writeFileSync(logitsIndexPath(path), JSON.stringify({ format: 'easydistill-logits-index', version: 1, k: 3, dataBytes: 1, rows: [] }));
    reader = LogitsStoreReader.open(path);
    expect(reader.source).toBe('scan');
    expect(reader.size).toBe(2);
    reader.close();
  });

  it('resumes after a crash: cut back to the committed length, torn tail ignored, appends continue', () => {
    const { path } = setup('resume');
    const writer = LogitsStoreWriter.open(path, { k: 4 });
    writer.append('r0', makeLogits(4, 8, 0, 500));
    writer.append('r1', makeLogits(4, 8, 1, 500));
    const committed = writer.commit();
    writer.append('r2', makeLogits(4, 8, 2, 500));
    const afterR2 = writer.bytesWritten;
    // Simulate SIGKILL mid-record: no close, no index, half of r2 on disk.
    truncateSync(path, afterR2 - 17);
    expect(existsSync(logitsIndexPath(path))).toBe(false);

    const reader = LogitsStoreReader.open(path);
    expect(reader.ids()).toEqual(['r0', 'r1']);
    reader.close();

    const resumed = LogitsStoreWriter.open(path, { k: 4, committed });
    expect(resumed.bytesWritten).toBe(committed);
    expect(resumed.rowCount).toBe(2);
    resumed.append('r2', makeLogits(4, 8, 2, 500));
    resumed.close();
    const final = LogitsStoreReader.open(path);
    expect(final.source).toBe('index');
    expect(final.ids()).toEqual(['r0', 'r1', 'r2']);
    expect(final.get('r2')!.tokenIds.length).toBe(8);
    final.close();

    // Without a committed length, a torn tail is dropped and earlier rows kept.
    appendFileSync(path, Buffer.from([0x52, 0x54, 0x4b, 0x31, 0xff]));
    const tolerant = LogitsStoreWriter.open(path, { k: 4 });
    expect(tolerant.rowCount).toBe(3);
    tolerant.close();
  });

  it('refuses a k mismatch, a foreign file and a committed length past the end, naming the file', () => {
    const { path } = setup('errors');
    LogitsStoreWriter.open(path, { k: 5 }).close();
    expect(() => LogitsStoreWriter.open(path, { k: 6 })).toThrow(/holds k = 5 but the stage asks for k = 6/);
    expect(() => LogitsStoreWriter.open(path, { k: 5, committed: 10_000 })).toThrow(/committed length is 10000/);
    const foreign = join(folder, 'foreign.bin');
    writeFileSync(foreign, 'not a store at all');
    expect(() => LogitsStoreReader.open(foreign)).toThrow(/EDLOGITS/);
    const writer = LogitsStoreWriter.open(path, { k: 5 });
    expect(() => writer.append('x', makeLogits(4, 2, 0, 10))).toThrow(/k = 4; the store was opened with k = 5/);
    expect(() => writer.append('x', { k: 5, tokenIds: Int32Array.of(1), topIds: Int32Array.of(1), topLogprobs: Float32Array.of(0) })).toThrow(/T × k/);
    writer.close();
  });

  it('float16 conversion rounds to nearest and keeps the range of log-probabilities', () => {
    for (const value of [0, -0.5, -1e-4, -3.14159, -20, -65504, -1e-7]) {
      const back = float16BitsToFloat32(float32ToFloat16Bits(value));
      expect(Math.abs(back - value)).toBeLessThanOrEqual(Math.max(Math.abs(value) * 2 ** -11, 2 ** -24));
    }
    expect(float16BitsToFloat32(float32ToFloat16Bits(-1e6))).toBe(-Infinity);
    expect(Number.isNaN(float16BitsToFloat32(float32ToFloat16Bits(Number.NaN)))).toBe(true);
  });
});

function setup(name: string) {
  return { path: join(folder, name, 'logits.bin') };
}

/** Deterministic pseudo-random top-k logits: descending log-probabilities, ids below `vocab`. */
function makeLogits(k: number, tokens: number, seed: number, vocab: number): TopKLogitsV1 {
  let state = (seed + 1) * 2654435761;
  const next = () => {
    state = (Math.imul(state ^ (state >>> 15), 2246822519) + 0x9e3779b9) >>> 0;
    return state / 2 ** 32;
  };
  const tokenIds = new Int32Array(tokens);
  const topIds = new Int32Array(tokens * k);
  const topLogprobs = new Float32Array(tokens * k);
  for (let position = 0; position < tokens; position++) {
    let logprob = -next() * 0.5;
    for (let rank = 0; rank < k; rank++) {
      topIds[position * k + rank] = Math.floor(next() * vocab);
      topLogprobs[position * k + rank] = logprob;
      logprob -= next() * 3;
    }
    tokenIds[position] = topIds[position * k]!;
  }
  return { k, tokenIds, topIds, topLogprobs };
}

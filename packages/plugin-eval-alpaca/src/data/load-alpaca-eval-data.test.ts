import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureDatasetFiles, startLoopbackHub, type LoopbackHub } from '../__fixtures__/loopback-hub';
import { ALPACA_EVAL_REPOSITORY, ALPACA_EVAL_REVISION, loadAlpacaEvalData } from './load-alpaca-eval-data';

const fixtures = new URL('../__fixtures__/', import.meta.url);
const files = fixtureDatasetFiles((name) => readFileSync(new URL(name, fixtures)));

describe('loadAlpacaEvalData', () => {
  let hub: LoopbackHub;
  let cacheDir: string;

  beforeAll(async () => {
    hub = await startLoopbackHub({ repository: ALPACA_EVAL_REPOSITORY, revision: ALPACA_EVAL_REVISION, files });
    cacheDir = mkdtempSync(join(tmpdir(), 'alpaca-hub-cache-'));
  });
  afterAll(async () => {
    await hub.close();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('downloads the three files from the Hub into the HF cache layout and parses them', async () => {
    const data = await loadAlpacaEvalData({ hubUrl: hub.url, cacheDir });
    expect(data.evalSet).toHaveLength(805);
    expect(data.evalSet[0].instruction).toBe('What are the names of some famous actors that started their careers on Broadway?');
    expect(data.evalSet.every((item) => item.generator === 'gpt4_1106_preview')).toBe(true);
    expect(data.instructionDifficulty).toHaveLength(805);
    expect(data.instructionDifficulty[0]).toBe(0);
    expect(data.gamedRows).toHaveLength(1610);
    expect(hub.requests.some((request) => request.method === 'POST' && request.url.endsWith(`/paths-info/${ALPACA_EVAL_REVISION}`))).toBe(true);
    expect(hub.requests.some((request) => request.method === 'GET' && request.range === 'bytes=0-0')).toBe(true);
    const snapshot = join(cacheDir, 'datasets--tatsu-lab--alpaca_eval', 'snapshots', ALPACA_EVAL_REVISION, 'df_gamed.csv');
    expect(readFileSync(snapshot)).toEqual(files['df_gamed.csv']);
  });

  it('reads a pinned revision from the cache without any request', async () => {
    const before = hub.requests.length;
    const data = await loadAlpacaEvalData({ hubUrl: hub.url, cacheDir });
    expect(data.gamedRows).toHaveLength(1610);
    expect(hub.requests.length).toBe(before);
  });

  it('names the repository and the fix when a file is missing upstream', async () => {
    const emptyHub = await startLoopbackHub({ repository: ALPACA_EVAL_REPOSITORY, revision: 'main', files: {} });
    const emptyCache = mkdtempSync(join(tmpdir(), 'alpaca-hub-empty-'));
    try {
      await expect(loadAlpacaEvalData({ hubUrl: emptyHub.url, cacheDir: emptyCache, revision: 'main' })).rejects.toThrow(
        /Cannot download alpaca_eval_gpt4_baseline.json from the Hugging Face dataset tatsu-lab\/alpaca_eval@main.*--data-dir/,
      );
    } finally {
      await emptyHub.close();
      rmSync(emptyCache, { recursive: true, force: true });
    }
  });

  it('rejects a file whose sha256 does not match the pinned revision', async () => {
    const tampered = { ...files, 'df_gamed.csv': Buffer.from(files['df_gamed.csv'].toString('utf8').replace('0.99728', '0.99729')) };
    const badHub = await startLoopbackHub({ repository: ALPACA_EVAL_REPOSITORY, revision: ALPACA_EVAL_REVISION, files: tampered });
    const badCache = mkdtempSync(join(tmpdir(), 'alpaca-hub-bad-'));
    try {
      await expect(loadAlpacaEvalData({ hubUrl: badHub.url, cacheDir: badCache })).rejects.toMatchObject({ reason: 'ALPACA_DATA_CORRUPT', code: 'INVALID_DATASET' });
    } finally {
      await badHub.close();
      rmSync(badCache, { recursive: true, force: true });
    }
  });

  it('reads a local folder without network, and names the missing file', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'alpaca-local-'));
    try {
      writeFileSync(join(folder, 'alpaca_eval_gpt4_baseline.json'), files['alpaca_eval_gpt4_baseline.json']);
      writeFileSync(join(folder, 'instruction_difficulty.csv'), files['instruction_difficulty.csv']);
      await expect(loadAlpacaEvalData({ localPath: folder })).rejects.toThrow(/df_gamed.csv/);
      writeFileSync(join(folder, 'df_gamed.csv'), files['df_gamed.csv']);
      const data = await loadAlpacaEvalData({ localPath: folder });
      expect(data.evalSet).toHaveLength(805);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

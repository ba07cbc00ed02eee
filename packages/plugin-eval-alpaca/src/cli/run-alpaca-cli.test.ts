import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureDatasetFiles, startLoopbackHub, type LoopbackHub } from '../__fixtures__/loopback-hub';
import { ALPACA_EVAL_REPOSITORY, ALPACA_EVAL_REVISION } from '../data/load-alpaca-eval-data';
import { runAlpacaCli } from './run-alpaca-cli';

const fixtures = new URL('../__fixtures__/', import.meta.url);
const annotationsPath = (model: string) => fileURLToPath(new URL(`annotations/${model}.json`, fixtures));

async function run(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runAlpacaCli(argv, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) });
  return { code, stdout, stderr };
}

describe('easydistill eval alpaca', () => {
  let hub: LoopbackHub;
  let cacheDir: string;
  beforeAll(async () => {
    hub = await startLoopbackHub({
      repository: ALPACA_EVAL_REPOSITORY,
      revision: ALPACA_EVAL_REVISION,
      files: fixtureDatasetFiles((name) => readFileSync(new URL(name, fixtures))),
    });
    cacheDir = mkdtempSync(join(tmpdir(), 'alpaca-cli-cache-'));
  });
  afterAll(async () => {
    await hub.close();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('prints the leaderboard metrics of the official Qwen-14B-Chat annotations as JSON', async () => {
    const result = await run(['--annotations', annotationsPath('Qwen-14B-Chat'), '--json', '--hub-url', hub.url, '--cache-dir', cacheDir]);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.win_rate).toBeCloseTo(7.502333, 5);
    expect(summary.standard_error).toBeCloseTo(0.814727, 5);
    expect([summary.n_wins, summary.n_wins_base, summary.n_draws, summary.n_total]).toEqual([57, 742, 6, 805]);
    expect(summary.discrete_win_rate).toBeCloseTo(7.453416, 5);
    expect(summary.avg_length).toBe(1013);
    expect(Math.abs(summary.length_controlled_winrate - 12.378742)).toBeLessThan(0.2);
    expect(result.stderr).toContain('Downloading');
  });

  it('uses a fixed C when given, and matches FuseChat-Qwen-2.5-7B-Instruct on the leaderboard', async () => {
    const qwen = await run(['--annotations', annotationsPath('Qwen-14B-Chat'), '--json', '--hub-url', hub.url, '--cache-dir', cacheDir, '--c', '21.544346900318832']);
    expect(Math.abs(JSON.parse(qwen.stdout).length_controlled_winrate - 12.378742)).toBeLessThan(0.1);
    expect(JSON.parse(qwen.stdout).glm_c).toBeCloseTo(21.5443469, 6);
    const fuse = await run(['--annotations', annotationsPath('FuseChat-Qwen-2.5-7B-Instruct'), '--json', '--hub-url', hub.url, '--cache-dir', cacheDir]);
    const summary = JSON.parse(fuse.stdout);
    expect(summary.win_rate).toBeCloseTo(64.6407, 3);
    expect(Math.abs(summary.length_controlled_winrate - 63.583)).toBeLessThan(0.2);
  });

  it('prints a readable table without --json', async () => {
    const result = await run(['--annotations', annotationsPath('Qwen-14B-Chat'), '--hub-url', hub.url, '--cache-dir', cacheDir]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/win rate\s+7\.50 % \(SE 0\.81\)/);
    expect(result.stdout).toMatch(/length-controlled\s+12\.\d\d %/);
  });

  it('answers usage errors with exit code 2 and data errors with 1', async () => {
    expect((await run([])).code).toBe(2);
    expect((await run(['--annotations', 'x.json', '--bogus'])).code).toBe(2);
    expect((await run(['--annotations', 'x.json', '--c', '-1'])).code).toBe(2);
    const folder = mkdtempSync(join(tmpdir(), 'alpaca-cli-bad-'));
    try {
      const bad = join(folder, 'annotations.json');
      writeFileSync(bad, JSON.stringify([{ output_1: 'a', output_2: 'b', preference: 'yes' }]));
      const result = await run(['--annotations', bad, '--hub-url', hub.url, '--cache-dir', cacheDir]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`${bad}[0].preference is "yes"`);
      const missing = await run(['--annotations', join(folder, 'missing.json')]);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/Cannot read .*missing\.json as JSON/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

// SIGKILL at random moments of a full recipe (synthesis, trainer-tfjs SFT on cpu, skills/eval of
// the trained student), each kill followed by a rerun in the same folder: the final datasets, the
// export, the trained weights and the evaluation equal an uninterrupted run's byte for byte; no
// row lost or duplicated, no torn file. A few kills here; bench/reliability/recipe-kills.ts runs
// many and records the figures. Uses the built CLI (`npx nx run-many -t build` first).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builtCli, describeKills, runRecipeKills } from '../support/recipe-kills';

const folder = mkdtempSync(join(tmpdir(), 'easydistill-recipe-kills-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('a full recipe under SIGKILL', () => {
  it('synthesis, training and evaluation killed at random moments end as the uninterrupted run', async () => {
    expect(existsSync(builtCli) && existsSync(join(builtCli, '../../../plugin-trainer-tfjs/dist/index.js')), 'build first: npx nx run-many -t build').toBe(true);
    const report = await runRecipeKills({ kills: 3, seed: 20261123, seedRows: 8, evalRows: 3, folder });
    console.log(['recipe kills:', ...describeKills(report)].join('\n'));
    expect(report.kills).toBe(3);
    expect(report.episodes).toBeGreaterThanOrEqual(1);
    expect(report.rowsLost).toBe(0);
    expect(report.rowsDuplicated).toBe(0);
    expect(report.tornFiles).toEqual([]);
    expect(report.leftovers).toEqual([]);
    expect(report.filesDiffering).toEqual([]);
    expect(report.weightBytesDiffering).toBe(0);
    expect(report.referenceRows['dedup/output.jsonl']).toBe(8);
  }, 540_000);
});

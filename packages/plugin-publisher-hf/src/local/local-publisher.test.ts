import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalPublisher, localPublisherOptionsSchema } from './local-publisher';
import { testContext } from '../test-support/test-context';

const fixture = join(import.meta.dirname, '..', '__fixtures__', 'tiny-llama');
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'local-publisher-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

function publisher(options: Record<string, unknown>) {
  return new LocalPublisher(localPublisherOptionsSchema.parse(options), testContext({ recipeDir: work, workDir: work }));
}

describe('publisher-hf/local', () => {
  it('copies the checkpoint, writes the card as README.md and copies the report', async () => {
    const report = join(work, 'report.html');
    await writeFile(report, '<h1>report</h1>');
    const result = await publisher({ path: 'published/student' }).doPublish({ modelDir: fixture, modelCard: '# card\n', reportPath: report, workDir: work });
    const target = join(work, 'published', 'student');
    expect(result.location).toBe(target);
    const source = (await readdir(fixture)).sort();
    expect((await readdir(target)).sort()).toEqual([...source, 'README.md', 'report.html'].sort());
    for (const file of source) expect((await readFile(join(target, file))).equals(await readFile(join(fixture, file)))).toBe(true);
    expect(await readFile(join(target, 'README.md'), 'utf8')).toBe('# card\n');
    // No staging folder is left beside the target.
    expect(await readdir(join(work, 'published'))).toEqual(['student']);
  });

  it('refuses an existing folder unless overwrite is set, then replaces it whole', async () => {
    const target = join(work, 'existing');
    await mkdir(target);
    await writeFile(join(target, 'stale.txt'), 'old');
    await expect(publisher({ path: 'existing' }).doPublish({ modelDir: fixture, modelCard: '# card\n', workDir: work })).rejects.toThrow(/already exists.*overwrite: true/);
    expect(existsSync(join(target, 'stale.txt'))).toBe(true);
    await publisher({ path: 'existing', overwrite: true }).doPublish({ modelDir: fixture, modelCard: '# new\n', workDir: work });
    expect(existsSync(join(target, 'stale.txt'))).toBe(false);
    expect(await readFile(join(target, 'README.md'), 'utf8')).toBe('# new\n');
    expect((await readdir(work)).filter((name) => name.includes('partial'))).toEqual([]);
  });

  it('leaves nothing behind when the copy fails', async () => {
    const broken = join(work, 'not-a-model');
    await mkdir(broken);
    await expect(publisher({ path: 'never' }).doPublish({ modelDir: broken, modelCard: '', workDir: work })).rejects.toThrow(/no config\.json/);
    expect(existsSync(join(work, 'never'))).toBe(false);
    expect((await readdir(work)).filter((name) => name.includes('partial'))).toEqual([]);
  });

  it('rejects unknown options', () => {
    expect(() => localPublisherOptionsSchema.parse({ path: 'x', target: 'y' })).toThrow(/target/);
  });
});

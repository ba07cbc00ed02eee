import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubPublisher, hubPublisherOptionsSchema } from './hub-publisher';
import { LoopbackHubServer } from '../test-support/loopback-hub-server';
import { testContext } from '../test-support/test-context';
import { generateModelCard } from '../model-card';
import { readGguf } from '../gguf/read-gguf';

const fixture = join(import.meta.dirname, '..', '__fixtures__', 'tiny-qwen2');
const token = `hf_${createHash('sha256').update('loopback-test').digest('hex').slice(0, 34)}`;
let hub: LoopbackHubServer;
let work: string;
let reportPath: string;

async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

beforeAll(async () => {
  hub = await new LoopbackHubServer(token).start();
  work = await mkdtemp(join(tmpdir(), 'hub-publisher-'));
  reportPath = join(work, 'report.html');
  await writeFile(reportPath, '<!doctype html><title>run report</title><h1>report</h1>');
});
afterAll(async () => {
  await hub.stop();
  await rm(work, { recursive: true, force: true });
});

describe('publisher-hf/hub against a loopback Hub', () => {
  const card = generateModelCard({ modelName: 'tiny-student', license: 'apache-2.0', baseModel: 'Qwen/Qwen2.5-0.5B-Instruct' });

  it('creates a private repository and uploads checkpoint, card, report and GGUF byte-identical in one commit', async () => {
    const context = testContext({ recipeDir: work, workDir: join(work, 'stage'), env: { HF_TOKEN: token } });
    const options = hubPublisherOptionsSchema.parse({ repo: 'someone/tiny-student', hubUrl: hub.url, gguf: ['q8_0'] });
    const result = await new HubPublisher(options, context).doPublish({ modelDir: fixture, modelCard: card, reportPath, workDir: join(work, 'stage') });

    expect(result.location).toBe(`${hub.url}/someone/tiny-student`);
    const repo = hub.repos.get('someone/tiny-student')!;
    expect(repo.visibility).toBe('private');
    expect(repo.commits).toHaveLength(1);
    const sourceFiles = (await readdir(fixture)).sort();
    expect([...repo.files.keys()].sort()).toEqual([...sourceFiles, 'README.md', 'report.html', 'tiny-student-q8_0.gguf'].sort());
    for (const file of sourceFiles) expect(repo.files.get(file)!.equals(await readFile(join(fixture, file)))).toBe(true);
    expect(repo.files.get('README.md')!.toString('utf8')).toBe(card);
    expect(repo.files.get('report.html')!.equals(await readFile(reportPath))).toBe(true);
    const ggufPath = join(work, 'stage', 'gguf', 'tiny-student-q8_0.gguf');
    expect(repo.files.get('tiny-student-q8_0.gguf')!.equals(await readFile(ggufPath))).toBe(true);
    expect((await readGguf(ggufPath)).metadata.get('general.name')).toBe('tiny-student');

    // The safetensors and GGUF went through LFS (batch + storage PUT), the rest inline.
    const paths = hub.requests.map((request) => `${request.method} ${request.path.replace(/[0-9a-f]{64}/, '<oid>')}`);
    expect(paths).toContain('POST /someone/tiny-student.git/info/lfs/objects/batch');
    expect(paths.filter((path) => path === 'PUT /lfs-storage/<oid>')).toHaveLength(2);
    expect(hub.unexpected).toEqual([]);
    // Every Hub API call carried the token as a Bearer header; storage uploads carried none.
    for (const request of hub.requests) {
      if (request.path.startsWith('/lfs-storage/')) expect(request.authorization).toBeUndefined();
      else expect(request.authorization).toBe(`Bearer ${token}`);
    }
    // The token is in no file written and no log line.
    for (const file of await filesUnder(work)) expect((await readFile(file)).includes(token)).toBe(false);
    for (const [, bytes] of repo.files) expect(bytes.includes(token)).toBe(false);
    expect(context.logs.join('\n')).not.toContain(token);
    expect(context.logs.join('\n')).toContain('one commit');
  });

  it('reuses an existing repository (409 on create) and adds a second commit', async () => {
    const context = testContext({ recipeDir: work, workDir: join(work, 'stage2'), env: { MY_HUB_TOKEN: token } });
    const options = hubPublisherOptionsSchema.parse({ repo: 'someone/tiny-student', hubUrl: hub.url, tokenEnv: 'MY_HUB_TOKEN', private: false, commitMessage: 'Second run' });
    await new HubPublisher(options, context).doPublish({ modelDir: fixture, modelCard: `${card}\nv2\n`, workDir: join(work, 'stage2') });
    const repo = hub.repos.get('someone/tiny-student')!;
    expect(repo.commits.map((entry) => entry.summary)).toEqual(['Upload tiny-student with EasyDistill', 'Second run']);
    expect(repo.files.get('README.md')!.toString('utf8')).toBe(`${card}\nv2\n`);
    expect(context.logs.join('\n')).toContain('exists');
  });

  it('refuses to start without the token variable, naming it', async () => {
    const before = hub.requests.length;
    const options = hubPublisherOptionsSchema.parse({ repo: 'someone/other', hubUrl: hub.url });
    const publisher = new HubPublisher(options, testContext({ recipeDir: work, workDir: work }));
    await expect(publisher.doPublish({ modelDir: fixture, modelCard: card, workDir: work })).rejects.toThrow(/HF_TOKEN is not set/);
    expect(hub.requests.length).toBe(before);
  });

  it('reports a rejected token with a hint and without echoing it', async () => {
    const wrong = 'hf_wrongwrongwrongwrongwrongwrongwrong';
    const options = hubPublisherOptionsSchema.parse({ repo: 'someone/other', hubUrl: hub.url });
    const publisher = new HubPublisher(options, testContext({ recipeDir: work, workDir: work, env: { HF_TOKEN: wrong } }));
    const error = await publisher.doPublish({ modelDir: fixture, modelCard: card, workDir: work }).catch((caught: Error) => caught);
    expect((error as Error).message).toMatch(/HTTP 401.*HF_TOKEN holds a token with write access to someone/);
    expect((error as Error).message).not.toContain(wrong);
  });

  it('validates the repository name', () => {
    expect(() => hubPublisherOptionsSchema.parse({ repo: 'no-namespace' })).toThrow(/<user or organisation>\/<name>/);
  });
});

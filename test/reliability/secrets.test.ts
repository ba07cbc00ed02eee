// Secrets: a full run with real keys in the environment (an API key that `easydistill serve`
// demands, a Hugging Face token the loopback Hub demands) leaves no trace of either value in the
// run folder (datasets, state, provenance, metrics, model, model card, report), in what the CLI
// printed, or in the published repository.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../packages/core/src/cli/run-cli';
import { HfModel, startServer } from '@easydistill/plugin-teacher-local';
import { LoopbackHubServer } from '../../packages/plugin-publisher-hf/src/test-support/loopback-hub-server';

const fixtures = fileURLToPath(new URL('../../packages/plugin-trainer-tfjs/src/__fixtures__/', import.meta.url));
const model = join(fixtures, 'tiny-qwen2');
const scratch = mkdtempSync(join(tmpdir(), 'easydistill-secrets-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const API_KEY = `sk-${createHash('sha256').update('teacher key').digest('hex').slice(0, 40)}`;
const HF_TOKEN = `hf_${createHash('sha256').update('hub token').digest('hex').slice(0, 34)}`;

/** Every file under `folder` that contains `needle` (as UTF-8 bytes), with the byte offset. */
function filesContaining(folder: string, needles: string[]): string[] {
  const hits: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else {
        const bytes = readFileSync(path);
        for (const needle of needles) {
          for (const form of [needle, Buffer.from(needle).toString('base64')]) {
            const at = bytes.indexOf(form);
            if (at !== -1) hits.push(`${relative(folder, path)} @${at}`);
          }
        }
      }
    }
  };
  walk(folder);
  return hits;
}

describe('secrets never leave the environment', () => {
  it('a run with an API key and a Hub token set writes neither value anywhere', async () => {
    const teacherModel = await HfModel.load(model, { backend: 'cpu' });
    const server = await startServer({ model: teacherModel, apiKey: API_KEY });
    const hub = await new LoopbackHubServer(HF_TOKEN).start();
    try {
      const folder = mkdtempSync(join(scratch, 'run-'));
      copyFileSync(join(fixtures, 'chats.jsonl'), join(folder, 'chats.jsonl'));
      writeFileSync(
        join(folder, 'recipe.yaml'),
        `apiVersion: easydistill/v1
name: secrets
seed: 1
plugins: ["@easydistill/plugin-teacher-openai", "@easydistill/plugin-synth", "@easydistill/plugin-trainer-tfjs", "@easydistill/plugin-publisher-hf"]
components:
  teacher: { use: teacher-openai/chat, options: { model: tiny-qwen2, baseURLEnv: TEACHER_BASE_URL, apiKeyEnv: TEACHER_API_KEY, maxTokens: 8, temperature: 0 } }
datasets:
  chats: { path: ./chats.jsonl, format: alpaca }
stages:
  - { id: answer, use: synth/respond, with: { teacher: teacher, topLogprobs: 5, maxTokens: 8 }, in: chats, out: answered }
  - { id: sft, use: trainer-tfjs/sft, with: { student: ${JSON.stringify(model)}, backend: cpu, epochs: 1, batchSize: 8, seed: 2 }, in: answered, out: student }
  - { id: publish, use: publisher-hf/hub, with: { repo: someone/secret-student, hubUrl: ${JSON.stringify(hub.url)}, tokenEnv: HF_TOKEN }, in: student }
`,
      );
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      let printed = '';
      stdout.on('data', (chunk) => (printed += chunk));
      stderr.on('data', (chunk) => (printed += chunk));
      const env = { PATH: process.env.PATH, TEACHER_BASE_URL: server.baseURL, TEACHER_API_KEY: API_KEY, HF_TOKEN };
      const code = await runCli(['run', join(folder, 'recipe.yaml'), '--run-dir', join(folder, 'run')], { stdout, stderr, cwd: folder, env, isTerminal: false });
      expect(code, printed).toBe(0);

      // The keys were really used: the server refuses requests without the key, the Hub got a commit.
      const repo = hub.repos.get('someone/secret-student');
      expect(repo?.commits.length).toBe(1);
      expect(readFileSync(join(folder, 'run', 'stages', 'answer', 'output.jsonl'), 'utf8').trim().split('\n').length).toBeGreaterThan(0);

      expect(filesContaining(folder, [API_KEY, HF_TOKEN])).toEqual([]);
      expect(printed.includes(API_KEY) || printed.includes(HF_TOKEN)).toBe(false);
      const published = [...repo!.files.entries()].filter(([, bytes]) => bytes.includes(API_KEY) || bytes.includes(HF_TOKEN)).map(([name]) => name);
      expect(published).toEqual([]);
    } finally {
      await hub.stop();
      await server.close();
      await teacherModel.close();
    }
  }, 180_000);
});

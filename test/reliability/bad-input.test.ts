// Bad input, the way users produce it: a corpus of malformed recipes and datasets run through the
// `easydistill` CLI (in process), and broken model folders loaded by llm-tfjs. Each must give a
// clear error naming the file and the line or the recipe path, exit non-zero without a stack trace
// (exit code 1: a DistillError, not a bug), and leave what an earlier run wrote untouched.
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../packages/core/src/cli/run-cli';
import { DistillError } from '@easydistill/core';
import { LlmError, loadPretrained } from '@easydistill/llm-tfjs';

const plugin = fileURLToPath(new URL('../../packages/core/src/__fixtures__/testkit-plugin', import.meta.url));
const fixtureModel = fileURLToPath(new URL('../../packages/llm-tfjs/src/__fixtures__/tiny-qwen2', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'easydistill-bad-input-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function cli(argv: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk) => (out += chunk));
  stderr.on('data', (chunk) => (err += chunk));
  const code = await runCli(argv, { stdout, stderr, cwd, env: { PATH: process.env.PATH }, isTerminal: false });
  return { code, out, err };
}

/** Every file under a folder with its SHA-256. */
function snapshot(folder: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(relative(folder, path), createHash('sha256').update(readFileSync(path)).digest('hex'));
    }
  };
  walk(folder);
  return files;
}

const SEEDS = '{"instruction":"alpha"}\n{"instruction":"beta"}\n{"instruction":"gamma"}\n';

const GOOD = `apiVersion: easydistill/v1
name: corpus
plugins: ["${plugin}"]
components:
  teacher: { use: testkit/echo, options: { model: echo-1 } }
datasets:
  seeds: { path: ./seeds.jsonl, format: alpaca }
stages:
  - { id: expand, use: testkit/expand, in: seeds, out: instructions, with: { teacher: teacher, n: 2 } }
  - { id: answer, use: testkit/respond, in: instructions, out: answered, with: { teacher: teacher } }
`;

/** [name, recipe text (or a function of GOOD), what the message must contain]. */
type RecipeCase = [name: string, text: string, expected: RegExp];
const replace = (from: string, to: string) => {
  if (!GOOD.includes(from)) throw new Error(`corpus bug: "${from}" is not in the base recipe`);
  return GOOD.replace(from, to);
};

const recipeCases: RecipeCase[] = [
  // Structure
  ['empty file', '', /recipe|empty|apiVersion/i],
  ['not a mapping', '- just\n- a list\n', /recipe|object|mapping/i],
  ['YAML syntax error', replace('name: corpus', 'name: [corpus'), /line \d+/],
  ['tab indentation', replace('  teacher: {', '\tteacher: {'), /line \d+/],
  ['JSON syntax error (json file)', '{"apiVersion": "easydistill/v1", "name": }', /line \d+|position|JSON/i],
  ['wrong apiVersion', replace('easydistill/v1', 'easydistill/v9'), /apiVersion/],
  ['missing apiVersion', replace('apiVersion: easydistill/v1\n', ''), /apiVersion/],
  ['missing name', replace('name: corpus\n', ''), /name/],
  ['name with a slash', replace('name: corpus', 'name: ../escape'), /name/],
  ['name is a number', replace('name: corpus', 'name: 42'), /name/],
  ['missing stages', GOOD.slice(0, GOOD.indexOf('stages:')), /stages/],
  ['stages is a mapping', replace('stages:\n', 'stages:\n  x: 1\n').split('\n  - ')[0]!, /stages/],
  ['empty stages', GOOD.slice(0, GOOD.indexOf('stages:')) + 'stages: []\n', /stages/],
  ['unknown top-level key', GOOD + 'stagez: []\n', /stagez/],
  ['unknown stage key', replace('in: seeds, out: instructions,', 'in: seeds, out: instructions, colour: red,'), /colour/],
  ['unknown component key', replace('options: { model: echo-1 } }', 'options: { model: echo-1 }, extra: 1 }'), /extra/],
  ['unknown dataset key', replace('format: alpaca }', 'format: alpaca, compress: true }'), /compress/],
  ['plugins is a string', replace(`plugins: ["${plugin}"]`, `plugins: "${plugin}"`), /plugins/],
  ['plugin path missing', replace(`plugins: ["${plugin}"]`, `plugins: ["${plugin}-missing"]`), /testkit-plugin-missing/],
  ['plugin package not installed', replace(`plugins: ["${plugin}"]`, `plugins: ["${plugin}", "easydistill-plugin-not-there"]`), /npm install easydistill-plugin-not-there/],
  ['plugin not a string', replace(`plugins: ["${plugin}"]`, `plugins: [42]`), /plugins\[0\]/],
  // Components
  ['unknown component', replace('use: testkit/echo', 'use: testkit/echoo'), /testkit\/echoo[\s\S]*testkit\/echo/],
  ['component from unknown namespace', replace('use: testkit/echo', 'use: nothing/echo'), /nothing\/echo/],
  ['bad use string', replace('use: testkit/echo', 'use: echo'), /use/],
  ['component option wrong type', replace('model: echo-1', 'model: 7'), /components\.teacher\.options\.model/],
  ['component option out of range', replace('model: echo-1 }', 'model: echo-1, delayMs: -5 }'), /delayMs/],
  ['component unknown option', replace('model: echo-1 }', 'model: echo-1, temprature: 0.2 }'), /temprature/],
  ['teacher used as an agent', replace('use: testkit/expand', 'use: testkit/echo'), /stages\[0\]/],
  ['agent used as a teacher', replace('teacher: { use: testkit/echo', 'teacher: { use: testkit/expand'), /teacher/],
  ['stage names an undeclared teacher', replace('with: { teacher: teacher, n: 2 }', 'with: { teacher: professor, n: 2 }'), /professor/],
  ['stage option wrong type', replace('n: 2', 'n: "two"'), /stages\[0\]\.with\.n/],
  ['stage option negative', replace('n: 2', 'n: -1'), /stages\[0\]\.with\.n/],
  ['stage option float for integer', replace('n: 2', 'n: 1.5'), /stages\[0\]\.with\.n/],
  ['stage unknown option', replace('n: 2 }', 'n: 2, m: 3 }'), /stages\[0\]\.with/],
  ['stage option missing', replace('with: { teacher: teacher, n: 2 }', 'with: { n: 2 }'), /stages\[0\]\.with\.teacher/],
  ['two errors at once', replace('n: 2', 'n: "two"').replace('model: echo-1', 'model: 7'), /stages\[0\]\.with\.n[\s\S]*components\.teacher|components\.teacher[\s\S]*stages\[0\]\.with\.n/],
  // Datasets and wiring
  ['missing dataset file', replace('./seeds.jsonl', './nope.jsonl'), /nope\.jsonl/],
  ['unknown dataset format', replace('format: alpaca', 'format: csv'), /format/],
  ['stage reads a dataset nothing writes', replace('in: instructions, out: answered', 'in: instruction, out: answered'), /instruction/],
  ['cycle: reading a later output', replace('in: seeds, out: instructions', 'in: answered, out: instructions'), /answered|cycle/i],
  ['stage reads its own output', replace('in: instructions, out: answered', 'in: answered, out: answered'), /answered|cycle/i],
  ['duplicate stage id', replace('id: answer', 'id: expand'), /expand/],
  ['two stages write one dataset', replace('out: answered', 'out: instructions'), /instructions/],
  ['stage writes over a source dataset', replace('out: instructions, with', 'out: seeds, with').replace('in: instructions', 'in: seeds'), /seeds/],
  ['stage id with spaces', replace('id: answer', 'id: "an swer"'), /id/],
  ['stage without use', replace('use: testkit/respond, ', ''), /use/],
  ['dataset without path', replace('{ path: ./seeds.jsonl, format: alpaca }', '{ format: alpaca }'), /path/],
  ['seed is a string', replace('name: corpus\n', 'name: corpus\nseed: "one"\n'), /seed/],
  // Secrets written inline
  ['inline OpenAI key', replace('model: echo-1', 'model: sk-abcdefghijklmnopqrstuvwxyz123456'), /environment variable/],
  ['inline apiKey option', replace('model: echo-1 }', 'model: echo-1, apiKey: hunter2 }'), /environment variable/],
  ['inline HF token', replace('n: 2 }', 'n: 2, token: hf_abcdefghijklmnopqrstuvwxyz }'), /environment variable/],
  ['inline password deep', replace('format: alpaca }', 'format: alpaca, auth: { password: pw } }'), /environment variable|auth/],
  ['inline GitHub token', replace('model: echo-1', 'model: ghp_abcdefghijklmnopqrstuvwxyz0123'), /environment variable/],
];

describe('a corpus of malformed recipes', () => {
  it(`has at least 50 cases (${recipeCases.length})`, () => {
    expect(recipeCases.length).toBeGreaterThanOrEqual(50);
  });

  for (const [name, text, expected] of recipeCases) {
    it(`validate and run refuse: ${name}`, async () => {
      const folder = mkdtempSync(join(scratch, 'recipe-'));
      writeFileSync(join(folder, 'seeds.jsonl'), SEEDS);
      const file = join(folder, name.includes('json file') ? 'recipe.json' : 'recipe.yaml');
      writeFileSync(file, text);
      const validated = await cli(['validate', file], folder);
      expect(validated.code, validated.err).toBe(1);
      // The message names the recipe file (with the path or line), or for plugins the recipe's folder.
      expect(validated.err).toContain(folder);
      expect(validated.err).toMatch(expected);
      expect(validated.err).not.toMatch(/\n\s+at .+:\d+:\d+/); // no stack trace
      const ran = await cli(['run', file, '--run-dir', join(folder, 'run')], folder);
      expect(ran.code, ran.err).toBe(1);
      expect(ran.err).toMatch(expected);
      // Refused before anything ran: no stage output was written.
      expect(() => readdirSync(join(folder, 'run', 'stages'))).toThrow();
    });
  }
});

/** [name, seeds file bytes, what the message must contain]. */
const datasetCases: Array<[string, string | Buffer, RegExp]> = [
  ['a broken JSON line', '{"instruction":"alpha"}\n{"instruction":"beta"\n', /seeds\.jsonl:2\b/],
  ['a line that is an array', '{"instruction":"alpha"}\n["beta"]\n', /seeds\.jsonl:2\b/],
  ['a line that is a string', '"alpha"\n', /seeds\.jsonl:1\b/],
  ['a missing instruction field', '{"instruction":"alpha"}\n{"input":"x","output":"y"}\n', /seeds\.jsonl:2\b/],
  ['an instruction that is an object', '{"instruction":{"text":"alpha"}}\n', /seeds\.jsonl:1\b.*instruction/],
  ['an empty file', '', /seeds\.jsonl.*empty|no rows|empty/i],
  ['invalid UTF-8', Buffer.concat([Buffer.from('{"instruction":"al'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('pha"}\n')]), /seeds\.jsonl:1\b.*UTF-8|UTF-8.*seeds\.jsonl:1\b/],
  ['UTF-16 with a byte-order mark', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"instruction":"alpha"}\n', 'utf16le')]), /seeds\.jsonl:1\b/],
  ['a 100 MB line', `{"instruction":"alpha"}\n{"instruction":"${'x'.repeat(100 * 1024 * 1024)}"}\n`, /seeds\.jsonl:2\b.*(long|large|MB|bytes)/i],
];

describe('malformed datasets', () => {
  for (const [name, bytes, expected] of datasetCases) {
    it(`a run stops with the file and line: ${name}; an earlier run's outputs are untouched`, async () => {
      const folder = mkdtempSync(join(scratch, 'dataset-'));
      const file = join(folder, 'recipe.yaml');
      writeFileSync(file, GOOD);
      // A finished run of the same recipe on good seeds, then a second run folder seeded from it.
      writeFileSync(join(folder, 'seeds.jsonl'), SEEDS);
      const good = await cli(['run', file, '--run-dir', join(folder, 'good')], folder);
      expect(good.code, good.err).toBe(0);
      const before = snapshot(join(folder, 'good'));
      writeFileSync(join(folder, 'seeds.jsonl'), bytes);
      cpSync(join(folder, 'good'), join(folder, 'copy'), { recursive: true });
      const bad = await cli(['run', file, '--run-dir', join(folder, 'bad')], folder);
      expect(bad.code, bad.err).toBe(1);
      expect(bad.err).toMatch(expected);
      expect(bad.err).not.toMatch(/\n\s+at .+:\d+:\d+/);
      expect(snapshot(join(folder, 'good'))).toEqual(before);
    }, 60_000);
  }
});

describe('broken model folders', () => {
  const config = readFileSync(join(fixtureModel, 'config.json'), 'utf8');
  const weights = readFileSync(join(fixtureModel, 'model.safetensors'));
  const headerLength = Number(weights.readBigUInt64LE(0));

  /** A copy of the fixture model with `change` applied. */
  function broken(change: (folder: string) => void): string {
    const folder = mkdtempSync(join(scratch, 'model-'));
    cpSync(fixtureModel, folder, { recursive: true });
    change(folder);
    return folder;
  }

  const cases: Array<[string, (folder: string) => void, RegExp]> = [
    ['no config.json', (folder) => rmSync(join(folder, 'config.json')), /config\.json/],
    ['config.json is not JSON', (folder) => writeFileSync(join(folder, 'config.json'), config.slice(0, 40)), /config\.json/],
    ['config.json with an unknown architecture', (folder) => writeFileSync(join(folder, 'config.json'), config.replace(/"model_type": *"[^"]+"/, '"model_type": "mamba"')), /mamba/],
    ['no weights', (folder) => rmSync(join(folder, 'model.safetensors')), /safetensors/],
    ['a truncated safetensors header', (folder) => writeFileSync(join(folder, 'model.safetensors'), weights.subarray(0, 8 + Math.floor(headerLength / 2))), /model\.safetensors/],
    ['a header claiming more bytes than the file has', (folder) => writeFileSync(join(folder, 'model.safetensors'), weights.subarray(0, weights.length - 1000)), /model\.safetensors/],
    ['a header length past the end of the file', (folder) => {
      const copy = Buffer.from(weights);
      copy.writeBigUInt64LE(BigInt(weights.length * 4), 0);
      writeFileSync(join(folder, 'model.safetensors'), copy);
    }, /model\.safetensors/],
    ['a tensor of the wrong shape (hidden size changed in config)', (folder) => {
      const parsed = JSON.parse(config);
      parsed.intermediate_size = (parsed.intermediate_size ?? 64) * 2;
      writeFileSync(join(folder, 'config.json'), JSON.stringify(parsed));
    }, /shape/i],
    ['no tokenizer.json', (folder) => rmSync(join(folder, 'tokenizer.json')), /tokenizer\.json/],
  ];

  for (const [name, change, expected] of cases) {
    it(`loadPretrained refuses: ${name}`, async () => {
      const folder = broken(change);
      const error = await loadPretrained(folder, { backend: 'cpu' }).then(
        (loaded) => {
          loaded.model.dispose();
          return undefined;
        },
        (caught: unknown) => caught,
      );
      expect(error, `${name} loaded without an error`).toBeDefined();
      // llm-tfjs stands alone (no dependency on core): its errors are LlmError, with a code.
      expect(error instanceof LlmError || DistillError.isInstance(error), String(error)).toBe(true);
      expect((error as Error).message).toMatch(expected);
      expect((error as Error).message).toContain(folder);
    });
  }
});

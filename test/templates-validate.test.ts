import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRecipe } from '@easydistill/core';
import { describe, expect, it } from 'vitest';

// Every template of `easydistill init --template <name>` is a ready folder whose recipe passes
// `easydistill validate` (core's loadRecipe: structure, each component's options, data flow,
// dataset files, secrets), with a README and an .env.example.
const templatesDir = fileURLToPath(new URL('../templates/', import.meta.url));
const names = readdirSync(templatesDir).filter((name) => existsSync(join(templatesDir, name, 'recipe.yaml')));

describe('templates', () => {
  it('ships the seven templates', () => {
    expect(names.sort()).toEqual(['black-box', 'cot', 'eval', 'quickstart', 'rank', 'staged', 'white-box']);
  });

  for (const name of names) {
    it(`${name}: validates, with README.md and .env.example`, async () => {
      const folder = join(templatesDir, name);
      const recipe = await loadRecipe(join(folder, 'recipe.yaml'));
      expect(recipe.recipe.name).toBe(name);
      expect(recipe.stages.length).toBeGreaterThan(0);
      expect(readFileSync(join(folder, 'README.md'), 'utf8')).toMatch(/^# /);
      const env = readFileSync(join(folder, '.env.example'), 'utf8');
      // Variable names only: an example file never carries a key.
      for (const line of env.split('\n').filter((text) => /^[A-Z_]+=/.test(text))) expect(line).toMatch(/^[A-Z_]+=(https?:\/\/\S+)?$/);
      for (const dataset of recipe.datasets.values()) expect(existsSync(dataset.path)).toBe(true);
    });
  }

  it('a template copied and broken fails validation naming the recipe path', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'template-'));
    cpSync(join(templatesDir, 'black-box'), copy, { recursive: true });
    const file = join(copy, 'recipe.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('n: 4, rounds: 2', 'n: 4, rounds: 2, temprature: 0.5'));
    await expect(loadRecipe(file)).rejects.toThrow(/stages\[0\]\.with/);
  });
});

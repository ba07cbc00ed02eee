import { readdirSync, readFileSync } from 'node:fs';
import type { MtBenchAnswer } from '../data/mt-bench-data';

const fixtures = new URL('./', import.meta.url);

/** Reads a JSONL fixture (test helper). */
export function readJsonl<T>(relativePath: string): T[] {
  return readFileSync(new URL(relativePath, fixtures), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}

/** The six official pre-generated answer sets, by model id (test helper). */
export function readModelAnswers(): Map<string, MtBenchAnswer[]> {
  const files = readdirSync(new URL('model_answer/', fixtures)).filter((name) => name.endsWith('.jsonl')).sort();
  return new Map(files.map((name) => [name.slice(0, -'.jsonl'.length), readJsonl<MtBenchAnswer>(`model_answer/${name}`)]));
}

/** Reads a text fixture (test helper). */
export function readFixtureText(relativePath: string): string {
  return readFileSync(new URL(relativePath, fixtures), 'utf8');
}

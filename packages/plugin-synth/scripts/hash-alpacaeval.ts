/**
 * Builds `data/alpacaeval-13gram-hashes.txt` from a local AlpacaEval file: the 64-bit hash (scheme in
 * src/selectors/hashed-ngrams.ts) of every normalised word 13-gram of each instruction, and of whole instructions shorter
 * than 13 words. Only hashes are written: AlpacaEval's data is CC BY-NC 4.0, so its text is not
 * shipped. Run from the repo root:
 *   npx tsx packages/plugin-synth/scripts/hash-alpacaeval.ts <alpaca_eval_gpt4_baseline.json>
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ALPACA_EVAL_HASH_HEADER, gramDigest } from '../src/selectors/hashed-ngrams';
import { words } from '../src/shared/text-normalise';

const NGRAM = 13;
const input = process.argv[2];
if (!input) throw new Error('usage: hash-alpacaeval.ts <alpaca_eval json array or jsonl with "instruction">');
const text = readFileSync(input, 'utf8').trim();
const items = (text.startsWith('[') ? JSON.parse(text) : text.split('\n').map((line) => JSON.parse(line))) as Array<{ instruction: string }>;
const seen = new Set<string>();
const lines: string[] = [];
items.forEach((item, index) => {
  const tokens = words(item.instruction);
  if (tokens.length === 0) return;
  if (tokens.length < NGRAM) {
    const digest = gramDigest(tokens.join(' '));
    if (!seen.has(digest)) lines.push(`${digest} ${index} ${tokens.length}`);
    seen.add(digest);
    return;
  }
  for (let start = 0; start + NGRAM <= tokens.length; start++) {
    const digest = gramDigest(tokens.slice(start, start + NGRAM).join(' '));
    if (seen.has(digest)) continue;
    seen.add(digest);
    lines.push(`${digest} ${index}`);
  }
});
const target = fileURLToPath(new URL('../data/alpacaeval-13gram-hashes.txt', import.meta.url));
writeFileSync(target, `${ALPACA_EVAL_HASH_HEADER}\n${lines.join('\n')}\n`);
console.log(`${items.length} instructions → ${lines.length} hashed grams in ${target}`);

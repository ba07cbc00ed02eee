/**
 * plugin-synth benchmarks (CPU, single thread):
 *  1. MinHash near-dedup (synth/minhash defaults: 128 permutations, word 5-grams, Jaccard 0.9,
 *     LSH banding, exact confirmation) over 100,000 generated rows: wall time, rows/s, peak RSS,
 *     and precision/recall against the generator's labels.
 *  2. synth/decontaminate over the same rows (throughput; drops would be false positives).
 *  3. The logits store (core's LogitsStoreWriter/Reader) at k = 10: bytes per response token
 *     (data file, and data + index) and read throughput (rows fetched one at a time by id, in
 *     random order and in file order).
 *
 * Run from the repo root:  npx tsx --conditions=@easydistill/source bench/synth/run.ts [--rows 100000] [--logits-rows 4000]
 * Prints a Markdown table (and writes every figure as JSON with `--json <path>`).
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogitsStoreReader, LogitsStoreWriter, logitsIndexPath, type RowV1, type TopKLogitsV1 } from '@easydistill/core';
import synth, { MinhashSelector } from '@easydistill/plugin-synth';

const argument = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const ROWS = argument('rows', 100_000);
const LOGITS_ROWS = argument('logits-rows', 4_000);

/** mulberry32: the same rows on every run. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Rows like synthetic instructions: 20–120 words drawn Zipf-like from a 20,000-word vocabulary.
 * 80 % originals, 8 % exact copies, 8 % near copies (one word changed in a 60+ word text, or a
 * word added or removed at the end), 4 % hard negatives (a third of the words replaced). A near
 * copy counts as a duplicate when its true word 5-gram Jaccard with its original is at least 0.9.
 */
function generateRows(count: number): { rows: RowV1[]; duplicate: boolean[] } {
  const next = random(2024);
  const below = (bound: number) => Math.floor(next() * bound);
  const syllables = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'to', 'vi', 'ze', 'po', 'da', 'fu', 'an', 'el', 'or'];
  const vocabulary = Array.from({ length: 20_000 }, (_, index) => {
    let word = '';
    for (let part = 0; part < 1 + (index % 3) + below(2); part++) word += syllables[below(syllables.length)];
    return `${word}${index.toString(36)}`;
  });
  const zipf = () => vocabulary[Math.min(vocabulary.length - 1, Math.floor(vocabulary.length ** next()) - 1)]!;
  const originals: string[][] = [];
  const rows: RowV1[] = [];
  const duplicate: boolean[] = [];
  for (let index = 0; index < count; index++) {
    const roll = next();
    let words: string[];
    let isDuplicate = false;
    if (originals.length < 100 || roll < 0.8) {
      words = Array.from({ length: 20 + below(101) }, zipf);
      originals.push(words);
    } else if (roll < 0.88) {
      words = originals[below(originals.length)]!;
      isDuplicate = true;
    } else if (roll < 0.96) {
      const long = originals[below(originals.length)]!;
      if (long.length >= 60 && next() < 0.5) {
        words = [...long];
        words[5 + below(words.length - 10)] = zipf();
      } else words = next() < 0.5 ? [...long, 'thanks'] : long.slice(0, -1);
      // Labelled by the true Jaccard of the word 5-gram sets: one changed word costs up to 5 shingles,
      // so only long texts stay at or above 0.9.
      isDuplicate = jaccard5(long, words) >= 0.9;
    } else {
      const source = originals[below(originals.length)]!;
      words = source.map((word) => (next() < 0.33 ? zipf() : word));
      isDuplicate = jaccard5(source, words) >= 0.9;
    }
    rows.push({ id: `r${index}`, instruction: words.join(' ') });
    duplicate.push(isDuplicate);
  }
  return { rows, duplicate };
}

function jaccard5(left: string[], right: string[]): number {
  const grams = (words: string[]) => new Set(words.length < 5 ? [words.join(' ')] : words.slice(0, words.length - 4).map((_, start) => words.slice(start, start + 5).join(' ')));
  const a = grams(left);
  const b = grams(right);
  let shared = 0;
  for (const gram of a) if (b.has(gram)) shared++;
  return shared / (a.size + b.size - shared);
}

async function benchMinhash() {
  const { rows, duplicate } = generateRows(ROWS);
  const words = rows.reduce((total, row) => total + row.instruction!.split(' ').length, 0);
  const selector = new MinhashSelector({ threshold: 0.9, numPerm: 128, ngram: 5, fields: ['instruction', 'input'], verify: 'exact', seed: 1 });
  async function* stream() {
    yield* rows;
  }
  let peakRss = process.memoryUsage().rss;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  let index = 0;
  let truePositive = 0;
  let falsePositive = 0;
  let falseNegative = 0;
  for await (const decision of selector.doSelect(stream())) {
    const isDuplicate = duplicate[index++]!;
    if (!decision.keep && isDuplicate) truePositive++;
    else if (!decision.keep) falsePositive++;
    else if (isDuplicate) falseNegative++;
    if ((index & 4095) === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  return {
    rows: ROWS,
    meanWords: words / ROWS,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    rowsPerSecond: ROWS / seconds,
    dropped: truePositive + falsePositive,
    labelledDuplicates: duplicate.filter(Boolean).length,
    precision: truePositive / (truePositive + falsePositive),
    recall: truePositive / (truePositive + falseNegative),
    peakRssMiB: peakRss / 2 ** 20,
  };
}

/**
 * synth/decontaminate with its defaults (IFEval + MT-Bench text, AlpacaEval hashed 13-grams) over
 * the same generated rows: throughput, and drops (none expected: the generated words share no
 * 13-gram with the benchmarks, so every drop would be a false positive).
 */
async function benchDecontaminate() {
  const { rows } = generateRows(ROWS);
  const definition = synth.provides.find((component) => component.id === 'decontaminate')!;
  const loadStarted = performance.now();
  const selector = (await definition.create({ options: definition.optionsSchema.parse({}), context: { recipeDir: process.cwd() } as never })) as {
    doSelect(rows: AsyncIterable<RowV1>): AsyncIterable<{ keep: boolean }>;
  };
  const loadSeconds = (performance.now() - loadStarted) / 1000;
  async function* stream() {
    yield* rows;
  }
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  let dropped = 0;
  for await (const decision of selector.doSelect(stream())) if (!decision.keep) dropped++;
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return { rows: ROWS, loadSeconds, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, rowsPerSecond: ROWS / seconds, dropped };
}

/** Rows of T ∈ [64, 512] response tokens with Qwen2-sized ids (vocab 151,936) at k = 10. */
function logitsRow(next: () => number, k: number): TopKLogitsV1 {
  const tokens = 64 + Math.floor(next() * 449);
  const tokenIds = new Int32Array(tokens);
  const topIds = new Int32Array(tokens * k);
  const topLogprobs = new Float32Array(tokens * k);
  for (let position = 0; position < tokens; position++) {
    tokenIds[position] = Math.floor(next() * 151_936);
    let logprob = -next() * 0.5;
    for (let rank = 0; rank < k; rank++) {
      topIds[position * k + rank] = rank === 0 ? tokenIds[position]! : Math.floor(next() * 151_936);
      topLogprobs[position * k + rank] = logprob;
      logprob -= next() * 3;
    }
  }
  return { k, tokenIds, topIds, topLogprobs };
}

function benchLogits() {
  const k = 10;
  const folder = mkdtempSync(join(tmpdir(), 'synth-bench-logits-'));
  const path = join(folder, 'logits.bin');
  try {
    const next = random(7);
    const writer = LogitsStoreWriter.open(path, { k });
    let tokens = 0;
    let maxError = 0;
    const sample: TopKLogitsV1[] = [];
    const writeStarted = performance.now();
    for (let index = 0; index < LOGITS_ROWS; index++) {
      const row = logitsRow(next, k);
      tokens += row.tokenIds.length;
      if (index < 50) sample.push(row);
      writer.append(`row-${index}`, row);
      if (index % 256 === 255) writer.commit();
    }
    writer.close();
    const writeSeconds = (performance.now() - writeStarted) / 1000;
    const dataBytes = statSync(path).size;
    const indexBytes = statSync(logitsIndexPath(path)).size;

    const reader = LogitsStoreReader.open(path);
    // Float16 round trip: worst absolute error on the first rows.
    sample.forEach((row, index) => {
      const back = reader.get(`row-${index}`)!;
      for (let entry = 0; entry < row.topLogprobs.length; entry++) maxError = Math.max(maxError, Math.abs(back.topLogprobs[entry]! - row.topLogprobs[entry]!));
      if (back.topIds.some((id, entry) => id !== row.topIds[entry])) throw new Error(`ids differ on row-${index}`);
    });
    const ids = reader.ids();
    const order = [...ids];
    const shuffle = random(11);
    for (let index = order.length - 1; index > 0; index--) {
      const other = Math.floor(shuffle() * (index + 1));
      [order[index], order[other]] = [order[other]!, order[index]!];
    }
    const read = (list: string[]) => {
      const started = performance.now();
      let readTokens = 0;
      for (const id of list) readTokens += reader.get(id)!.tokenIds.length;
      const seconds = (performance.now() - started) / 1000;
      return { seconds, rowsPerSecond: list.length / seconds, tokensPerSecond: readTokens / seconds, mibPerSecond: dataBytes / 2 ** 20 / seconds };
    };
    read(ids.slice(0, 200)); // warm-up (page cache, JIT)
    const sequential = read(ids);
    const randomOrder = read(order);
    reader.close();
    return {
      k,
      rows: LOGITS_ROWS,
      tokens,
      dataBytes,
      indexBytes,
      bytesPerToken: dataBytes / tokens,
      bytesPerTokenWithIndex: (dataBytes + indexBytes) / tokens,
      bytesPerEntry: dataBytes / (tokens * k),
      writeTokensPerSecond: tokens / writeSeconds,
      maxFloat16Error: maxError,
      sequential,
      randomOrder,
    };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

const minhash = await benchMinhash();
const decontaminate = await benchDecontaminate();
const logits = benchLogits();
const environment = { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cpus: cpus().length, loadAverage: loadavg()[0], date: new Date().toISOString() };
const jsonAt = process.argv.indexOf('--json');
if (jsonAt > 0) writeFileSync(process.argv[jsonAt + 1]!, `${JSON.stringify({ environment, minhash, decontaminate, logits }, null, 2)}\n`);
const f = (value: number, digits = 1) => value.toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits });
console.log(`| benchmark | figure | target |
|---|---|---|
| MinHash dedup, ${f(minhash.rows, 0)} rows (${f(minhash.meanWords)} words mean) | ${f(minhash.seconds, 2)} s wall, ${f(minhash.cpuSeconds, 2)} s CPU (${f(minhash.rowsPerSecond, 0)} rows/s), peak RSS ${f(minhash.peakRssMiB, 0)} MiB | < 60 s |
| MinHash precision / recall vs generator labels | ${f(minhash.precision, 4)} / ${f(minhash.recall, 4)} (${minhash.dropped} dropped, ${minhash.labelledDuplicates} labelled) | — |
| decontaminate (13-grams vs IFEval, MT-Bench, AlpacaEval), ${f(decontaminate.rows, 0)} rows | ${f(decontaminate.seconds, 2)} s wall, ${f(decontaminate.cpuSeconds, 2)} s CPU (${f(decontaminate.rowsPerSecond, 0)} rows/s), ${decontaminate.dropped} dropped; index load ${f(decontaminate.loadSeconds, 2)} s | — |
| logits store bytes per token, k = 10 (data file) | ${f(logits.bytesPerToken, 2)} B (${f(logits.bytesPerEntry, 2)} B per entry) | ≤ 64 |
| … data + index | ${f(logits.bytesPerTokenWithIndex, 2)} B | — |
| logits store read, random order by row id | ${f(logits.randomOrder.rowsPerSecond, 0)} rows/s, ${f(logits.randomOrder.tokensPerSecond / 1e6, 2)} M tokens/s, ${f(logits.randomOrder.mibPerSecond, 0)} MiB/s | — |
| logits store read, file order | ${f(logits.sequential.rowsPerSecond, 0)} rows/s, ${f(logits.sequential.tokensPerSecond / 1e6, 2)} M tokens/s, ${f(logits.sequential.mibPerSecond, 0)} MiB/s | — |
| logits store write (fsync every 256 rows) | ${f(logits.writeTokensPerSecond / 1e6, 2)} M tokens/s; float16 max abs error ${logits.maxFloat16Error.toExponential(2)} | — |
(${logits.rows} rows, ${f(logits.tokens, 0)} tokens; ${environment.cpu}, ${environment.cpus} CPUs, load average ${f(environment.loadAverage)} at the end, Node ${environment.node})`);

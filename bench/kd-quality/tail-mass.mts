// bench/kd-quality/tail-mass.mts: how much of the teacher's distribution a top-k store keeps.
// Reads logits stores written with the whole vocabulary (run.mts --topk, k = the vocabulary) and
// prints, over every response position, the mean probability mass of the teacher's top 1, 10,
// 20 and 50 tokens, the mean entropy, and the share of positions whose top-1 mass is above 0.99.
//
//   node --conditions=@easydistill/source --import tsx bench/kd-quality/tail-mass.mts <logits.bin> [...]
import { LogitsStoreReader } from '@easydistill/core';

import { pathToFileURL } from 'node:url';

export interface TailMass {
  stores: number;
  k: number;
  positions: number;
  meanTopMass: Record<string, number>;
  meanTailBeyondTop10: number;
  meanEntropyNats: number;
  positionsWithTop1Above0_99: number;
}

/** Mean teacher mass in its top 1/10/20/50, entropy and confident share over every position of full-vocabulary stores. */
export function tailMass(paths: string[]): TailMass {
  const ks = [1, 10, 20, 50];
  const mass = ks.map(() => 0);
  let positions = 0;
  let entropy = 0;
  let confident = 0;
  let k = 0;
  for (const path of paths) {
    const store = LogitsStoreReader.open(path);
    for (const id of store.ids()) {
      const logits = store.get(id)!;
      k = logits.k;
      for (let t = 0; t < logits.tokenIds.length; t += 1) {
        const row = logits.topLogprobs.subarray(t * logits.k, (t + 1) * logits.k);
        let cumulative = 0;
        let h = 0;
        for (let j = 0; j < row.length; j += 1) {
          const p = Math.exp(row[j]!);
          cumulative += p;
          if (p > 0) h -= p * row[j]!;
          const index = ks.indexOf(j + 1);
          if (index >= 0) mass[index] += cumulative;
        }
        if (Math.exp(row[0]!) > 0.99) confident += 1;
        entropy += h;
        positions += 1;
      }
    }
    store.close();
  }
  return {
    stores: paths.length,
    k,
    positions,
    meanTopMass: Object.fromEntries(ks.map((value, index) => [`top${value}`, Number((mass[index]! / positions).toFixed(6))])),
    meanTailBeyondTop10: Number((1 - mass[1]! / positions).toExponential(3)),
    meanEntropyNats: Number((entropy / positions).toFixed(4)),
    positionsWithTop1Above0_99: Number((confident / positions).toFixed(4)),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const paths = process.argv.slice(2);
  if (paths.length === 0) {
    console.error('usage: tail-mass.mts <logits.bin> [...]  (stores written with topLogprobs = the vocabulary)');
    process.exit(2);
  }
  console.log(JSON.stringify(tailMass(paths), null, 2));
}

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isSwitchedOutputs } from './is-switched-outputs';
import { PythonRandom } from './python-random';

const fixtures = new URL('../__fixtures__/', import.meta.url);

describe('PythonRandom', () => {
  // Expected values printed by CPython 3.11: [random.Random(s).random() for 3 draws], getrandbits(32).
  const cases: Array<[string, number[], number]> = [
    ['', [0.9602256525641875, 0.595411957851699, 0.3880117152955401], 4124137760],
    ['abc', [0.7720246314157545, 0.5581691373899791, 0.7095325359498886], 3315820543],
    ['héllo wörld 🙂', [0.31073233453640137, 0.8172283812647525, 0.2709968833335171], 1334585193],
    ['is_switched_outputsWhat is 2+2?0', [0.05631924392020804, 0.09815002237016135, 0.4998483206295269], 241889308],
  ];
  it.each(cases)('reproduces CPython random.Random(%j)', (seed, draws, bits) => {
    const random = new PythonRandom(seed);
    expect([random.random(), random.random(), random.random()]).toEqual(draws);
    expect(new PythonRandom(seed).nextUint32()).toBe(bits);
  });
});

describe('isSwitchedOutputs', () => {
  it('equals the official seed-0 switch flags for all 805 instructions', () => {
    const evalSet = JSON.parse(readFileSync(new URL('alpaca_eval_gpt4_baseline.json', fixtures), 'utf8')) as Array<{ instruction: string }>;
    const flags = JSON.parse(readFileSync(new URL('switch_flags_seed0.json', fixtures), 'utf8')) as { is_switched: boolean[] };
    expect(evalSet).toHaveLength(805);
    const computed = evalSet.map((item) => isSwitchedOutputs(item.instruction));
    expect(computed).toEqual(flags.is_switched);
    expect(computed.filter(Boolean)).toHaveLength(406);
  });

  it('depends on the seed', () => {
    const evalSet = JSON.parse(readFileSync(new URL('alpaca_eval_gpt4_baseline.json', fixtures), 'utf8')) as Array<{ instruction: string }>;
    const seed0 = evalSet.slice(0, 100).map((item) => isSwitchedOutputs(item.instruction, 0));
    const seed1 = evalSet.slice(0, 100).map((item) => isSwitchedOutputs(item.instruction, 1));
    expect(seed1).not.toEqual(seed0);
  });
});

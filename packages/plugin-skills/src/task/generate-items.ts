import type { RowV1 } from '@easydistill/core';
import { SKILLS, renderPhrasing, type SkillDefinition } from './skills';

/** Which phrasings items are drawn from. */
export type PhrasingSet = 'train' | 'held-out' | 'all';

export interface GenerateItemsOptions {
  /** Items per skill. */
  perSkill: number;
  seed: number;
  phrasings: PhrasingSet;
  /** Skills to draw from (default: all). */
  skills?: readonly string[];
  /** Instructions never to produce (e.g. the seed set, when drawing evaluation items). */
  exclude?: ReadonlySet<string>;
  /** Row id prefix (default `skills`). */
  idPrefix?: string;
}

/** mulberry32: a small seeded generator, so the task is the same on every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function phrasingsOf(skill: SkillDefinition, set: PhrasingSet): readonly string[] {
  if (set === 'train') return skill.train;
  if (set === 'held-out') return skill.heldOut;
  return [...skill.train, ...skill.heldOut];
}

/**
 * Draws items: `perSkill` distinct instructions per skill, each with its correct answer in
 * `output` and `meta.skill`, `meta.phrasing`, `meta.heldOut`, `meta.answer`. Same seed, same rows.
 */
export function generateItems(options: GenerateItemsOptions): RowV1[] {
  const random = seededRandom(options.seed);
  const rows: RowV1[] = [];
  const seen = new Set(options.exclude ?? []);
  const prefix = options.idPrefix ?? 'skills';
  for (const skill of SKILLS) {
    if (options.skills && !options.skills.includes(skill.id)) continue;
    const phrasings = phrasingsOf(skill, options.phrasings);
    let made = 0;
    for (let attempt = 0; made < options.perSkill && attempt < options.perSkill * 50; attempt += 1) {
      const phrasing = phrasings[Math.floor(random() * phrasings.length)]!;
      const args = skill.draw(random);
      const instruction = renderPhrasing(phrasing, args);
      if (seen.has(instruction)) continue;
      seen.add(instruction);
      const answer = skill.answer(args);
      rows.push({
        id: `${prefix}-${skill.id}-${made}`,
        instruction,
        output: answer,
        meta: { skill: skill.id, category: skill.category, phrasing, heldOut: skill.heldOut.includes(phrasing), answer },
      });
      made += 1;
    }
  }
  return rows;
}

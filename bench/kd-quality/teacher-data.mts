// The teachers' training mixture (the same as bench/quickstart/teacher-data.mts, over this
// benchmark's own copy of the synthesis prompts in ./prompts): skills-task answers in every
// phrasing (train and held-out), and the two synthesis formats the data recipe asks of the teacher:
// expand ("3 new tasks like: <seed>" → three <instruction>…</instruction> of the same skill) and
// rewrite ("Reword: <text>" → <rewritten>the same item in another phrasing</rewritten>).
import { readFileSync } from 'node:fs';
import type { RowV1 } from '@easydistill/core';
import { SKILLS, renderPhrasing, seededRandom } from '@easydistill/plugin-skills';
import { studentBaseRows } from '../quickstart/student-base-data.mts';

const prompts = new URL('./prompts/', import.meta.url).pathname;
export const EXPAND_TEMPLATE = readFileSync(`${prompts}expand.md`, 'utf8');
export const REWRITE_TEMPLATE = readFileSync(`${prompts}rewrite.md`, 'utf8');
/** Instructions per expand call (the data recipe's synth/expand `n`). */
export const EXPAND_N = 3;

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

/**
 * The teacher's instruction data: skills-task items in every phrasing (train and held-out) with
 * their correct answers, and (`terse`, 30% by default) the task's operations as terse commands
 * (`add 2 3` → `5`, bench/quickstart/student-base-data.mts): a 2-layer teacher trained on the
 * phrased items alone learnt the answer formats but not the operations (1,200 steps × 16: 19% of
 * the evaluation items, eval loss 0.72; NOTES.md), while the terse commands alone are learnt in
 * 1,000 steps by a model 9 times smaller. (The synthesis formats of teacherMixtureRows are not
 * learnt by a teacher this small in the benchmark's budget, so the data recipe writes instructions
 * by rule instead; see rule-writer.plugin.mjs.)
 */
export function teacherSkillRows(count: number, seed: number, terse = 0.3): RowV1[] {
  const random = seededRandom(seed);
  const commands = studentBaseRows(count, seed + 50_000);
  return Array.from({ length: count }, (_, index) => {
    if (random() < terse) return { ...commands[index]!, id: `t${index}` };
    const skill = pick(random, SKILLS);
    const args = skill.draw(random);
    return { id: `t${index}`, instruction: renderPhrasing(pick(random, [...skill.train, ...skill.heldOut]), args), output: skill.answer(args) };
  });
}

/** The quickstart's teacher mixture: skills answers (65%), expand (17.5%) and rewrite (17.5%) formats. */
export function teacherMixtureRows(count: number, seed: number): RowV1[] {
  const random = seededRandom(seed);
  const rows: RowV1[] = [];
  for (let index = 0; index < count; index += 1) {
    const skill = pick(random, SKILLS);
    const phrasings = [...skill.train, ...skill.heldOut];
    const args = skill.draw(random);
    const instruction = renderPhrasing(pick(random, phrasings), args);
    const kind = random();
    if (kind < 0.65) {
      rows.push({ id: `t${index}`, instruction, output: skill.answer(args) });
    } else if (kind < 0.825) {
      const fresh = Array.from({ length: EXPAND_N }, () => `<instruction>${renderPhrasing(pick(random, phrasings), skill.draw(random))}</instruction>`);
      rows.push({ id: `t${index}`, instruction: EXPAND_TEMPLATE.replace('{{n}}', String(EXPAND_N)).replace('{{seed}}', instruction), output: fresh.join('\n') });
    } else {
      const original = pick(random, phrasings);
      const others = phrasings.filter((phrasing) => phrasing !== original);
      rows.push({ id: `t${index}`, instruction: REWRITE_TEMPLATE.replace('{{text}}', renderPhrasing(original, args)), output: `<rewritten>${renderPhrasing(pick(random, others), args)}</rewritten>` });
    }
  }
  return rows;
}

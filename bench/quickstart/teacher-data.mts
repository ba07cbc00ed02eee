// The teacher's training mixture: skills-task answers (every phrasing), and the two synthesis
// formats the quickstart recipe asks of it, rendered from the recipe's own prompt templates:
// expand ("3 new tasks like: <seed>" → three <instruction>new item of the same skill</instruction>) and
// rewrite ("Reword: <text>" → <rewritten>the same item in another phrasing</rewritten>).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RowV1 } from '@easydistill/core';
import { SKILLS, renderPhrasing, seededRandom } from '@easydistill/plugin-skills';
import { repoRoot } from './model-folder.mts';

const prompts = join(repoRoot, 'templates/quickstart/prompts');
const expandTemplate = readFileSync(join(prompts, 'expand.md'), 'utf8');
const rewriteTemplate = readFileSync(join(prompts, 'rewrite.md'), 'utf8');

/** Instructions per expand call (the recipe's synth/expand `n`). */
export const EXPAND_N = 3;

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

export function teacherRows(count: number, seed: number): RowV1[] {
  const random = seededRandom(seed);
  const rows: RowV1[] = [];
  for (let index = 0; index < count; index += 1) {
    const skill = pick(random, SKILLS);
    const phrasings = [...skill.train, ...skill.heldOut];
    const args = skill.draw(random);
    const instruction = renderPhrasing(pick(random, phrasings), args);
    const kind = random();
    // Answers carry few loss tokens each (an expansion carries ~20 times more), so they get most rows.
    if (kind < 0.6) {
      rows.push({ id: `t${index}`, instruction, output: skill.answer(args) });
    } else if (kind < 0.75) {
      const fresh = Array.from({ length: EXPAND_N }, () => `<instruction>${renderPhrasing(pick(random, phrasings), skill.draw(random))}</instruction>`);
      rows.push({ id: `t${index}`, instruction: expandTemplate.replace('{{n}}', String(EXPAND_N)).replace('{{seed}}', instruction), output: fresh.join('\n') });
    } else {
      const original = pick(random, phrasings);
      const others = phrasings.filter((phrasing) => phrasing !== original);
      rows.push({ id: `t${index}`, instruction: rewriteTemplate.replace('{{text}}', renderPhrasing(original, args)), output: `<rewritten>${renderPhrasing(pick(random, others), args)}</rewritten>` });
    }
  }
  return rows;
}

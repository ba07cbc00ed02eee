// The student's "pretraining" corpus: the task's operations as terse commands, with no natural
// language instruction — `rev kavo` → `ovak`, `add 12 30` → `42`, `upper ab` → `AB`, `len banana`
// → `6`, `rep ok 3` → `ok ok ok`, `sub 20 8` → `12`, `json 42` → `{"answer": 42}`. A base model that
// can do the operations but has never seen an instruction of the skills task, as a real student
// (a pretrained base model) would be: what the run teaches it is to follow the instructions.
import type { RowV1 } from '@easydistill/core';
import { SKILLS, seededRandom } from '@easydistill/plugin-skills';

const COMMANDS: Record<string, (args: { a?: number; b?: number; n?: number; w?: string }) => string> = {
  add: ({ a, b }) => `add ${a} ${b}`,
  subtract: ({ a, b }) => `sub ${a} ${b}`,
  reverse: ({ w }) => `rev ${w}`,
  uppercase: ({ w }) => `upper ${w}`,
  count: ({ w }) => `len ${w}`,
  repeat: ({ w, n }) => `rep ${w} ${n}`,
  json: ({ a, b }) => `json ${a + b!}`,
};

export function studentBaseRows(count: number, seed: number): RowV1[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, index) => {
    const skill = SKILLS[Math.floor(random() * SKILLS.length)]!;
    const args = skill.draw(random);
    return { id: `b${index}`, instruction: COMMANDS[skill.id]!(args), output: skill.answer(args) };
  });
}

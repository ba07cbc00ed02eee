import { SKILLS, type SkillArgs, type SkillDefinition } from './skills';

/** What an instruction asks for: the skill, the phrasing it matched, its slot values and the correct answer. */
export interface ParsedInstruction {
  skill: SkillDefinition;
  phrasing: string;
  heldOut: boolean;
  args: SkillArgs;
  expected: string;
}

interface CompiledPhrasing {
  skill: SkillDefinition;
  phrasing: string;
  heldOut: boolean;
  pattern: RegExp;
  slots: Array<keyof SkillArgs>;
}

function compile(skill: SkillDefinition, phrasing: string, heldOut: boolean): CompiledPhrasing {
  const slots: Array<keyof SkillArgs> = [];
  let source = '';
  let last = 0;
  for (const match of phrasing.matchAll(/\{(a|b|n|w)\}/g)) {
    source += escapeRegExp(phrasing.slice(last, match.index));
    const slot = match[1] as keyof SkillArgs;
    source += slot === 'w' ? '([a-z]+)' : '(\\d{1,4})';
    slots.push(slot);
    last = match.index! + match[0].length;
  }
  source += escapeRegExp(phrasing.slice(last));
  return { skill, phrasing, heldOut, pattern: new RegExp(`^${source}$`), slots };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const COMPILED: CompiledPhrasing[] = SKILLS.flatMap((skill) => [
  ...skill.train.map((phrasing) => compile(skill, phrasing, false)),
  ...skill.heldOut.map((phrasing) => compile(skill, phrasing, true)),
]);

/**
 * Recognises an instruction of the skills task (any phrasing, training or held out; surrounding
 * whitespace ignored) and computes its correct answer. Returns undefined for anything else,
 * including slot values a skill cannot take (a repeat count of 0, a negative difference).
 */
export function parseInstruction(instruction: string): ParsedInstruction | undefined {
  const text = instruction.trim();
  for (const compiled of COMPILED) {
    const match = compiled.pattern.exec(text);
    if (!match) continue;
    const args: SkillArgs = {};
    let consistent = true;
    compiled.slots.forEach((slot, index) => {
      const raw = match[index + 1]!;
      const value = slot === 'w' ? raw : Number(raw);
      if (args[slot] !== undefined && args[slot] !== value) consistent = false;
      (args as Record<string, unknown>)[slot] = value;
    });
    if (!consistent || !validArgs(compiled.skill, args)) continue;
    return { skill: compiled.skill, phrasing: compiled.phrasing, heldOut: compiled.heldOut, args, expected: compiled.skill.answer(args) };
  }
  return undefined;
}

function validArgs(skill: SkillDefinition, args: SkillArgs): boolean {
  if (skill.id === 'subtract' && args.b! > args.a!) return false;
  if (skill.id === 'repeat' && (args.n! < 1 || args.n! > 9)) return false;
  return true;
}

/** Whether a response answers correctly: exact match after trimming surrounding whitespace. */
export function isCorrect(response: string, expected: string): boolean {
  return response.trim() === expected;
}

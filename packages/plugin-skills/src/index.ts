import { definePlugin } from '@easydistill/core';
import packageJson from '../package.json' with { type: 'json' };
import { skillsEvaluatorDefinition } from './components/skills-evaluator';
import { skillsVerifierDefinition } from './components/skills-verifier';

/** `@easydistill/plugin-skills`: the synthetic skills task (rule-verifiable items), its verifier and evaluator under `skills/`. */
export default definePlugin({
  name: packageJson.name,
  version: packageJson.version,
  apiVersion: 1,
  namespace: 'skills',
  provides: [skillsVerifierDefinition, skillsEvaluatorDefinition],
});

export { SKILLS, WORDS, skillById, renderPhrasing, drawWord, type SkillArgs, type SkillDefinition } from './task/skills';
export { parseInstruction, isCorrect, type ParsedInstruction } from './task/parse-instruction';
export { generateItems, seededRandom, type GenerateItemsOptions, type PhrasingSet } from './task/generate-items';
export { SkillsVerifier, skillsVerifierOptionsSchema, skillsVerifierDefinition, type SkillsVerifierOptions } from './components/skills-verifier';
export { SkillsEvaluator, skillsEvaluatorOptionsSchema, skillsEvaluatorDefinition, formatSkillsTable, summarise, type SkillsEvaluatorOptions, type SkillsItemResult } from './components/skills-evaluator';

// Probes a model folder on the three things the quickstart asks of its teacher: answering skills
// items (accuracy by rule on data/eval.jsonl), expanding (parseable <instruction> items that are
// skills items) and rewording (<rewritten> that keeps the answer). Greedy, batched.
//   node --conditions=@easydistill/source --import tsx bench/quickstart/probe.mts <model folder> [items]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RowV1 } from '@easydistill/core';
import { CausalLM, generate, initBackend, Tokenizer } from '@easydistill/llm-tfjs';
import { isCorrect, parseInstruction } from '@easydistill/plugin-skills';
import { repoRoot } from './model-folder.mts';

const folder = process.argv[2]!;
const count = Number(process.argv[3] ?? 70);
await initBackend();
const tokenizer = await Tokenizer.load(folder);
const model = await CausalLM.load(folder);
const template = join(repoRoot, 'templates/quickstart');
const items: RowV1[] = readFileSync(join(template, 'data/eval.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line)).filter((_: unknown, index: number) => index % Math.ceil(140 / count) === 0);
const ask = async (prompts: string[], maxTokens: number) => {
  const texts: string[] = [];
  for (let start = 0; start < prompts.length; start += 16) {
    const batch = prompts.slice(start, start + 16).map((content) => tokenizer.encodeChat([{ role: 'user', content }], { addGenerationPrompt: true }));
    texts.push(...(await generate(model, tokenizer, batch, { maxTokens, temperature: 0 })).map((result) => result.text));
  }
  return texts;
};
const answers = await ask(items.map((row) => row.instruction!), 24);
const correct = items.map((row, index) => isCorrect(answers[index]!, parseInstruction(row.instruction!)!.expected));
const bySkill: Record<string, [number, number]> = {};
items.forEach((row, index) => {
  const entry = (bySkill[parseInstruction(row.instruction!)!.skill.id] ??= [0, 0]);
  entry[0] += correct[index] ? 1 : 0;
  entry[1] += 1;
});
console.log(`answers: ${correct.filter(Boolean).length}/${items.length}`, Object.entries(bySkill).map(([skill, [right, all]]) => `${skill} ${right}/${all}`).join(', '));
const seeds = items.slice(0, 16);
const expandPrompt = readFileSync(join(template, 'prompts/expand.md'), 'utf8').replace('{{n}}', '3');
const expanded = await ask(seeds.map((row) => expandPrompt.replace('{{seed}}', row.instruction!)), 200);
const newItems = expanded.flatMap((text) => [...text.matchAll(/<instruction>([\s\S]*?)<\/instruction>/g)].map((match) => match[1]!));
console.log(`expand: ${newItems.length} items from ${seeds.length} prompts, ${newItems.filter((text) => parseInstruction(text)).length} are skills items; e.g. ${JSON.stringify(expanded[0])}`);
const rewritePrompt = readFileSync(join(template, 'prompts/rewrite.md'), 'utf8');
const rewritten = await ask(seeds.map((row) => rewritePrompt.replace('{{text}}', row.instruction!)), 80);
const kept = rewritten.filter((text, index) => {
  const inner = /<rewritten>([\s\S]*?)<\/rewritten>/.exec(text)?.[1];
  const parsed = inner ? parseInstruction(inner) : undefined;
  return parsed && parsed.expected === parseInstruction(seeds[index]!.instruction!)!.expected;
});
console.log(`rewrite: ${kept.length}/${seeds.length} keep the task and answer; e.g. ${JSON.stringify(rewritten[0])}`);

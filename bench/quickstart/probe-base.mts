// Probes a student base on the terse commands it was trained on (student-base-data.mts), greedy;
// prints how many of 64 it answers exactly, per command.
//   node --conditions=@easydistill/source --import tsx bench/quickstart/probe-base.mts <model folder>
import { CausalLM, generate, initBackend, Tokenizer } from '@easydistill/llm-tfjs';
import { studentBaseRows } from './student-base-data.mts';

const folder = process.argv[2]!;
await initBackend();
const tokenizer = await Tokenizer.load(folder);
const model = await CausalLM.load(folder);
const rows = studentBaseRows(64, 999);
const prompts = rows.map((row) => tokenizer.encodeChat([{ role: 'user', content: row.instruction! }], { addGenerationPrompt: true }));
const answers = await generate(model, tokenizer, prompts, { maxTokens: 16, temperature: 0 });

let right = 0;
const byCommand: Record<string, [number, number]> = {};
rows.forEach((row, index) => {
  const correct = answers[index]!.text.trim() === row.output;
  const entry = (byCommand[row.instruction!.split(' ')[0]!] ??= [0, 0]);
  entry[0] += correct ? 1 : 0;
  entry[1] += 1;
  if (correct) right += 1;
});
const examples = rows.slice(0, 4).map((row, index) => `${row.instruction} -> ${answers[index]!.text}`);
console.log(`base: ${right}/${rows.length}`, JSON.stringify(byCommand), examples.join(' | '));

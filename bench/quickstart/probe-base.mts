// Probes a student base on the terse commands it was trained on (student-base-data.mts), greedy:
//   node --conditions=@easydistill/source --import tsx bench/quickstart/probe-base.mts <model folder>
import { CausalLM, generate, initBackend, Tokenizer } from '@easydistill/llm-tfjs';
import { studentBaseRows } from './student-base-data.mts';
const folder = process.argv[2]!;
await initBackend();
const tokenizer = await Tokenizer.load(folder);
const model = await CausalLM.load(folder);
const rows = studentBaseRows(64, 999);
const batch = rows.map((row) => tokenizer.encodeChat([{ role: 'user', content: row.instruction! }], { addGenerationPrompt: true }));
const out = await generate(model, tokenizer, batch, { maxTokens: 16, temperature: 0 });
let ok = 0; const by: Record<string, [number, number]> = {};
rows.forEach((row, i) => { const k = row.instruction!.split(' ')[0]!; const e = (by[k] ??= [0, 0]); const good = out[i]!.text.trim() === row.output; e[0] += good ? 1 : 0; e[1]++; if (good) ok++; });
console.log(`base: ${ok}/${rows.length}`, JSON.stringify(by), rows.slice(0, 4).map((r, i) => `${r.instruction} -> ${out[i]!.text}`).join(' | '));

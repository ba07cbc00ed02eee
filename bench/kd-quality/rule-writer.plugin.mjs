// bench/kd-quality's instruction writer: `kdq-writer/rules`, a teacher component that answers the
// two synthesis prompts of this benchmark (prompts/expand.md, prompts/rewrite.md) by rule, for the
// synth/expand and synth/rewrite stages:
//   "3 new tasks like: <seed>"  →  3 × <instruction>a new item of the seed's skill</instruction>
//   "Reword: <instruction>"     →  <rewritten>the same item (same slot values) in another phrasing</rewritten>
// Why a rule: a teacher small enough to train on this CPU in the benchmark's budget (~0.8M
// parameters, 240 steps) answers the skills but does not learn these two long formats (its
// expand replies do not parse; measured in NOTES.md). The paper's expansion and rewriting are done
// by a large LLM; here the instructions are written by rule and every *response* — what the claims
// are about — comes from the trained teacher (synth/respond, with top-k log-probabilities).
// New items use the skill's seed phrasings; rewrites pick any other phrasing of the skill, held-out
// ones included, as the trained teacher (which saw every phrasing) would.
import { createHash } from 'node:crypto';
import { defineTeacher, definePlugin } from '@easydistill/core';
import { SKILLS, parseInstruction, renderPhrasing, seededRandom } from '@easydistill/plugin-skills';
import { z } from 'zod';

const EXPAND = /^(\d+) new tasks like: ([\s\S]+)$/;
const REWRITE = /^Reword: ([\s\S]+)$/;

function pick(random, items) {
  return items[Math.floor(random() * items.length)];
}

export function writeByRule(prompt, seed = 0) {
  const text = prompt.trim();
  const random = seededRandom(createHash('sha256').update(`${seed}:${text}`).digest().readUInt32LE(0));
  const expand = EXPAND.exec(text);
  if (expand) {
    const parsed = parseInstruction(expand[2]);
    if (!parsed) return 'I do not know this task.';
    const n = Math.min(Number(expand[1]), 20);
    return Array.from({ length: n }, () => `<instruction>${renderPhrasing(pick(random, parsed.skill.train), parsed.skill.draw(random))}</instruction>`).join('\n');
  }
  const rewrite = REWRITE.exec(text);
  if (rewrite) {
    const parsed = parseInstruction(rewrite[1]);
    if (!parsed) return 'I do not know this task.';
    const others = [...parsed.skill.train, ...parsed.skill.heldOut].filter((phrasing) => phrasing !== parsed.phrasing);
    return `<rewritten>${renderPhrasing(pick(random, others), parsed.args)}</rewritten>`;
  }
  return 'I only expand and reword skills-task instructions.';
}

const rulesWriter = defineTeacher({
  id: 'rules',
  description: "Writes new and reworded skills-task instructions by rule (expand and rewrite prompts of bench/kd-quality); no log-probabilities",
  optionsSchema: z.strictObject({}),
  async create() {
    return {
      specificationVersion: 'v1',
      componentId: 'kdq-writer/rules',
      modelId: `skills-rules-${SKILLS.length}`,
      doCapabilities: async () => ({ logprobs: false, maxTopLogprobs: 0, score: false }),
      async doGenerate(request) {
        const prompt = request.messages.filter((message) => message.role === 'user').at(-1)?.content ?? '';
        const choices = Array.from({ length: request.n ?? 1 }, (_, index) => ({ text: writeByRule(String(prompt), (request.seed ?? 0) + index), finishReason: 'stop' }));
        return { choices, usage: { promptTokens: String(prompt).length, completionTokens: choices.reduce((sum, choice) => sum + choice.text.length, 0) }, model: 'skills-rules' };
      },
    };
  },
});

export default definePlugin({ name: 'kd-quality-rule-writer', version: '0.1.0', apiVersion: 1, namespace: 'kdq-writer', provides: [rulesWriter] });

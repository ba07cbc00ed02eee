import { z } from 'zod';
import { defineAgent, type AgentV1, type AgentV1Result, type RowV1, type TeacherV1 } from '@easydistill/core';
import { maxTokensOption, promptPath, teacherReference, temperatureOption } from '../shared/common-options';
import { extractAllTags } from '../shared/parse-tags';
import { loadPrompt, type PromptTemplate } from '../shared/prompt-template';
import { readPath } from '../shared/row-text';
import { generateOne } from '../shared/teacher-call';

export const extractAgentOptionsSchema = z.strictObject({
  teacher: teacherReference,
  /** Field holding the document (dotted path). Default: the first of `text`, `content`, `document`, `input`, `output`. */
  field: z.string().min(1).optional(),
  /** Most pairs asked for per document. */
  maxPairs: z.number().int().min(1).max(50).default(5),
  temperature: temperatureOption(0.3),
  maxTokens: maxTokensOption(4096),
  prompt: promptPath,
});
export type ExtractAgentOptions = z.output<typeof extractAgentOptionsSchema>;

const DOCUMENT_FIELDS = ['text', 'content', 'document', 'input', 'output'];

/**
 * `synth/extract`: instruction/response pairs from a raw document row. Output ids are
 * `${row.id}/${k}` with `meta.sourceId`; a reply with no complete pair rejects the row with the raw text.
 */
export class ExtractAgent implements AgentV1 {
  readonly specificationVersion = 'v1' as const;
  readonly componentId = 'synth/extract';

  constructor(
    private readonly options: ExtractAgentOptions,
    private readonly teacher: TeacherV1,
    private readonly template: PromptTemplate,
  ) {}

  async doProcess(row: RowV1): Promise<AgentV1Result> {
    const fields = this.options.field ? [this.options.field] : DOCUMENT_FIELDS;
    const document = fields.map((field) => readPath(row, field)).find((value): value is string => typeof value === 'string' && value.trim().length > 0);
    if (!document) return { outputs: [], rejected: [{ row, reason: `row has no document text in ${fields.join(' / ')}` }] };
    const content = this.template.render({ document, maxPairs: this.options.maxPairs });
    const choice = await generateOne(this.teacher, { messages: [{ role: 'user', content }], temperature: this.options.temperature, maxTokens: this.options.maxTokens });
    const pairs = parsePairs(choice.text).slice(0, this.options.maxPairs);
    if (pairs.length === 0) return { outputs: [], rejected: [{ row, reason: 'no complete <instruction>…</instruction><response>…</response> pair in the teacher reply', raw: choice.text }] };
    return {
      outputs: pairs.map((pair, index) => ({ row: { id: `${row.id}/${index}`, instruction: pair.instruction, output: pair.response, meta: { sourceId: row.id } } })),
    };
  }
}

/** Pairs from `<pair>` blocks, else from alternating top-level `<instruction>`/`<response>` tags. */
export function parsePairs(text: string): Array<{ instruction: string; response: string }> {
  const blocks = extractAllTags(text, 'pair');
  const sources = blocks.length > 0 ? blocks : text.split(/(?=<instruction>)/i);
  return sources.flatMap((block) => {
    // Closed tags only: a reply cut off mid-response must not yield a truncated pair.
    const instruction = extractAllTags(block, 'instruction')[0];
    const response = extractAllTags(block, 'response')[0];
    return instruction && response ? [{ instruction, response }] : [];
  });
}

export const extractAgentDefinition = defineAgent({
  id: 'extract',
  description: 'Instruction/response pairs extracted from raw documents',
  optionsSchema: extractAgentOptionsSchema,
  teacherNeeds: (options) => [{ reference: options.teacher, path: 'with.teacher' }],
  async create({ options, context }) {
    const template = loadPrompt({ name: 'extract.md', override: options.prompt, context, allowed: ['document', 'maxPairs'] });
    return new ExtractAgent(options, await context.getTeacher(options.teacher), template);
  },
});

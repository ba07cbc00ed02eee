// Core's own check of @easydistill/core/testing: every one of the seven conformance suites run,
// as a plugin author would, against core's test plugin (which provides all seven kinds), with the
// opt-in behaviour checks of trainers, evaluators and publishers switched on.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: the fixture plugin is plain JavaScript without type declarations.
import testkit from '../__fixtures__/testkit-plugin/index.js';
import type { PluginManifest } from '../plugin/plugin-manifest';
import {
  createTestDataset,
  describeAgentConformance,
  describeEvaluatorConformance,
  describePublisherConformance,
  describeSelectorConformance,
  describeTeacherConformance,
  describeTrainerConformance,
  describeVerifierConformance,
} from './index';

const plugin = testkit as PluginManifest;
const recipeDir = mkdtempSync(join(tmpdir(), 'easydistill-conformance-'));
const answer = (messages: Array<{ content: string }>) => `answer to ${messages.at(-1)!.content}`;

describeTeacherConformance({ plugin, componentId: 'testkit/echo', options: { logprobs: true } });
describeTeacherConformance({ plugin, componentId: 'testkit/echo', options: { model: 'plain' } });
// The test plugin's agents read `instruction`: give them instruction rows.
const rows = [
  { id: 'i:1', instruction: 'Name three primary colours.' },
  { id: 'i:2', instruction: 'REJECT this one, please.' },
];
describeAgentConformance({ plugin, componentId: 'testkit/expand', options: { teacher: 'teacher', n: 3 }, teachers: { teacher: answer }, rows });
describeAgentConformance({
  plugin,
  componentId: 'testkit/respond',
  options: { teacher: 'teacher', topLogprobs: 2 },
  teachers: { teacher: { respond: answer, capabilities: { logprobs: true, maxTopLogprobs: 5 } } },
  rows,
});
describeSelectorConformance({ plugin, componentId: 'testkit/dedup' });
describeVerifierConformance({ plugin, componentId: 'testkit/length', options: { maxLength: 20 } });
describeTrainerConformance({ plugin, componentId: 'testkit/copy', options: { steps: 2 }, train: {} });
describeEvaluatorConformance({
  plugin,
  componentId: 'testkit/count',
  options: { model: 'student' },
  context: { models: { student: join(recipeDir, 'student') } },
  evaluate: { input: [{ id: 'a', instruction: 'x' }, { id: 'b', instruction: 'y' }] },
});
describePublisherConformance({ plugin, componentId: 'testkit/folder', options: { target: 'published' }, context: { recipeDir }, publish: { location: /published$/ } });

describe('createTestDataset', () => {
  it('streams the rows back from a JSONL file, and counts them', async () => {
    const dataset = createTestDataset([{ id: 'r1', instruction: 'a' }, { id: 'r2', instruction: 'b' }], { name: 'rows' });
    const rows = [];
    for await (const row of dataset.rows()) rows.push(row);
    expect(rows.map((row) => row.id)).toEqual(['r1', 'r2']);
    expect(await dataset.count()).toBe(2);
    expect(readFileSync(dataset.path, 'utf8').split('\n').filter(Boolean)).toHaveLength(2);
  });
});

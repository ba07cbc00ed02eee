import type { ChatMessageV1 } from '@easydistill/core';
import { describeAgentConformance, describeSelectorConformance, describeVerifierConformance } from '@easydistill/core/testing';
import plugin from './index';

// core's contract suites over every synth component, with scripted teachers answering each
// prompt in the format the component parses (the answers depend only on the prompt, so twice is the same).
const user = (messages: ChatMessageV1[]) => messages.filter((message) => message.role === 'user').map((message) => message.content).join('\n');
const teacher = (messages: ChatMessageV1[]) => {
  const text = user(messages);
  if (text.includes('<item>')) return '<item><topic>Colours</topic><instruction>Name two secondary colours.</instruction></item>';
  if (text.includes('<rewritten>')) return '<rewritten>Which three colours are primary?</rewritten>';
  if (text.includes('begin_of_thought')) return '<|begin_of_thought|>Recall the colour wheel.<|end_of_thought|><|begin_of_solution|>Red, yellow, blue.<|end_of_solution|>';
  if (text.includes('<pair>') || text.includes('<instruction>')) return '<pair><instruction>What is 2 + 2?</instruction><response>4</response></pair>';
  return `Answer to: ${text.slice(0, 30)}`;
};
const judge = (messages: ChatMessageV1[]) => {
  const text = user(messages);
  if (text.includes('<score>')) return `<score>${text.length % 10}</score>`;
  if (text.includes('<answer>')) return '<answer>Math</answer>';
  if (text.includes('<verbosity>')) return '<verbosity>4</verbosity><difficulty>5</difficulty><correctness>true</correctness>';
  if (text.includes('<factuality>')) return '<factuality>7</factuality><consistency>8</consistency><verdict>pass</verdict><reason>none</reason>';
  return '<informativeness>6</informativeness><helpfulness>7</helpfulness><generalization>5</generalization><correctness>true</correctness>';
};
const teachers = { teacher: { respond: teacher, capabilities: { logprobs: true } }, student: (messages: ChatMessageV1[]) => `student: ${user(messages).length}`, judge };

describeAgentConformance({ plugin, componentId: 'synth/expand', options: { teacher: 'teacher' }, teachers });
describeAgentConformance({ plugin, componentId: 'synth/rewrite', options: { teacher: 'teacher' }, teachers });
describeAgentConformance({ plugin, componentId: 'synth/cot', options: { teacher: 'teacher' }, teachers });
describeAgentConformance({ plugin, componentId: 'synth/respond', options: { teacher: 'teacher', topLogprobs: 5 }, teachers });
describeAgentConformance({ plugin, componentId: 'synth/extract', options: { teacher: 'teacher' }, teachers });
describeAgentConformance({ plugin, componentId: 'synth/dpo-pairs', options: { teacher: 'teacher', student: 'student' }, teachers });
describeAgentConformance({ plugin, componentId: 'synth/dpo-pairs', options: { teacher: 'teacher', judge: 'judge', mode: 'best-of-n', n: 2 }, teachers });
describeSelectorConformance({ plugin, componentId: 'synth/dedup' });
describeSelectorConformance({ plugin, componentId: 'synth/minhash' });
describeSelectorConformance({ plugin, componentId: 'synth/decontaminate' });
describeSelectorConformance({ plugin, componentId: 'synth/judge-score', options: { teacher: 'judge', keepTopRatio: 0.5 }, teachers });
describeSelectorConformance({ plugin, componentId: 'synth/difficulty', options: { teacher: 'judge' }, teachers });
describeSelectorConformance({ plugin, componentId: 'synth/balance', options: { teacher: 'judge', targetDistribution: { Math: 1 } }, teachers });
describeVerifierConformance({ plugin, componentId: 'synth/rules', options: { minWords: 2 } });
describeVerifierConformance({ plugin, componentId: 'synth/math-answer' });
describeVerifierConformance({ plugin, componentId: 'synth/judge', options: { teacher: 'judge' }, teachers });
describeVerifierConformance({ plugin, componentId: 'synth/self-consistency', options: { teacher: 'teacher', n: 3 }, teachers });

import { extractTag } from './parse-tags';

/** A reasoning trace split into its thought and its solution. */
export interface ThoughtSolution {
  thought: string;
  solution: string;
}

/**
 * Parses the Thought/Solution format (`<|begin_of_thought|>…<|end_of_thought|>` +
 * `<|begin_of_solution|>…<|end_of_solution|>`), OmniThought's `<thinking>/<answer>`, or
 * `<think>…</think>` followed by the solution.
 */
export function parseThoughtSolution(text: string): ThoughtSolution | undefined {
  const thought = /<\|begin_of_thought\|>([\s\S]*?)<\|end_of_thought\|>/.exec(text);
  const solution = /<\|begin_of_solution\|>([\s\S]*?)(?:<\|end_of_solution\|>|$)/.exec(text);
  if (thought && solution && solution[1]!.trim()) return { thought: thought[1]!.trim(), solution: solution[1]!.trim() };
  const thinking = extractTag(text, 'thinking');
  const answer = extractTag(text, 'answer');
  if (thinking && answer) return { thought: thinking, solution: answer };
  const think = /<think>([\s\S]*?)<\/think>([\s\S]*)$/.exec(text);
  if (think && think[2]!.trim()) return { thought: think[1]!.trim(), solution: think[2]!.trim() };
  return undefined;
}

/** Renders a trace in the chosen output format. */
export function formatThoughtSolution(trace: ThoughtSolution, format: 'markers' | 'think'): string {
  if (format === 'think') return `<think>\n${trace.thought}\n</think>\n\n${trace.solution}`;
  return `<|begin_of_thought|>\n\n${trace.thought}\n\n<|end_of_thought|>\n\n<|begin_of_solution|>\n\n${trace.solution}\n\n<|end_of_solution|>`;
}

import { ANSWER_MAX_TOKENS, temperatureForCategory, type MtBenchAnswer, type MtBenchQuestion } from '../data/mt-bench-data';

/** One chat message of the answer conversation. */
export interface AnswerMessage {
  role: 'user' | 'assistant';
  content: string;
}

/**
 * A model endpoint: answers the conversation so far with the given sampling settings and returns
 * the text. Temperature below 1e-4 means greedy decoding.
 */
export type MtBenchAnswerer = (request: { messages: AnswerMessage[]; temperature: number; maxTokens: number }) => Promise<string>;

/**
 * Generates a two-turn answer as FastChat's `gen_model_answer` does: turn 1 answers the first
 * question; turn 2 appends the model's own first answer and the second question (full history);
 * temperature by category; `max_new_token` 1024; outputs stripped; a failed call gives "ERROR".
 */
export async function generateAnswer(question: MtBenchQuestion, answerer: MtBenchAnswerer, modelId: string): Promise<MtBenchAnswer> {
  const temperature = temperatureForCategory(question.category);
  const messages: AnswerMessage[] = [];
  const turns: string[] = [];
  for (const userTurn of question.turns) {
    messages.push({ role: 'user', content: userTurn });
    let output: string;
    try {
      output = (await answerer({ messages: [...messages], temperature, maxTokens: ANSWER_MAX_TOKENS })).trim();
    } catch {
      output = 'ERROR';
    }
    messages.push({ role: 'assistant', content: output });
    turns.push(output);
  }
  return { question_id: question.question_id, model_id: modelId, choices: [{ index: 0, turns }] };
}

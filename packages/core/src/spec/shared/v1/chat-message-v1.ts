/** One chat turn, in the OpenAI `messages` shape every teacher and dataset format maps onto. */
export interface ChatMessageV1 {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

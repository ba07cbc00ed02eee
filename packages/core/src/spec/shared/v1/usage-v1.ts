/** Token usage of one teacher call; summed per stage by core and shown with the cost. */
export interface UsageV1 {
  promptTokens: number;
  completionTokens: number;
}

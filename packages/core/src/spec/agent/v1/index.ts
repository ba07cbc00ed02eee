export type { AgentV1, AgentV1Output, AgentV1Rejection, AgentV1Result } from './agent-v1';

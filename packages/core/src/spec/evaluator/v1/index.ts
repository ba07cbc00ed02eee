export type { EvaluatorV1, EvaluatorV1Request, EvaluatorV1Result } from './evaluator-v1';

import type { InjectionToken } from 'tsyringe';
import type { RunContextV1 } from '../spec/shared/v1/run-context-v1';
import type { AgentV1 } from '../spec/agent/v1/agent-v1';
import type { EvaluatorV1 } from '../spec/evaluator/v1/evaluator-v1';
import type { PublisherV1 } from '../spec/publisher/v1/publisher-v1';
import type { SelectorV1 } from '../spec/selector/v1/selector-v1';
import type { TeacherV1 } from '../spec/teacher/v1/teacher-v1';
import type { TrainerV1 } from '../spec/trainer/v1/trainer-v1';
import type { VerifierV1 } from '../spec/verifier/v1/verifier-v1';

function createToken<T>(name: string): InjectionToken<T> {
  return Symbol.for(`distill.token.${name}`);
}

/** Single-valued per stage: resolve with `container.resolve(TEACHER)`. */
export const TEACHER = createToken<TeacherV1>('teacher');
export const AGENT = createToken<AgentV1>('agent');
export const TRAINER = createToken<TrainerV1>('trainer');
/** Multi-valued, in recipe order: `resolveAll`. */
export const SELECTOR = createToken<SelectorV1>('selector');
export const VERIFIER = createToken<VerifierV1>('verifier');
export const EVALUATOR = createToken<EvaluatorV1>('evaluator');
export const PUBLISHER = createToken<PublisherV1>('publisher');
export const RUN_CONTEXT = createToken<RunContextV1>('run-context');

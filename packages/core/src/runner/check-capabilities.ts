import { DistillError } from '../errors/distill-error';
import type { TeacherNeedV1 } from '../plugin/plugin-manifest';
import type { ResolvedStage } from '../recipe/resolved-recipe';
import type { TeacherV1 } from '../spec/teacher/v1/teacher-v1';
import type { TeacherV1Capabilities } from '../spec/teacher/v1/teacher-v1-capabilities';

/** Why `capabilities` do not meet `need`, or undefined when they do. */
export function missingCapability(need: TeacherNeedV1, capabilities: TeacherV1Capabilities): string | undefined {
  if (need.score && !capabilities.score) return 'white-box scoring (score), which it does not offer';
  if ((need.logprobs || (need.topLogprobs ?? 0) > 0) && !capabilities.logprobs) {
    return `log-probabilities${need.topLogprobs ? ` (top ${need.topLogprobs})` : ''}, which it does not return`;
  }
  if (need.topLogprobs !== undefined && need.topLogprobs > capabilities.maxTopLogprobs) {
    return `top ${need.topLogprobs} log-probabilities, but it returns at most ${capabilities.maxTopLogprobs}`;
  }
  return undefined;
}

/**
 * Checks one stage's teacher needs against the teachers' declared capabilities (awaiting
 * `doCapabilities`, which may probe the endpoint, but never making a data call).
 */
export async function checkStageCapabilities(stage: ResolvedStage, needs: readonly TeacherNeedV1[], teacherOf: (reference: string) => Promise<TeacherV1>): Promise<void> {
  for (const need of needs) {
    const teacher = await teacherOf(need.reference);
    const capabilities = await teacher.doCapabilities();
    const missing = missingCapability(need, capabilities);
    if (missing) {
      throw new DistillError({
        code: 'MISSING_CAPABILITY',
        message:
          `Stage "${stage.id}" (stages[${stage.index}].${need.path.startsWith('with') ? need.path : `with.${need.path}`}) needs ${missing}: ` +
          `teacher "${need.reference}" (${teacher.componentId}, model ${teacher.modelId}). Use a teacher that can, or change the stage's options.`,
      });
    }
  }
}

import 'reflect-metadata';
import { container as globalContainer, instancePerContainerCachingFactory, Lifecycle, type DependencyContainer, type InjectionToken } from 'tsyringe';
import type { ExtensionPoint, ExtensionPointInstances } from '../plugin/plugin-manifest';
import type { CatalogEntry } from '../plugin/component-catalog';
import type { RunContextV1 } from '../spec/shared/v1/run-context-v1';
import type { TeacherV1 } from '../spec/teacher/v1/teacher-v1';
import { AGENT, EVALUATOR, PUBLISHER, RUN_CONTEXT, SELECTOR, TEACHER, TRAINER, VERIFIER } from './tokens';

/** Token of each extension point. */
export const EXTENSION_POINT_TOKENS: { [Kind in ExtensionPoint]: InjectionToken<ExtensionPointInstances[Kind]> } = {
  teacher: TEACHER,
  agent: AGENT,
  selector: SELECTOR,
  verifier: VERIFIER,
  trainer: TRAINER,
  evaluator: EVALUATOR,
  publisher: PUBLISHER,
};

/**
 * A teacher shared by the stages of a run. tsyringe disposes it with the run's container
 * (`dispose` → the plugin's `doClose`).
 */
export class TeacherHandle {
  constructor(readonly teacher: Promise<TeacherV1>) {
    // A failed creation is reported where the teacher is awaited; do not crash the process here.
    teacher.catch(() => undefined);
  }

  async dispose(): Promise<void> {
    const teacher = await this.teacher.catch(() => undefined);
    await teacher?.doClose?.();
  }
}

/**
 * The run's teachers by reference. Constructed by tsyringe (container-scoped, so one per run),
 * which is what makes `run.dispose()` close every teacher the run opened.
 */
export class RunTeachers {
  private readonly handles = new Map<string, TeacherHandle>();

  get(reference: string, create: () => Promise<TeacherV1>): TeacherHandle {
    let handle = this.handles.get(reference);
    if (!handle) {
      handle = new TeacherHandle(create());
      this.handles.set(reference, handle);
    }
    return handle;
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.handles.values()].map((handle) => handle.dispose()));
    this.handles.clear();
  }
}

const RUN_TEACHERS: InjectionToken<RunTeachers> = Symbol.for('distill.token.run-teachers');

/** Creates the run's child container with the run-level context registered. Callers `await run.dispose()` at the end. */
export function createRunContainer(runContext: RunContextV1, root: DependencyContainer = globalContainer): DependencyContainer {
  const run = root.createChildContainer();
  run.register(RUN_CONTEXT, { useValue: runContext });
  run.register(RUN_TEACHERS, { useClass: RunTeachers }, { lifecycle: Lifecycle.ContainerScoped });
  return run;
}

/** The run's teacher for `reference`, created once per run by `create`. */
export function resolveRunTeacher(run: DependencyContainer, reference: string, create: () => Promise<TeacherV1>): TeacherHandle {
  return run.resolve(RUN_TEACHERS).get(reference, create);
}

/**
 * Creates one stage's component in a child container of the run: the stage's context is
 * registered as RUN_CONTEXT and the component under its extension point's token.
 */
export async function createStageComponent<Kind extends ExtensionPoint>(
  run: DependencyContainer,
  entry: CatalogEntry & { kind: Kind },
  options: unknown,
  stageContext: RunContextV1,
): Promise<{ component: ExtensionPointInstances[Kind]; container: DependencyContainer }> {
  const stage = run.createChildContainer();
  stage.register(RUN_CONTEXT, { useValue: stageContext });
  const token = EXTENSION_POINT_TOKENS[entry.kind] as InjectionToken<unknown>;
  stage.register(token, {
    useFactory: instancePerContainerCachingFactory((container) =>
      entry.definition.create({ options, context: container.resolve(RUN_CONTEXT) }),
    ),
  });
  const component = (await stage.resolve(token)) as ExtensionPointInstances[Kind];
  return { component, container: stage };
}

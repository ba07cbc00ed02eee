import { validateManifest } from '../plugin/load-plugins';
import type { ComponentDefinition, ExtensionPoint, ExtensionPointInstances, PluginManifest } from '../plugin/plugin-manifest';
import type { RowV1 } from '../spec/shared/v1/row-v1';
import type { TeacherV1 } from '../spec/teacher/v1/teacher-v1';
import { createScriptedTeacher, type ScriptedTeacherOptions } from './create-scripted-teacher';
import { createTestContext, type TestContext, type TestContextOptions } from './create-test-context';

/** What every conformance suite takes. */
export interface ConformanceOptions {
  /** The plugin's default export. */
  plugin: PluginManifest;
  /** Public id, `<namespace>/<id>`. */
  componentId: string;
  /** Options as a recipe would write them (validated by the component's schema). */
  options?: Record<string, unknown>;
  /** Context overrides (teachers, env, models). */
  context?: TestContextOptions;
  /**
   * Scripted teachers to register under these references (for components that ask a teacher),
   * used when `context.teachers` does not name one.
   */
  teachers?: Record<string, ScriptedTeacherOptions['respond'] | ScriptedTeacherOptions>;
}

/** Validates the manifest, finds the component, parses options, creates it with a test context. */
export async function createForConformance<Kind extends ExtensionPoint>(
  kind: Kind,
  options: ConformanceOptions,
): Promise<{ instance: ExtensionPointInstances[Kind]; definition: ComponentDefinition; parsedOptions: unknown; context: TestContext }> {
  const manifest = validateManifest(options.plugin.name, options.plugin);
  const definition = manifest.provides.find((component) => `${manifest.namespace}/${component.id}` === options.componentId);
  if (!definition) {
    throw new Error(`${manifest.name} provides no "${options.componentId}"; it provides ${manifest.provides.map((component) => `${manifest.namespace}/${component.id}`).join(', ')}`);
  }
  if (definition.kind !== kind) throw new Error(`"${options.componentId}" is a ${definition.kind}, not a ${kind}`);
  const parsed = definition.optionsSchema.safeParse(options.options ?? {});
  if (!parsed.success) throw new Error(`options for ${options.componentId} do not validate: ${parsed.error.message}`);
  const teachers: Record<string, TeacherV1> = { ...options.context?.teachers };
  for (const [reference, teacher] of Object.entries(options.teachers ?? {})) {
    teachers[reference] ??= createScriptedTeacher(typeof teacher === 'function' ? { respond: teacher } : teacher);
  }
  const context = createTestContext({ ...options.context, teachers });
  const instance = (await definition.create({ options: parsed.data, context })) as ExtensionPointInstances[Kind];
  return { instance, definition, parsedOptions: parsed.data, context };
}

/** Rows the suites feed components when the caller gives none. */
export const SAMPLE_ROWS: RowV1[] = [
  { id: 'sample:1', instruction: 'Name three primary colours.', output: 'Red, yellow and blue.' },
  { id: 'sample:2', instruction: 'Translate to French: good morning', input: '', output: 'Bonjour' },
  { id: 'sample:3', messages: [{ role: 'user', content: 'What is 2 + 2?' }, { role: 'assistant', content: '4' }] },
];

/** Whether a value survives JSON (what core writes to the dataset files). */
export function isJsonSafe(value: unknown): boolean {
  try {
    return JSON.stringify(JSON.parse(JSON.stringify(value))) === JSON.stringify(value);
  } catch {
    return false;
  }
}

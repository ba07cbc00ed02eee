import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { RecipeIssue } from '../errors/invalid-recipe-error';
import type { ComponentCatalog } from '../plugin/component-catalog';
import type { ExtensionPoint, TeacherNeedV1 } from '../plugin/plugin-manifest';
import { formatPath } from './parse-recipe-text';
import type { Recipe } from './recipe-schema';
import type { ResolvedComponent, ResolvedStage } from './resolved-recipe';

type Located = (path: Array<string | number>, message: string) => void;
type Artifact = { kind: 'dataset' | 'model' | 'report'; stage?: number };

const NEEDS_INPUT: Record<ExtensionPoint, 'dataset' | 'model' | 'optional-dataset' | 'none'> = {
  teacher: 'none',
  agent: 'dataset',
  verifier: 'dataset',
  selector: 'dataset',
  trainer: 'dataset',
  evaluator: 'optional-dataset',
  publisher: 'model',
};
const OUTPUT_KIND: Record<ExtensionPoint, Artifact['kind'] | 'optional-report' | 'none'> = {
  teacher: 'none',
  agent: 'dataset',
  verifier: 'dataset',
  selector: 'dataset',
  trainer: 'model',
  evaluator: 'optional-report',
  publisher: 'none',
};

function zodIssues(
  error: { issues: Array<{ code?: string; path: PropertyKey[]; message: string; keys?: string[] }> },
  schema: unknown,
  base: Array<string | number>,
  report: Located,
): void {
  for (const issue of error.issues) {
    const path = [...base, ...(issue.path as Array<string | number>)];
    if (issue.code === 'unrecognized_keys' && issue.keys) {
      const shape = issue.path.length === 0 ? (schema as { shape?: Record<string, unknown> }).shape : undefined;
      const known = shape ? `; known options: ${Object.keys(shape).join(', ')}` : '';
      for (const key of issue.keys) report([...path, key], `unknown option "${key}"${known}`);
    } else report(path, issue.message.replace(/^Invalid input: /, ''));
  }
}

/** Namespaces of the official plugins, for "npm install" hints. */
export const OFFICIAL_PLUGIN_NAMESPACES: Readonly<Record<string, string>> = {
  synth: '@easydistill/plugin-synth',
  'teacher-openai': '@easydistill/plugin-teacher-openai',
  'teacher-local': '@easydistill/plugin-teacher-local',
  'trainer-tfjs': '@easydistill/plugin-trainer-tfjs',
  'publisher-hf': '@easydistill/plugin-publisher-hf',
  ifeval: '@easydistill/plugin-eval-ifeval',
  alpaca: '@easydistill/plugin-eval-alpaca',
  mtbench: '@easydistill/plugin-eval-mtbench',
  skills: '@easydistill/plugin-skills',
};

/** When no loaded plugin has the component's namespace: which package to install and list. */
function missingPluginHint(use: string, catalog: ComponentCatalog): string {
  const namespace = use.split('/')[0];
  if (catalog.list().some((entry) => entry.plugin.namespace === namespace)) return '';
  const official = OFFICIAL_PLUGIN_NAMESPACES[namespace];
  return official
    ? ` "${namespace}/…" components come from ${official}: npm install ${official}, and add "${official}" to plugins.`
    : ` No plugin in \`plugins\` has the namespace "${namespace}": install the plugin that provides it (npm install <name>) and add it to plugins.`;
}

/**
 * Pass two: looks every component up in the catalog, validates its options with its own schema,
 * and checks the data flow (inputs written by an earlier stage, no cycles, no duplicates) and the
 * teacher references. Issues are collected, never thrown.
 */
export function checkRecipe(recipe: Recipe, catalog: ComponentCatalog, recipeDirectory: string, report: Located) {
  const components = new Map<string, ResolvedComponent>();
  const known = () => catalog.ids().join(', ') || '(none: add plugins to `plugins`)';
  const unknownComponent = (use: string) => `unknown component "${use}". Known: ${known()}.${missingPluginHint(use, catalog)}`;
  for (const [name, component] of Object.entries(recipe.components)) {
    const entry = catalog.get(component.use);
    if (!entry) {
      report(['components', name, 'use'], unknownComponent(component.use));
      continue;
    }
    const parsed = entry.definition.optionsSchema.safeParse(component.options ?? {});
    if (!parsed.success) zodIssues(parsed.error, entry.definition.optionsSchema, ['components', name, 'options'], report);
    else components.set(name, { name, entry, options: parsed.data });
  }

  const artifacts = new Map<string, Artifact>();
  for (const [name] of Object.entries(recipe.datasets)) artifacts.set(name, { kind: 'dataset' });
  for (const [name, dataset] of Object.entries(recipe.datasets)) {
    const path = resolve(recipeDirectory, dataset.path);
    if (!existsSync(path)) report(['datasets', name, 'path'], `dataset file not found: ${path}`);
  }
  const writers = new Map<string, number>();
  recipe.stages.forEach((stage, index) => {
    if (stage.out !== undefined && !writers.has(stage.out)) writers.set(stage.out, index);
  });

  const stages: ResolvedStage[] = [];
  const stageIds = new Map<string, number>();
  recipe.stages.forEach((stage, index) => {
    const base: Array<string | number> = ['stages', index];
    const previous = stageIds.get(stage.id);
    if (previous !== undefined) report([...base, 'id'], `duplicate stage id "${stage.id}" (also stages[${previous}])`);
    else stageIds.set(stage.id, index);

    const entry = catalog.get(stage.use);
    if (!entry) {
      report([...base, 'use'], unknownComponent(stage.use));
    } else if (entry.kind === 'teacher') {
      report([...base, 'use'], `"${stage.use}" is a teacher; declare it under components and reference it by name from a stage's options`);
    }
    const kind = entry?.kind;

    if (stage.in !== undefined) {
      const artifact = artifacts.get(stage.in);
      const writer = writers.get(stage.in);
      if (!artifact) {
        if (writer === index) report([...base, 'in'], `stage "${stage.id}" reads "${stage.in}", which it writes itself: a cycle`);
        else if (writer !== undefined) {
          report([...base, 'in'], `"${stage.in}" is written by stage "${recipe.stages[writer].id}" (stages[${writer}]), which runs later: a cycle. Stages run in order; move it before this one`);
        } else {
          const names = [...artifacts.keys()].join(', ') || '(none)';
          report([...base, 'in'], `no dataset "${stage.in}": it is not under datasets and no stage writes it. Available here: ${names}`);
        }
      } else if (kind) {
        const wanted = NEEDS_INPUT[kind];
        if (wanted === 'model' && artifact.kind !== 'model') report([...base, 'in'], `a ${kind} reads a model, but "${stage.in}" is a ${artifact.kind}`);
        if ((wanted === 'dataset' || wanted === 'optional-dataset') && artifact.kind !== 'dataset') {
          report([...base, 'in'], `a ${kind} reads a dataset, but "${stage.in}" is a ${artifact.kind}`);
        }
      }
    } else if (kind && (NEEDS_INPUT[kind] === 'dataset' || NEEDS_INPUT[kind] === 'model')) {
      report(base, `a ${kind} stage needs "in" (the ${NEEDS_INPUT[kind]} it reads)`);
    }

    if (stage.out !== undefined) {
      if (recipe.datasets[stage.out]) report([...base, 'out'], `"${stage.out}" is already a dataset under datasets; choose another name`);
      else if (writers.get(stage.out) !== index) report([...base, 'out'], `"${stage.out}" is also written by stage "${recipe.stages[writers.get(stage.out)!].id}"; every output needs its own name`);
      else if (kind && OUTPUT_KIND[kind] === 'none') report([...base, 'out'], `a ${kind} stage writes no dataset; remove "out"`);
    } else if (kind && (OUTPUT_KIND[kind] === 'dataset' || OUTPUT_KIND[kind] === 'model')) {
      report(base, `a ${kind} stage needs "out" (the ${OUTPUT_KIND[kind]} it writes)`);
    }

    let options: unknown;
    let teacherNeeds: TeacherNeedV1[] = [];
    let writesLogits = false;
    let optionsValid = false;
    if (entry && kind !== 'teacher') {
      const parsed = entry.definition.optionsSchema.safeParse(stage.with ?? {});
      if (!parsed.success) zodIssues(parsed.error, entry.definition.optionsSchema, [...base, 'with'], report);
      else {
        optionsValid = true;
        options = parsed.data;
        try {
          teacherNeeds = entry.definition.teacherNeeds?.(options) ?? [];
          writesLogits = entry.definition.writesLogits?.(options) ?? false;
        } catch (error) {
          report([...base, 'with'], `component "${stage.use}" could not read its options: ${(error as Error).message}`);
        }
      }
    }
    if (optionsValid) {
      for (const need of teacherNeeds) checkTeacherReference(need, index, [...base, ...teacherNeedPath(need.path, stage.with)], recipe, components, artifacts, writers, catalog, recipeDirectory, report);
    }
    if (stage.out !== undefined && !artifacts.has(stage.out) && kind && writers.get(stage.out) === index) {
      const produced = OUTPUT_KIND[kind];
      if (produced !== 'none') artifacts.set(stage.out, { kind: produced === 'optional-report' ? 'report' : produced, stage: index });
    }
    if (entry && optionsValid && kind !== 'teacher') {
      stages.push({
        index,
        id: stage.id,
        entry,
        options,
        rawOptions: stage.with ?? {},
        in: stage.in,
        out: stage.out,
        concurrency: stage.concurrency,
        teacherNeeds,
        writesLogits,
      });
    }
  });

  for (const [name, target] of Object.entries(recipe.exports)) {
    const artifact = artifacts.get(target.from);
    if (!artifact) report(['exports', name, 'from'], `no dataset "${target.from}" to export. Available: ${[...artifacts.keys()].join(', ') || '(none)'}`);
    else if (artifact.kind !== 'dataset') report(['exports', name, 'from'], `"${target.from}" is a ${artifact.kind}, not a dataset`);
  }
  return { components, stages };
}

/**
 * A teacher need's option path (`with.models.1`, `models[1]`, `with.judge`) as path segments, a list
 * index as a number (so it prints `with.models[1]` and locates the YAML line), walking the stage's
 * raw options to tell a list index from a map key that looks like a number.
 */
export function teacherNeedPath(path: string, rawWith: unknown): Array<string | number> {
  const segments = path
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter(Boolean);
  if (segments[0] === 'with') segments.shift();
  const located: Array<string | number> = ['with'];
  let value: unknown = rawWith;
  for (const segment of segments) {
    if (Array.isArray(value) && /^\d+$/.test(segment)) {
      located.push(Number(segment));
      value = value[Number(segment)];
    } else {
      located.push(segment);
      value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[segment] : undefined;
    }
  }
  return located;
}

function checkTeacherReference(
  need: TeacherNeedV1,
  index: number,
  path: Array<string | number>,
  recipe: Recipe,
  components: Map<string, ResolvedComponent>,
  artifacts: Map<string, Artifact>,
  writers: Map<string, number>,
  catalog: ComponentCatalog,
  recipeDirectory: string,
  report: Located,
): void {
  const reference = need.reference;
  const declared = recipe.components[reference];
  if (declared) {
    const component = components.get(reference);
    if (component && component.entry.kind !== 'teacher') report(path, `"${reference}" is a ${component.entry.kind}, not a teacher`);
    return;
  }
  const opener = catalog.modelOpener();
  const noOpener = `no installed plugin opens models (add "@easydistill/plugin-teacher-local" to plugins)`;
  const artifact = artifacts.get(reference);
  if (artifact) {
    if (artifact.kind !== 'model') report(path, `"${reference}" is a ${artifact.kind}, not a teacher or model`);
    else if (!opener) report(path, `"${reference}" is a model; ${noOpener}`);
    return;
  }
  const writer = writers.get(reference);
  if (writer !== undefined) {
    report(path, `"${reference}" is written by stage "${recipe.stages[writer].id}" (stages[${writer}]), which does not run before stages[${index}]: a cycle`);
    return;
  }
  if (reference.startsWith('.') || reference.startsWith('/')) {
    const folder = resolve(recipeDirectory, reference);
    if (!existsSync(folder)) report(path, `model folder not found: ${folder}`);
    else if (!opener) report(path, noOpener);
    return;
  }
  if (/^[\w.-]+\/[\w.-]+$/.test(reference)) {
    if (!opener) report(path, `"${reference}" looks like a Hugging Face model id; ${noOpener}`);
    return;
  }
  const teachers = [...components.values()].filter((component) => component.entry.kind === 'teacher').map((component) => component.name);
  report(path, `unknown teacher "${reference}". Teachers under components: ${teachers.join(', ') || '(none)'}; or give a model folder (./path) or a Hub id`);
}

export { formatPath };

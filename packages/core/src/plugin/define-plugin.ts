import type { ComponentDefinition, PluginManifest } from './plugin-manifest';

/** Typed identity helper for a plugin's default export (Vite / ESLint style). */
export function definePlugin<const Manifest extends PluginManifest>(manifest: Manifest): Manifest {
  return manifest;
}

type Define<Kind extends ComponentDefinition['kind']> = <Options>(
  definition: Omit<ComponentDefinition<Kind, Options>, 'kind' | 'specificationVersion'>,
) => ComponentDefinition<Kind, Options>;

function defineKind<Kind extends ComponentDefinition['kind']>(kind: Kind): Define<Kind> {
  return (definition) => ({ ...definition, kind, specificationVersion: 'v1' });
}

export const defineTeacher = defineKind('teacher');
export const defineAgent = defineKind('agent');
export const defineSelector = defineKind('selector');
export const defineVerifier = defineKind('verifier');
export const defineTrainer = defineKind('trainer');
export const defineEvaluator = defineKind('evaluator');
export const definePublisher = defineKind('publisher');

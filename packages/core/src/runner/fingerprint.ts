import { statSync } from 'node:fs';
import type { ResolvedRecipe, ResolvedStage } from '../recipe/resolved-recipe';
import { hashJson } from '../util/canonical-json';

/** A stage's own seed, derived from the recipe seed and the stage id (stable across runs). */
export function stageSeed(recipeSeed: number, stageId: string): number {
  return Number.parseInt(hashJson({ recipeSeed, stageId }).slice(0, 8), 16) & 0x7fffffff;
}

function fileIdentity(path: string): unknown {
  try {
    const stat = statSync(path);
    return { path, size: stat.size, modified: stat.mtimeMs };
  } catch {
    return { path, missing: true };
  }
}

/**
 * Fingerprint of every stage: its component and plugin version, its validated options, its seed,
 * and the fingerprints of what it reads (an earlier stage's, or the identity of a recipe dataset
 * file) and of the teachers it names. A stage whose fingerprint changed is started over, and so is
 * everything downstream of it.
 */
export function stageFingerprints(recipe: ResolvedRecipe): Map<string, string> {
  const byOutput = new Map<string, string>();
  const fingerprints = new Map<string, string>();
  const upstream = (name: string): unknown => {
    if (byOutput.has(name)) return { stage: byOutput.get(name) };
    const dataset = recipe.datasets.get(name);
    if (dataset) return { dataset: fileIdentity(dataset.path), format: dataset.format };
    const component = recipe.recipe.components[name];
    if (component) return { component: component.use, options: component.options ?? {} };
    return { reference: name };
  };
  for (const stage of recipe.stages) {
    const fingerprint = hashJson({
      use: stage.entry.id,
      plugin: `${stage.entry.plugin.name}@${stage.entry.plugin.version}`,
      options: stage.options,
      seed: stageSeed(recipe.recipe.seed, stage.id),
      in: stage.in === undefined ? null : upstream(stage.in),
      out: stage.out ?? null,
      teachers: stage.teacherNeeds.map((need) => upstream(need.reference)),
    });
    fingerprints.set(stage.id, fingerprint);
    if (stage.out !== undefined) byOutput.set(stage.out, fingerprint);
  }
  return fingerprints;
}

/** Stages that produced the models a stage's teacher references name (for capability checks). */
export function producedBy(recipe: ResolvedRecipe): Map<string, ResolvedStage> {
  const map = new Map<string, ResolvedStage>();
  for (const stage of recipe.stages) if (stage.out !== undefined) map.set(stage.out, stage);
  return map;
}

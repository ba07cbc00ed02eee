import type { ResolvedRecipe } from '../recipe/resolved-recipe';

/**
 * A model card (Markdown with YAML front matter) for a model a recipe trained: what it was
 * distilled from, with which stages, and the evaluation tables of the run.
 */
export function createModelCard(recipe: ResolvedRecipe, modelName: string, evaluations: string[]): string {
  const stages = recipe.stages.map((stage) => `| ${stage.id} | \`${stage.entry.id}\` | ${stage.in ?? ''} | ${stage.out ?? ''} |`);
  const teachers = [...recipe.components.values()].filter((component) => component.entry.kind === 'teacher');
  const plugins = recipe.plugins.map((plugin) => `${plugin.manifest.name}@${plugin.manifest.version}`);
  return [
    '---',
    'library_name: transformers',
    'tags:',
    '  - easydistill',
    '  - distillation',
    '---',
    '',
    `# ${modelName}`,
    '',
    `Distilled with EasyDistill recipe \`${recipe.recipe.name}\` (recipe sha256 \`${recipe.hash.slice(0, 12)}\`).`,
    '',
    teachers.length > 0 ? `Teachers: ${teachers.map((teacher) => `\`${teacher.entry.id}\``).join(', ')}.` : '',
    '',
    '## Stages',
    '',
    '| stage | component | in | out |',
    '| --- | --- | --- | --- |',
    ...stages,
    '',
    ...(evaluations.length > 0 ? ['## Evaluation', '', ...evaluations, ''] : []),
    `Plugins: ${plugins.join(', ') || 'none'}.`,
    '',
  ].join('\n');
}

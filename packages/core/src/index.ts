import 'reflect-metadata';

export * from './spec/index';
export * from './errors/index';
export {
  PLUGIN_API_VERSION,
  SUPPORTED_API_VERSIONS,
  type ComponentDefinition,
  type CommandIoV1,
  type ExtensionPoint,
  type ExtensionPointInstances,
  type PluginCommandV1,
  type PluginManifest,
  type TeacherNeedV1,
} from './plugin/plugin-manifest';
export {
  definePlugin,
  defineTeacher,
  defineAgent,
  defineSelector,
  defineVerifier,
  defineTrainer,
  defineEvaluator,
  definePublisher,
} from './plugin/define-plugin';
export { AGENT, EVALUATOR, PUBLISHER, RUN_CONTEXT, SELECTOR, TEACHER, TRAINER, VERIFIER } from './di/tokens';
export { VERSION } from './version';
export { ComponentCatalog, type CatalogEntry } from './plugin/component-catalog';
export { loadPlugins, validateManifest, SUPPORTED_SPECIFICATION_VERSIONS, type LoadedPlugin, type LoadedPlugins, type LoadPluginsOptions } from './plugin/load-plugins';
export { discoverPlugins, type DiscoveredPlugin } from './plugin/discover-plugins';
export { loadRecipe, type LoadRecipeOptions } from './recipe/load-recipe';
export { recipeSchema, recipeJsonSchema, RECIPE_API_VERSION, type Recipe, type RecipeStage } from './recipe/recipe-schema';
export type { ResolvedRecipe, ResolvedStage, ResolvedComponent, ResolvedDataset } from './recipe/resolved-recipe';
export { runRecipe, exportDataset, type RunRecipeOptions, type RunSummary, type StageSummary } from './runner/run-recipe';
export { createRunContainer } from './di/create-run-container';
export { RequestCache } from './cache/request-cache';
export type { TeacherUsage } from './cache/usage-counter';
export { DATASET_FORMATS, formatRow, normaliseRow, promptText, rowToMessages, type DatasetFormat } from './dataset/dataset-format';
export { readDataset, countRows } from './dataset/read-dataset';
export { FileDataset } from './dataset/file-dataset';
export { ProgressReporter, type ProgressMode, type RunEvent } from './progress/progress-reporter';
export { writeFileAtomic, writeJsonAtomic } from './store/atomic-write';
export { AppendLog } from './store/append-log';
export { LogitsStoreReader, LogitsStoreWriter, logitsIndexPath } from './store/logits-store';
export { readRunFolder, renderRunReport, writeRunReportHtml, RUN_REPORT_FILE, type RunReportData, type StageReport, type EvaluationReport } from './report/index';

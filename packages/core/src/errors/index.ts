export { DistillError, type DistillErrorCode } from './distill-error';
export { PluginNotFoundError } from './plugin-not-found-error';
export { IncompatiblePluginError } from './incompatible-plugin-error';
export { InvalidRecipeError, type RecipeIssue } from './invalid-recipe-error';

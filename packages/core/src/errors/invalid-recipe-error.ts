import { DistillError } from './distill-error';

/** One problem in a recipe, located by its path (`stages[2].with.temperature`). */
export interface RecipeIssue {
  path: string;
  message: string;
}

/** A recipe failed validation. Carries every issue found, not only the first. */
export class InvalidRecipeError extends DistillError {
  readonly file: string;
  readonly issues: readonly RecipeIssue[];

  constructor(options: { file: string; issues: readonly RecipeIssue[]; cause?: unknown }) {
    const lines = options.issues.map((issue) => `  ${issue.path ? `${issue.path}: ` : ''}${issue.message}`);
    super({
      code: 'INVALID_RECIPE',
      message: `Invalid recipe ${options.file} (${options.issues.length} problem${options.issues.length === 1 ? '' : 's'}):\n${lines.join('\n')}`,
      cause: options.cause,
    });
    this.name = 'InvalidRecipeError';
    this.file = options.file;
    this.issues = options.issues;
  }
}

import { DistillError } from './distill-error';

/** A recipe names a component or plugin nobody installed. Lists what is known and how to install. */
export class PluginNotFoundError extends DistillError {
  readonly reference: string;
  readonly known: readonly string[];

  constructor(options: { reference: string; known: readonly string[]; path?: string; hint?: string; cause?: unknown; kind?: 'plugin' | 'component' }) {
    const where = options.path ? `${options.path}: ` : '';
    const known = options.known.length > 0 ? ` Known: ${options.known.join(', ')}.` : '';
    super({
      code: 'PLUGIN_NOT_FOUND',
      message: `${where}unknown ${options.kind ?? (options.reference.includes('/') && !options.reference.startsWith('@') ? 'component' : 'plugin')} "${options.reference}".${known}${options.hint ? ` ${options.hint}` : ''}`,
      cause: options.cause,
    });
    this.name = 'PluginNotFoundError';
    this.reference = options.reference;
    this.known = options.known;
  }
}

import { DistillError } from '../errors/distill-error';
import type { ComponentDefinition, ExtensionPoint, PluginManifest } from './plugin-manifest';

/** One component known to core, with the plugin that provides it. */
export interface CatalogEntry {
  /** Public id, `<namespace>/<id>`. */
  readonly id: string;
  readonly kind: ExtensionPoint;
  readonly definition: ComponentDefinition;
  readonly plugin: PluginManifest;
}

/** Component ids → definitions, filled by the plugin loader. Rejects duplicate ids. */
export class ComponentCatalog {
  private readonly entries = new Map<string, CatalogEntry>();

  add(plugin: PluginManifest, definition: ComponentDefinition): CatalogEntry {
    const id = `${plugin.namespace}/${definition.id}`;
    const existing = this.entries.get(id);
    if (existing) {
      throw new DistillError({
        code: 'INVALID_PLUGIN',
        message:
          `Component "${id}" is provided twice: by "${existing.plugin.name}@${existing.plugin.version}" and by "${plugin.name}@${plugin.version}". ` +
          'Remove one of the plugins from the recipe, or give one of them another namespace.',
      });
    }
    const entry: CatalogEntry = { id, kind: definition.kind, definition, plugin };
    this.entries.set(id, entry);
    return entry;
  }

  get(id: string): CatalogEntry | undefined {
    return this.entries.get(id);
  }

  /** All ids, sorted; used in "unknown component" messages. */
  ids(): string[] {
    return [...this.entries.keys()].sort();
  }

  list(): CatalogEntry[] {
    return [...this.entries.values()];
  }

  /** The first teacher that declares `opensModels` (opens model folders, Hub ids and trained models). */
  modelOpener(): CatalogEntry | undefined {
    return this.list().find((entry) => entry.kind === 'teacher' && entry.definition.opensModels === true);
  }
}

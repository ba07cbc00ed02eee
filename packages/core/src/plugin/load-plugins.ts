import { pathToFileURL } from 'node:url';
import { DistillError } from '../errors/distill-error';
import { IncompatiblePluginError } from '../errors/incompatible-plugin-error';
import { PluginNotFoundError } from '../errors/plugin-not-found-error';
import { ComponentCatalog } from './component-catalog';
import { pluginManifestSchema } from './manifest-schema';
import { SUPPORTED_API_VERSIONS, type PluginManifest } from './plugin-manifest';
import { coreDirectory, isLocalSpecifier, resolvePlugin } from './resolve-package';

/** Component specification versions this core can run. */
export const SUPPORTED_SPECIFICATION_VERSIONS: readonly string[] = ['v1'];

/** A plugin as loaded: its manifest and where it came from. */
export interface LoadedPlugin {
  /** As written in the recipe. */
  specifier: string;
  manifest: PluginManifest;
  /** The file imported. */
  entry: string;
}

export interface LoadPluginsOptions {
  /** Folder relative plugin paths resolve against, and the first place packages are looked up (the recipe's folder). */
  baseDirectory: string;
  /** More folders to look packages up from, after `baseDirectory` (default: cwd, then core's own location). */
  searchFrom?: readonly string[];
}

export interface LoadedPlugins {
  catalog: ComponentCatalog;
  plugins: LoadedPlugin[];
  /** `name@version` of every plugin, for provenance. */
  provenance: string[];
}

/** Imports a module and returns its plugin manifest (`default` export, validated). */
export async function importPlugin(specifier: string, entry: string, expectedName?: string): Promise<PluginManifest> {
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(entry).href)) as Record<string, unknown>;
  } catch (error) {
    throw new DistillError({
      code: 'INVALID_PLUGIN',
      message: `Plugin "${specifier}" failed to load from ${entry}: ${(error as Error).message}`,
      cause: error,
    });
  }
  return validateManifest(specifier, module.default, expectedName);
}

/**
 * Checks a plugin's default export: apiVersion first (a plugin for another API major may have
 * another shape), then the manifest shape, then each component's specification version.
 */
export function validateManifest(specifier: string, manifest: unknown, expectedName?: string): PluginManifest {
  if (typeof manifest !== 'object' || manifest === null) {
    throw new DistillError({
      code: 'INVALID_PLUGIN',
      message: `Plugin "${specifier}" has no manifest: its default export must be \`definePlugin({ name, version, apiVersion, namespace, provides })\`.`,
    });
  }
  const candidate = manifest as Partial<PluginManifest>;
  if (typeof candidate.apiVersion === 'number' && !SUPPORTED_API_VERSIONS.includes(candidate.apiVersion)) {
    throw new IncompatiblePluginError({
      pluginName: String(candidate.name ?? specifier),
      pluginVersion: String(candidate.version ?? '?'),
      apiVersion: candidate.apiVersion,
      supportedApiVersions: SUPPORTED_API_VERSIONS,
    });
  }
  const parsed = pluginManifestSchema.safeParse(manifest);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(manifest)'}: ${issue.message}`);
    throw new DistillError({
      code: 'INVALID_PLUGIN',
      message: `Plugin "${specifier}" has an invalid manifest:\n  ${problems.join('\n  ')}`,
    });
  }
  const valid = manifest as PluginManifest;
  if (expectedName !== undefined && valid.name !== expectedName) {
    throw new DistillError({
      code: 'INVALID_PLUGIN',
      message: `Plugin "${specifier}": manifest name "${valid.name}" differs from package.json name "${expectedName}". Take the name from package.json.`,
    });
  }
  for (const component of valid.provides) {
    if (!SUPPORTED_SPECIFICATION_VERSIONS.includes(component.specificationVersion)) {
      throw new DistillError({
        code: 'INCOMPATIBLE_PLUGIN',
        message:
          `Plugin "${valid.name}@${valid.version}": component "${valid.namespace}/${component.id}" implements ${component.kind} ` +
          `specification "${component.specificationVersion}"; this core runs [${SUPPORTED_SPECIFICATION_VERSIONS.join(', ')}]. Upgrade @easydistill/core.`,
      });
    }
  }
  return valid;
}

/**
 * Loads the plugins a recipe names, in order: resolve (local path or package name), import, check
 * the manifest and apiVersion, and add every component to a fresh catalog (duplicate ids fail).
 */
export async function loadPlugins(specifiers: readonly string[], options: LoadPluginsOptions): Promise<LoadedPlugins> {
  const searchFrom = [options.baseDirectory, ...(options.searchFrom ?? [process.cwd(), coreDirectory()])];
  const catalog = new ComponentCatalog();
  const plugins: LoadedPlugin[] = [];
  const seen = new Set<string>();
  for (const specifier of specifiers) {
    const resolved = resolvePlugin(specifier, options.baseDirectory, searchFrom);
    if (!resolved) {
      throw new PluginNotFoundError({
        reference: specifier,
        kind: 'plugin',
        known: [],
        hint: isLocalSpecifier(specifier)
          ? `No file or folder at that path (relative to ${options.baseDirectory}).`
          : `It is not installed where the recipe is (${options.baseDirectory}). Install it: npm install ${specifier}`,
      });
    }
    const manifest = await importPlugin(specifier, resolved.entry, isLocalSpecifier(specifier) ? undefined : resolved.packageJson?.name);
    if (seen.has(manifest.name)) continue;
    seen.add(manifest.name);
    for (const component of manifest.provides) catalog.add(manifest, component);
    plugins.push({ specifier, manifest, entry: resolved.entry });
  }
  return { catalog, plugins, provenance: plugins.map((plugin) => `${plugin.manifest.name}@${plugin.manifest.version}`) };
}

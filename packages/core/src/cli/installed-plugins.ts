import { discoverPlugins, type DiscoveredPlugin } from '../plugin/discover-plugins';
import { importPlugin } from '../plugin/load-plugins';
import type { PluginManifest } from '../plugin/plugin-manifest';

/** An installed plugin with its manifest, or the error that kept it from loading. */
export interface InstalledPlugin {
  package: DiscoveredPlugin;
  manifest?: PluginManifest;
  error?: string;
}

/** Discovers installed plugins (from `cwd` and core's location) and imports their manifests. */
export async function installedPlugins(cwd: string): Promise<InstalledPlugin[]> {
  const found = discoverPlugins(cwd);
  return Promise.all(
    found.map(async (plugin) => {
      try {
        return { package: plugin, manifest: await importPlugin(plugin.name, plugin.entry, plugin.name) };
      } catch (error) {
        return { package: plugin, error: (error as Error).message };
      }
    }),
  );
}

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { coreDirectory, packageEntry } from './resolve-package';

/** An installed package that declares itself an easydistill plugin. */
export interface DiscoveredPlugin {
  name: string;
  version: string;
  directory: string;
  entry: string;
}

function isPluginPackage(packageJson: { name?: string; keywords?: unknown }): boolean {
  const name = packageJson.name ?? '';
  if (name.startsWith('@easydistill/plugin-')) return true;
  return Array.isArray(packageJson.keywords) && packageJson.keywords.includes('easydistill-plugin');
}

function nodeModulesFolders(from: string): string[] {
  const folders: string[] = [];
  let directory = resolve(from);
  for (;;) {
    const candidate = join(directory, 'node_modules');
    if (existsSync(candidate)) folders.push(candidate);
    const parent = dirname(directory);
    if (parent === directory) return folders;
    directory = parent;
  }
}

/**
 * Installed plugins: packages in every `node_modules` from `from` (and from core's own location)
 * upwards with the keyword `easydistill-plugin`, or named `@easydistill/plugin-*`. The nearest
 * copy of a name wins.
 */
export function discoverPlugins(from: string = process.cwd()): DiscoveredPlugin[] {
  const found = new Map<string, DiscoveredPlugin>();
  const folders = [...nodeModulesFolders(from), ...nodeModulesFolders(coreDirectory())];
  for (const folder of folders) {
    let names: string[];
    try {
      names = readdirSync(folder);
    } catch {
      continue;
    }
    const packageFolders: string[] = [];
    for (const name of names) {
      if (name.startsWith('.')) continue;
      if (name.startsWith('@')) {
        try {
          for (const inner of readdirSync(join(folder, name))) packageFolders.push(join(folder, name, inner));
        } catch {
          // not a folder
        }
      } else packageFolders.push(join(folder, name));
    }
    for (const directory of packageFolders) {
      const path = join(directory, 'package.json');
      if (!existsSync(path)) continue;
      let packageJson: { name?: string; version?: string; keywords?: unknown };
      try {
        packageJson = JSON.parse(readFileSync(path, 'utf8'));
      } catch {
        continue;
      }
      if (!packageJson.name || found.has(packageJson.name) || !isPluginPackage(packageJson)) continue;
      found.set(packageJson.name, {
        name: packageJson.name,
        version: packageJson.version ?? '0.0.0',
        directory,
        entry: packageEntry(directory, packageJson as never),
      });
    }
  }
  return [...found.values()].sort((left, right) => left.name.localeCompare(right.name));
}

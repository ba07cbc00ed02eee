import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A package (or local plugin folder/file) found on disk. */
export interface ResolvedPackage {
  /** Folder holding package.json (undefined for a single-file local plugin). */
  directory?: string;
  /** package.json contents, when there is one. */
  packageJson?: { name?: string; version?: string; keywords?: string[]; exports?: unknown; main?: string; module?: string };
  /** The module file to import. */
  entry: string;
}

/** Folder of this package (core), used as the last place plugins are looked up from. */
export function coreDirectory(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(directory, 'package.json')) && dirname(directory) !== directory) directory = dirname(directory);
  return directory;
}

/**
 * Whether this process resolves workspace packages to their TypeScript source (vitest, or node
 * with `--conditions=@easydistill/source`). Then plugin entries use the same condition.
 */
export function usesSourceCondition(): boolean {
  if (process.env.VITEST) return true;
  const flags = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' ');
  return flags.includes('@easydistill/source');
}

function pickExport(target: unknown, conditions: string[]): string | undefined {
  if (typeof target === 'string') return target;
  if (Array.isArray(target)) {
    for (const item of target) {
      const picked = pickExport(item, conditions);
      if (picked) return picked;
    }
    return undefined;
  }
  if (typeof target === 'object' && target !== null) {
    for (const [key, value] of Object.entries(target)) {
      if (conditions.includes(key)) {
        const picked = pickExport(value, conditions);
        if (picked) return picked;
      }
    }
  }
  return undefined;
}

/** The file `import(packageDirectory)` would load, honouring `exports` with core's conditions. */
export function packageEntry(directory: string, packageJson: ResolvedPackage['packageJson'] = {}): string {
  const conditions = [...(usesSourceCondition() ? ['@easydistill/source'] : []), 'import', 'node', 'default'];
  const exportsField = packageJson.exports;
  let target: string | undefined;
  if (exportsField !== undefined) {
    const root =
      typeof exportsField === 'object' && exportsField !== null && !Array.isArray(exportsField) && Object.keys(exportsField).some((key) => key.startsWith('.'))
        ? (exportsField as Record<string, unknown>)['.']
        : exportsField;
    target = pickExport(root, conditions);
  }
  target ??= packageJson.module ?? packageJson.main ?? 'index.js';
  return resolve(directory, target);
}

function readPackageJson(directory: string): ResolvedPackage['packageJson'] | undefined {
  const path = join(directory, 'package.json');
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** Looks for `node_modules/<name>` in `from` and every parent folder. */
export function findPackageDirectory(name: string, from: string): string | undefined {
  let directory = resolve(from);
  for (;;) {
    const candidate = join(directory, 'node_modules', ...name.split('/'));
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    const parent = dirname(directory);
    if (parent === directory) return undefined;
    directory = parent;
  }
}

/** Whether a plugin specifier is a local path rather than a package name. */
export function isLocalSpecifier(specifier: string): boolean {
  return specifier.startsWith('.') || specifier.startsWith('/') || /^[A-Za-z]:[\\/]/.test(specifier) || specifier.startsWith('file:');
}

/**
 * Resolves a plugin specifier: a local path (against `baseDirectory`), or a package name looked up
 * from each of `searchFrom` in turn (recipe folder, cwd, core's own location).
 */
export function resolvePlugin(specifier: string, baseDirectory: string, searchFrom: readonly string[]): ResolvedPackage | undefined {
  if (isLocalSpecifier(specifier)) {
    const path = specifier.startsWith('file:') ? fileURLToPath(specifier) : resolve(baseDirectory, specifier);
    if (!existsSync(path)) return undefined;
    if (statSync(path).isDirectory()) {
      const packageJson = readPackageJson(path);
      return { directory: path, packageJson, entry: packageEntry(path, packageJson) };
    }
    return { entry: path };
  }
  for (const from of searchFrom) {
    const directory = findPackageDirectory(specifier, from);
    if (directory) {
      const packageJson = readPackageJson(directory);
      return { directory, packageJson, entry: packageEntry(directory, packageJson) };
    }
  }
  return undefined;
}

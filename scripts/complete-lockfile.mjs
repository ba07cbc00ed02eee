// Adds lock entries for platform-specific optional dependencies the registry could not resolve.
//
// npm 11's `npm ci` checks that every package named in an `optionalDependencies` map has an entry
// in package-lock.json, but `npm install` only writes entries for the packages the registry it
// reached could describe. The registry this project is developed against answers 404 for the
// foreign-platform builds of some packages (Rollup's native bindings for macOS, Windows, Android,
// ...), so their entries are missing and `npm ci` refuses the lock (npm/cli#4828). Each entry
// added here carries the `os`, `cpu` and `libc` read from the package name, so `npm ci` skips it on
// every platform it does not match and never downloads it; the entry for this platform is the
// one npm wrote itself. Run after `npm install`: `node scripts/complete-lockfile.mjs`.
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const packages = lock.packages;

const OS = { android: 'android', darwin: 'darwin', mac: 'darwin', freebsd: 'freebsd', openbsd: 'openbsd', netbsd: 'netbsd', linux: 'linux', win32: 'win32', win: 'win32', sunos: 'sunos', aix: 'aix', openharmony: 'openharmony' };
const CPU = { arm: 'arm', armv7l: 'arm', arm64: 'arm64', x64: 'x64', ia32: 'ia32', loong64: 'loong64', ppc64: 'ppc64', riscv64: 'riscv64', s390x: 's390x', mips64el: 'mips64el' };

/** Reads `{ os, cpu, libc }` from a platform package name such as `@rollup/rollup-linux-arm64-musl`. */
function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  for (let index = 0; index < parts.length - 1; index += 1) {
    const os = OS[parts[index]];
    const cpu = CPU[parts[index + 1]];
    if (os && cpu) {
      const rest = parts.slice(index + 2).join('-');
      const libc = os === 'linux' ? (rest.includes('musl') ? 'musl' : 'glibc') : undefined;
      return { os, cpu, libc };
    }
  }
  return undefined;
}

let added = 0;
const unknown = [];
for (const [path, entry] of Object.entries(packages)) {
  for (const [name, spec] of Object.entries(entry.optionalDependencies ?? {})) {
    // Resolve as Node does: the nearest node_modules up from the dependent package.
    const base = path === '' ? '' : `${path}/`;
    const candidates = [`${base}node_modules/${name}`];
    for (let at = path; at.includes('node_modules/'); ) {
      at = at.slice(0, at.lastIndexOf('node_modules/')).replace(/\/$/, '');
      candidates.push(`${at === '' ? '' : `${at}/`}node_modules/${name}`);
    }
    if (candidates.some((candidate) => packages[candidate])) continue;
    const platform = platformOf(name);
    if (!platform || !/^\d+\.\d+\.\d+/.test(spec)) {
      unknown.push(`${name}@${spec} (needed by ${path || 'the root'})`);
      continue;
    }
    const target = `node_modules/${name}`;
    packages[target] = {
      version: spec,
      ...(entry.dev ? { dev: true } : {}),
      optional: true,
      os: [platform.os],
      cpu: [platform.cpu],
      ...(platform.libc ? { libc: [platform.libc] } : {}),
    };
    added += 1;
  }
}
if (unknown.length > 0) {
  console.error(`complete-lockfile: cannot infer the platform of ${unknown.length} optional dependencies:\n  ${unknown.join('\n  ')}`);
  process.exit(1);
}
// npm orders entries with localeCompare('en'); keep its order so the diff is only the new entries.
lock.packages = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => a.localeCompare(b, 'en')));
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: added ${added} platform entries`);

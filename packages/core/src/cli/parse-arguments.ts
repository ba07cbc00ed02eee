import { DistillError } from '../errors/distill-error';

/** Parsed command line: positionals and `--flag value` / `--flag=value` / boolean flags. */
export interface ParsedArguments {
  positionals: string[];
  flags: Record<string, string | boolean>;
}

/**
 * Parses `argv` against the flags a command knows: `valued` flags take a value, `booleans` do not.
 * Unknown flags are a usage error naming the known ones.
 */
export function parseArguments(argv: readonly string[], spec: { valued?: string[]; booleans?: string[] }, command: string): ParsedArguments {
  const valued = new Set(spec.valued ?? []);
  const booleans = new Set([...(spec.booleans ?? []), 'help']);
  const positionals: string[] = [];
  const flags: Record<string, string | boolean> = {};
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index];
    if (argument === '--') {
      positionals.push(...argv.slice(index + 1));
      break;
    }
    if (argument === '-h') {
      flags.help = true;
      continue;
    }
    if (!argument.startsWith('--')) {
      positionals.push(argument);
      continue;
    }
    const [name, inline] = argument.slice(2).split(/=(.*)/s, 2);
    if (valued.has(name)) {
      const value = inline ?? argv[++index];
      if (value === undefined) throw new DistillError({ code: 'USAGE', message: `${command}: --${name} needs a value` });
      flags[name] = value;
    } else if (booleans.has(name)) {
      flags[name] = true;
    } else {
      const known = [...valued].map((flag) => `--${flag} <value>`).concat([...booleans].map((flag) => `--${flag}`));
      throw new DistillError({ code: 'USAGE', message: `${command}: unknown option --${name}. Known: ${known.join(', ')}` });
    }
  }
  return { positionals, flags };
}

import { MtBenchError } from '../errors';

/**
 * Python `str.format(**values)` for plain named fields: `{name}` is replaced by the value, `{{` and
 * `}}` are literal braces, and substituted values are never re-scanned. Conversions (`!r`) and
 * format specs (`:>10`) are not supported (the judge templates use neither); an unknown field
 * throws like Python's KeyError.
 */
export function pythonFormat(template: string, values: Readonly<Record<string, string>>): string {
  let result = '';
  let at = 0;
  while (at < template.length) {
    const character = template[at];
    if (character === '{') {
      if (template[at + 1] === '{') {
        result += '{';
        at += 2;
        continue;
      }
      const close = template.indexOf('}', at);
      if (close < 0) throw new MtBenchError('MTBENCH_BAD_TEMPLATE', `Single '{' encountered in format string at offset ${at}.`);
      const field = template.slice(at + 1, close);
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(field)) {
        throw new MtBenchError('MTBENCH_BAD_TEMPLATE', `Unsupported format field "{${field}}" at offset ${at}; only plain names are supported.`);
      }
      if (!Object.prototype.hasOwnProperty.call(values, field)) {
        throw new MtBenchError('MTBENCH_BAD_TEMPLATE', `The template needs a value for "{${field}}" (KeyError: '${field}').`);
      }
      result += values[field];
      at = close + 1;
    } else if (character === '}') {
      if (template[at + 1] !== '}') throw new MtBenchError('MTBENCH_BAD_TEMPLATE', `Single '}' encountered in format string at offset ${at}.`);
      result += '}';
      at += 2;
    } else {
      const next = template.slice(at).search(/[{}]/);
      const end = next < 0 ? template.length : at + next;
      result += template.slice(at, end);
      at = end;
    }
  }
  return result;
}

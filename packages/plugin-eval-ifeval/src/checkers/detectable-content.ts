import { pythonStrip, PY_S } from '../python/python-string';
import type { KwargsReader } from './kwargs';
import { compilePythonPattern } from './python-pattern';

type Check = (value: string) => boolean;

const PLACEHOLDER = /\[[^\n]*?\]/g;
/** Python's MULTILINE `$`: before a newline or at the end. */
const LINE_END = '(?=\\n|(?![\\s\\S]))';

/** `detectable_content:number_placeholders`: at least N `[...]` placeholders on one line each. */
export function numberOfPlaceholders(kwargs: KwargsReader): Check {
  const minimum = kwargs.integer('num_placeholders');
  return (value) => Array.from(value.matchAll(PLACEHOLDER)).length >= minimum;
}

/**
 * `detectable_content:postscript`: the lower-cased response contains the marker (`P.S.` or
 * `P.P.S`, with optional spaces between the letters) anywhere, not only at a line start.
 */
export function postscript(kwargs: KwargsReader): Check {
  const marker = pythonStrip(kwargs.string('postscript_marker'));
  let pattern: RegExp;
  if (marker === 'P.P.S') pattern = new RegExp(`${PY_S}*p\\.${PY_S}?p\\.${PY_S}?s[^\\n]*${LINE_END}`, 'u');
  else if (marker === 'P.S.') pattern = new RegExp(`${PY_S}*p\\.${PY_S}?s\\.[^\\n]*${LINE_END}`, 'u');
  else pattern = compilePythonPattern(`${PY_S}*${marker.toLowerCase()}[^\\n]*${LINE_END}`, 'u');
  return (value) => pattern.test(value.toLowerCase());
}

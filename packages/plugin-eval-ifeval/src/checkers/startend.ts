import { pythonLength, pythonStrip, pythonStripChars } from '../python/python-string';
import type { KwargsReader } from './kwargs';

type Check = (value: string) => boolean;

/** `startend:end_checker`: ends with `end_phrase` (case-insensitive), ignoring surrounding `"`. */
export function endChecker(kwargs: KwargsReader): Check {
  const endPhrase = pythonStrip(kwargs.string('end_phrase')).toLowerCase();
  return (value) => pythonStripChars(pythonStrip(value), '"').toLowerCase().endsWith(endPhrase);
}

/** `startend:quotation`: the stripped response starts and ends with an ASCII `"`. */
export function quotation(): Check {
  return (value) => {
    const stripped = pythonStrip(value);
    return pythonLength(stripped) > 1 && stripped.startsWith('"') && stripped.endsWith('"');
  };
}

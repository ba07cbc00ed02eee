import { pythonStrip } from '../python/python-string';
import type { KwargsReader } from './kwargs';

type Check = (value: string) => boolean;

/**
 * `combination:two_responses`: split on `******`; an empty part in the middle fails; exactly two
 * non-empty parts, different after stripping.
 */
export function twoResponses(): Check {
  return (value) => {
    const responses = value.split('******');
    const valid: string[] = [];
    for (const [index, response] of responses.entries()) {
      if (pythonStrip(response) === '') {
        if (index !== 0 && index !== responses.length - 1) return false;
      } else {
        valid.push(response);
      }
    }
    return valid.length === 2 && pythonStrip(valid[0]!) !== pythonStrip(valid[1]!);
  };
}

/** `combination:repeat_prompt`: the response starts with the prompt to repeat (case-insensitive). */
export function repeatPrompt(kwargs: KwargsReader): Check {
  const prompt = pythonStrip(kwargs.string('prompt_to_repeat')).toLowerCase();
  return (value) => pythonStrip(value).toLowerCase().startsWith(prompt);
}

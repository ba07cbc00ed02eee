/**
 * Final-answer extraction and equivalence for maths: `\boxed{…}` (nested braces), `#### x`,
 * "the answer is x", else the last number. Equivalence compares numbers (integers, decimals,
 * thousands separators, fractions `a/b` and `\frac{a}{b}`, percentages) numerically and anything
 * else as normalised LaTeX-free text.
 */
export function extractFinalAnswer(text: string): string | undefined {
  const boxed = lastBoxed(text);
  if (boxed !== undefined) return boxed.trim();
  const hashes = /####\s*([^\n]+)/.exec(text);
  if (hashes) return hashes[1]!.trim();
  const stated = [...text.matchAll(/(?:final answer|the answer)\s*(?:is|:)\s*:?\s*([^\n]+)/gi)].at(-1);
  if (stated) return stated[1]!.trim().replace(/[.。]\s*$/, '');
  const numbers = [...text.matchAll(/-?\d[\d,]*(?:\.\d+)?(?:\s*\/\s*\d+)?/g)].at(-1);
  return numbers ? numbers[0].trim() : undefined;
}

/** Content of the last `\boxed{…}` or `\fbox{…}`, braces balanced. */
export function lastBoxed(text: string): string | undefined {
  const start = Math.max(text.lastIndexOf('\\boxed'), text.lastIndexOf('\\fbox'));
  if (start < 0) return undefined;
  const open = text.indexOf('{', start);
  if (open < 0) return undefined;
  let depth = 0;
  for (let index = open; index < text.length; index++) {
    if (text[index] === '{') depth++;
    else if (text[index] === '}') {
      depth--;
      if (depth === 0) return text.slice(open + 1, index);
    }
  }
  return undefined;
}

/** Strips LaTeX wrappers and spacing so equal answers compare equal as text. */
export function normaliseAnswer(answer: string): string {
  let text = answer.trim();
  text = text.replace(/^\$+|\$+$/g, '').replace(/\\\(|\\\)|\\\[|\\\]/g, '');
  text = text.replace(/\\(?:text|mathrm|textbf|mathbf|operatorname)\{([^{}]*)\}/g, '$1');
  text = text.replace(/\\(?:left|right|displaystyle)\b/g, '');
  text = text.replace(/\\[dt]frac/g, '\\frac');
  text = text.replace(/\^\{?\\circ\}?|°/g, '');
  text = text.replace(/\\!|\\,|\\;|\\ /g, '');
  text = text.replace(/\s+/g, '').replace(/\.$/, '').toLowerCase();
  text = text.replace(/^(?:x|y|z|n|k|a|b|c|answer)=/, '');
  while (/^\{[^{}]*\}$/.test(text)) text = text.slice(1, -1);
  return text;
}

/** The value of a numeric answer, or undefined when it is not a plain number / fraction / percent. */
export function numericValue(answer: string): number | undefined {
  let text = normaliseAnswer(answer).replace(/\\%|%$/, '%');
  let scale = 1;
  if (text.endsWith('%')) {
    text = text.slice(0, -1);
    scale = 0.01;
  }
  const frac = /^(-?)\\frac\{?(-?[\d.]+)\}?\{?(-?[\d.]+)\}?$/.exec(text) ?? /^(-?)\\frac(\d)(\d)$/.exec(text);
  if (frac) {
    const value = Number(frac[2]) / Number(frac[3]);
    return Number.isFinite(value) ? (frac[1] === '-' ? -value : value) * scale : undefined;
  }
  const slash = /^(-?[\d.]+)\/(-?[\d.]+)$/.exec(text);
  if (slash) {
    const value = Number(slash[1]) / Number(slash[2]);
    return Number.isFinite(value) ? value * scale : undefined;
  }
  const plain = text.replace(/,(?=\d{3}(?:\D|$))/g, '');
  if (/^-?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/.test(plain)) return Number(plain) * scale;
  return undefined;
}

/** Whether two final answers are the same (numerically within `tolerance`, else as normalised text). */
export function answersEquivalent(left: string, right: string, tolerance = 1e-6): boolean {
  const a = numericValue(left);
  const b = numericValue(right);
  if (a !== undefined && b !== undefined) return Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(a), Math.abs(b));
  return normaliseAnswer(left) === normaliseAnswer(right);
}

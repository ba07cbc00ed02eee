/** Text inside the first `<tag>…</tag>` (trimmed), or undefined. Tolerates a missing closing tag at the very end. */
export function extractTag(text: string, tag: string): string | undefined {
  const escaped = escapeRegExp(tag);
  const closed = new RegExp(`<${escaped}(?:\\s[^>]*)?>([\\s\\S]*?)</${escaped}>`, 'i').exec(text);
  if (closed) return closed[1]!.trim();
  const open = new RegExp(`<${escaped}(?:\\s[^>]*)?>([\\s\\S]*)$`, 'i').exec(text);
  if (open && open[1]!.trim().length > 0 && !open[1]!.includes(`<${tag}`)) return open[1]!.trim();
  return undefined;
}

/** Every `<tag>…</tag>` body, in order (closed tags only). */
export function extractAllTags(text: string, tag: string): string[] {
  const escaped = escapeRegExp(tag);
  const pattern = new RegExp(`<${escaped}(?:\\s[^>]*)?>([\\s\\S]*?)</${escaped}>`, 'gi');
  return [...text.matchAll(pattern)].map((match) => match[1]!.trim());
}

/** First integer in `text` (optionally signed), or undefined. */
export function firstInteger(text: string): number | undefined {
  const match = /-?\d+/.exec(text);
  return match ? Number.parseInt(match[0], 10) : undefined;
}

/** Reads a boolean verdict word: true/yes/correct/pass/1 or false/no/incorrect/fail/0. */
export function parseBoolean(text: string): boolean | undefined {
  const word = text.trim().toLowerCase();
  if (/^(true|yes|correct|pass|passed|1)\b/.test(word)) return true;
  if (/^(false|no|incorrect|wrong|fail|failed|0)\b/.test(word)) return false;
  return undefined;
}

/** Shortens teacher text for a reason line or an annotation. */
export function clip(text: string, length = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= length ? flat : `${flat.slice(0, length)}…`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

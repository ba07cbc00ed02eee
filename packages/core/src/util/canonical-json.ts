import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every depth and `undefined` members dropped, so equal values
 * always give equal text (cache keys, recipe hashes, stage fingerprints).
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const member = (value as Record<string, unknown>)[key];
      if (member !== undefined && typeof member !== 'function') sorted[key] = sortKeys(member);
    }
    return sorted;
  }
  return value;
}

/** sha256 hex of the canonical JSON of `value`. */
export function hashJson(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

/** One inline secret found in a recipe. */
export interface InlineSecret {
  path: Array<string | number>;
  reason: string;
}

const SECRET_VALUE = /^(sk-[A-Za-z0-9_-]{12,}|sk_[A-Za-z0-9_]{12,}|hf_[A-Za-z0-9]{20,}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|xox[abpr]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{30,})$/;
const SECRET_KEY = /^(api[-_]?key|apikey|access[-_]?token|auth[-_]?token|hf[-_]?token|bearer[-_]?token|token|secret|client[-_]?secret|password|authorization)$/i;

/**
 * Finds values that look like secrets: a string that looks like an API key anywhere, or any
 * string held by an option named like `apiKey`/`token`/`password`. Recipes name environment
 * variables instead (`apiKeyEnv: OPENAI_API_KEY`).
 */
export function findSecrets(value: unknown, path: Array<string | number> = []): InlineSecret[] {
  const found: InlineSecret[] = [];
  if (typeof value === 'string') {
    if (SECRET_VALUE.test(value.trim())) found.push({ path, reason: 'looks like an API key' });
    return found;
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => found.push(...findSecrets(item, [...path, index])));
    return found;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, member] of Object.entries(value)) {
      if (typeof member === 'string' && member.length > 0 && SECRET_KEY.test(key)) {
        found.push({ path: [...path, key], reason: `option "${key}" holds a literal value` });
      } else found.push(...findSecrets(member, [...path, key]));
    }
  }
  return found;
}

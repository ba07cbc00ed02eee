/** Lower-case, Unicode-normalised (NFKC), punctuation removed, whitespace collapsed. */
export function normaliseText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\p{P}\p{S}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Words of the normalised text. */
export function words(text: string): string[] {
  const normalised = normaliseText(text);
  return normalised.length === 0 ? [] : normalised.split(' ');
}

/**
 * Splits `text` into one piece per token id for streaming and text offsets: piece i is what
 * decoding the first i+1 tokens adds to the text, held back while it ends in an incomplete UTF-8
 * character (U+FFFD), and never past `text` (a stop string cuts the text before the last tokens).
 * `pieces.join('') === text` always holds.
 */
export function streamDeltas(ids: readonly number[], text: string, decode: (ids: number[]) => string): string[] {
  const pieces: string[] = [];
  let emitted = 0;
  for (let index = 0; index < ids.length; index += 1) {
    let decoded = decode(ids.slice(0, index + 1));
    if (decoded.endsWith('\uFFFD') && index < ids.length - 1) decoded = decoded.slice(0, -1);
    let common = emitted;
    const limit = Math.min(decoded.length, text.length);
    while (common < limit && decoded[common] === text[common]) common += 1;
    // Only advance when the decoded prefix agrees with the text up to there.
    const agreed = decoded.slice(0, emitted) === text.slice(0, emitted) ? common : emitted;
    pieces.push(text.slice(emitted, agreed));
    emitted = agreed;
  }
  if (pieces.length > 0 && emitted < text.length) pieces[pieces.length - 1] += text.slice(emitted);
  return pieces;
}

/**
 * Compiles a pattern that the official code passes to Python's `re` (keywords, section splitters,
 * postscript markers). IFEval's data only has plain words there, for which Python and JavaScript
 * agree; a pattern JavaScript cannot compile is matched literally.
 */
export function compilePythonPattern(source: string, flags: string): RegExp {
  for (const candidate of [flags.includes('u') ? flags : `${flags}u`, flags.replace('u', '')]) {
    try {
      return new RegExp(source, candidate);
    } catch {
      // try the next flag set, then the literal fallback
    }
  }
  return new RegExp(source.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), flags);
}

import { readFileSync } from 'node:fs';
import { packageDataPath } from '../data/package-data-path';

/**
 * The learned parameters of a Punkt sentence tokenizer (NLTK `PunktParameters`).
 *
 * `orthoContext` maps a lower-cased type to its orthographic flags; a missing type is 0.
 * Collocations are stored as `"type1\ttype2"` strings.
 */
export interface PunktParameters {
  readonly abbreviationTypes: ReadonlySet<string>;
  readonly collocations: ReadonlySet<string>;
  readonly sentenceStarters: ReadonlySet<string>;
  readonly orthoContext: ReadonlyMap<string, number>;
}

let englishParameters: PunktParameters | undefined;

/**
 * NLTK's Punkt English model (`tokenizers/punkt/english.pickle`), read from the `punkt_tab` files
 * shipped in `data/punkt_english/` (MIT, NLTK data). Loaded once and cached.
 */
export function loadEnglishPunktParameters(): PunktParameters {
  englishParameters ??= readPunktParameters(packageDataPath('punkt_english'));
  return englishParameters;
}

/** Reads Punkt parameters from a folder in NLTK `punkt_tab` layout (the four files). */
export function readPunktParameters(directory: string): PunktParameters {
  const lines = (file: string): string[] =>
    readFileSync(`${directory}/${file}`, 'utf8')
      .split('\n')
      .map((line) => line.replace(/\r$/, ''))
      .filter((line) => line.length > 0);
  const orthoContext = new Map<string, number>();
  for (const line of lines('ortho_context.tab')) {
    const tab = line.lastIndexOf('\t');
    const flags = Number(line.slice(tab + 1));
    if (tab < 0 || !Number.isInteger(flags)) {
      throw new Error(`${directory}/ortho_context.tab: malformed line ${JSON.stringify(line)}; expected "type<TAB>flags".`);
    }
    orthoContext.set(line.slice(0, tab), flags);
  }
  return {
    abbreviationTypes: new Set(lines('abbrev_types.txt').map((line) => line.trim())),
    collocations: new Set(lines('collocations.tab').map((line) => line.trim())),
    sentenceStarters: new Set(lines('sent_starters.txt').map((line) => line.trim())),
    orthoContext,
  };
}

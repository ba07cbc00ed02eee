import { AlpacaEvalError } from '../errors';

/**
 * Parses a comma-separated file with a header row into records (RFC 4180 quoting). Used for the
 * small numeric CSVs of the AlpacaEval dataset; `source` names the file in error messages.
 */
export function parseCsv(text: string, source: string): Record<string, string>[] {
  const rows: string[][] = [];
  let field = '';
  let row: string[] = [];
  let quoted = false;
  for (let at = 0; at < text.length; at += 1) {
    const character = text[at];
    if (quoted) {
      if (character === '"' && text[at + 1] === '"') {
        field += '"';
        at += 1;
      } else if (character === '"') {
        quoted = false;
      } else {
        field += character;
      }
    } else if (character === '"') {
      quoted = true;
    } else if (character === ',') {
      row.push(field);
      field = '';
    } else if (character === '\n' || character === '\r') {
      if (character === '\r' && text[at + 1] === '\n') at += 1;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else {
      field += character;
    }
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  const [header, ...body] = rows.filter((cells) => !(cells.length === 1 && cells[0] === ''));
  if (!header) throw new AlpacaEvalError('ALPACA_BAD_DATA', `${source} is empty; expected a CSV with a header row.`);
  return body.map((cells, line) => {
    if (cells.length !== header.length) {
      throw new AlpacaEvalError(
        'ALPACA_BAD_DATA',
        `${source} line ${line + 2} has ${cells.length} fields but the header has ${header.length}; the file is damaged, download it again.`,
      );
    }
    return Object.fromEntries(header.map((name, k) => [name, cells[k]]));
  });
}

/**
 * Whether Python's `json.loads(text)` would succeed (default arguments, `strict=True`).
 *
 * Python's decoder differs from `JSON.parse` in what it accepts: the constants `NaN`, `Infinity`
 * and `-Infinity`, and nothing else beyond standard JSON. Whitespace around values is
 * `[ \t\n\r]`, control characters are rejected inside strings, and any top-level value is allowed.
 */
export function pythonJsonLoadsSucceeds(text: string): boolean {
  const parser = new JsonValidator(text);
  try {
    parser.skipWhitespace();
    parser.value(0);
    parser.skipWhitespace();
    return parser.position === text.length;
  } catch (error) {
    if (error instanceof InvalidJson) return false;
    throw error;
  }
}

class InvalidJson extends Error {}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?/y;
const MAX_DEPTH = 10_000;

class JsonValidator {
  position = 0;

  constructor(private readonly text: string) {}

  skipWhitespace(): void {
    while (this.position < this.text.length) {
      const character = this.text[this.position];
      if (character !== ' ' && character !== '\t' && character !== '\n' && character !== '\r') return;
      this.position += 1;
    }
  }

  value(depth: number): void {
    if (depth > MAX_DEPTH) throw new InvalidJson('too deep');
    const character = this.text[this.position];
    if (character === '{') return this.object(depth);
    if (character === '[') return this.array(depth);
    if (character === '"') return this.string();
    for (const literal of ['null', 'true', 'false', 'NaN', 'Infinity', '-Infinity']) {
      if (this.text.startsWith(literal, this.position)) {
        this.position += literal.length;
        return;
      }
    }
    NUMBER.lastIndex = this.position;
    const match = NUMBER.exec(this.text);
    if (match === null) throw new InvalidJson('expecting value');
    this.position += match[0].length;
  }

  private expect(character: string): void {
    if (this.text[this.position] !== character) throw new InvalidJson(`expecting ${character}`);
    this.position += 1;
  }

  private object(depth: number): void {
    this.position += 1;
    this.skipWhitespace();
    if (this.text[this.position] === '}') {
      this.position += 1;
      return;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.position] !== '"') throw new InvalidJson('expecting property name');
      this.string();
      this.skipWhitespace();
      this.expect(':');
      this.skipWhitespace();
      this.value(depth + 1);
      this.skipWhitespace();
      if (this.text[this.position] === '}') {
        this.position += 1;
        return;
      }
      this.expect(',');
    }
  }

  private array(depth: number): void {
    this.position += 1;
    this.skipWhitespace();
    if (this.text[this.position] === ']') {
      this.position += 1;
      return;
    }
    for (;;) {
      this.skipWhitespace();
      this.value(depth + 1);
      this.skipWhitespace();
      if (this.text[this.position] === ']') {
        this.position += 1;
        return;
      }
      this.expect(',');
    }
  }

  private string(): void {
    this.position += 1;
    for (;;) {
      if (this.position >= this.text.length) throw new InvalidJson('unterminated string');
      const code = this.text.charCodeAt(this.position);
      if (code === 0x22) {
        this.position += 1;
        return;
      }
      if (code < 0x20) throw new InvalidJson('invalid control character');
      if (code === 0x5c) {
        const escape = this.text[this.position + 1];
        if (escape === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.position + 2, this.position + 6))) {
            throw new InvalidJson('invalid \\uXXXX escape');
          }
          this.position += 6;
          continue;
        }
        if (escape === undefined || !'"\\/bfnrt'.includes(escape)) throw new InvalidJson('invalid escape');
        this.position += 2;
        continue;
      }
      this.position += 1;
    }
  }
}

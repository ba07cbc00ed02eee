/**
 * The synthetic skills task: small instructions whose answers a rule can check. Every skill has
 * several instruction phrasings, split into `train` phrasings (seed data) and `heldOut` phrasings
 * (evaluation only), and a function computing the one correct answer from the instruction's slots.
 *
 * Slots in a phrasing: `{a}`, `{b}`, `{n}` (non-negative integers) and `{w}` (a lowercase word).
 * Items are drawn small (single-digit operands, subtraction from at most 18, words from
 * {@link WORDS}) so that a tiny model can learn the task on a CPU; answers are checked for any values.
 */

/** Slot values of one item. */
export interface SkillArgs {
  a?: number;
  b?: number;
  n?: number;
  w?: string;
}

export interface SkillDefinition {
  /** Skill id (a table row): `add`, `reverse`, ... */
  id: string;
  /** Category, as IFEval-style reports group them. */
  category: 'arithmetic' | 'string' | 'counting' | 'format';
  /** Phrasings seen in seed data. */
  train: readonly string[];
  /** Phrasings kept out of the seed data, used to test generalisation. */
  heldOut: readonly string[];
  /** Draws slot values. */
  draw(random: () => number): SkillArgs;
  /** The correct answer. */
  answer(args: SkillArgs): string;
}

function integer(random: () => number, low: number, high: number): number {
  return low + Math.floor(random() * (high - low + 1));
}

/**
 * The words the string skills draw from: 60 common lowercase words of 2 to 7 letters. A closed
 * list keeps the task learnable by the quickstart's ~1M-parameter teacher in minutes on a CPU;
 * {@link parseInstruction} still accepts any lowercase word.
 */
export const WORDS: readonly string[] = [
  'at', 'go', 'in', 'ok', 'up', 'we',
  'cat', 'dog', 'sun', 'map', 'red', 'box', 'pen', 'cup', 'hat', 'key', 'sky', 'egg', 'ice', 'owl',
  'tree', 'book', 'fish', 'lamp', 'moon', 'star', 'rain', 'door', 'ship', 'milk', 'bird', 'rock',
  'apple', 'house', 'water', 'light', 'green', 'river', 'cloud', 'bread', 'chair', 'stone', 'tiger', 'piano',
  'garden', 'purple', 'winter', 'rabbit', 'silver', 'orange', 'pencil', 'summer',
  'kitchen', 'dolphin', 'rainbow', 'blanket', 'diamond', 'morning',
];

/** A word of {@link WORDS} with `minLength` to `maxLength` letters. */
export function drawWord(random: () => number, minLength = 3, maxLength = 5): string {
  const pool = WORDS.filter((word) => word.length >= minLength && word.length <= maxLength);
  return pool[integer(random, 0, pool.length - 1)]!;
}

export const SKILLS: readonly SkillDefinition[] = [
  {
    id: 'add',
    category: 'arithmetic',
    train: ['What is {a} plus {b}?', 'Add {a} and {b}.', 'Compute {a} + {b}.', 'What do you get when you add {b} to {a}?'],
    heldOut: ['Calculate the sum of {a} and {b}.', '{a} + {b} = ?'],
    draw: (random) => ({ a: integer(random, 0, 9), b: integer(random, 0, 9) }),
    answer: ({ a, b }) => String(a! + b!),
  },
  {
    id: 'subtract',
    category: 'arithmetic',
    train: ['What is {a} minus {b}?', 'Subtract {b} from {a}.', 'Compute {a} - {b}.', 'Take {b} away from {a}.'],
    heldOut: ['Calculate the difference {a} - {b}.', '{a} - {b} = ?'],
    draw: (random) => {
      const a = integer(random, 0, 18);
      return { a, b: integer(random, Math.max(0, a - 9), Math.min(a, 9)) };
    },
    answer: ({ a, b }) => String(a! - b!),
  },
  {
    id: 'reverse',
    category: 'string',
    train: ['Reverse the word "{w}".', 'Write "{w}" backwards.', 'Spell "{w}" in reverse order.', 'What is "{w}" reversed?'],
    heldOut: ['Give the letters of "{w}" from last to first.', 'Flip the word "{w}".'],
    draw: (random) => ({ w: drawWord(random) }),
    answer: ({ w }) => [...w!].reverse().join(''),
  },
  {
    id: 'uppercase',
    category: 'string',
    train: ['Write "{w}" in capital letters.', 'Convert "{w}" to uppercase.', 'Make "{w}" all caps.', 'Uppercase the word "{w}".'],
    heldOut: ['Rewrite "{w}" using only upper-case letters.', 'Shout the word "{w}".'],
    draw: (random) => ({ w: drawWord(random) }),
    answer: ({ w }) => w!.toUpperCase(),
  },
  {
    id: 'count',
    category: 'counting',
    train: ['How many letters are in "{w}"?', 'Count the letters in "{w}".', 'What is the length of the word "{w}"?', 'How long is "{w}" in letters?'],
    heldOut: ['Tell me the number of characters in "{w}".', 'Give the letter count of "{w}".'],
    draw: (random) => ({ w: drawWord(random, 2, 7) }),
    answer: ({ w }) => String(w!.length),
  },
  {
    id: 'repeat',
    category: 'format',
    train: ['Repeat "{w}" {n} times, separated by spaces.', 'Write the word "{w}" {n} times with spaces between.', 'Say "{w}" {n} times in a row, space-separated.'],
    heldOut: ['Output "{w}" exactly {n} times, one space apart.', 'Give me {n} copies of "{w}" separated by single spaces.'],
    draw: (random) => ({ w: drawWord(random, 2, 4), n: integer(random, 2, 4) }),
    answer: ({ w, n }) => Array.from({ length: n! }, () => w!).join(' '),
  },
  {
    id: 'json',
    category: 'format',
    train: ['Add {a} and {b}. Answer in JSON with the key "answer".', 'What is {a} plus {b}? Reply as JSON: {"answer": ...}.', 'Compute {a} + {b} and return a JSON object with an "answer" field.'],
    heldOut: ['Give the sum of {a} and {b} as a JSON object whose only key is "answer".', 'Format your reply as JSON {"answer": <number>}: {a} + {b}.'],
    draw: (random) => ({ a: integer(random, 0, 9), b: integer(random, 0, 9) }),
    answer: ({ a, b }) => `{"answer": ${a! + b!}}`,
  },
];

/** The skill with this id, or undefined. */
export function skillById(id: string): SkillDefinition | undefined {
  return SKILLS.find((skill) => skill.id === id);
}

/** Fills a phrasing's slots. */
export function renderPhrasing(phrasing: string, args: SkillArgs): string {
  return phrasing.replace(/\{(a|b|n|w)\}/g, (_, slot: keyof SkillArgs) => String(args[slot]));
}

import { describe, expect, it } from 'vitest';
import { parseRating } from './parse-rating';

describe('parseRating', () => {
  // Judge outputs and what FastChat's run_judge_single records for them.
  const table: Array<[string, number]> = [
    ['The answer is helpful and accurate. Rating: [[8]]', 8],
    ['Rating: [[10]]', 10],
    ['Rating: [[7.5]]', 7.5],
    ['Rating: [[6.]]', 6],
    ['[[3]] at first, then Rating: [[9]]', 3],
    ['Reference [1] is cited. Rating: [[4]]', 4],
    ['Rating: [5]', 5],
    ['See step [2] and step [3]. Overall rating: 6/10', 2],
    ['Rating: [[ 8 ]]', -1],
    ['Rating: 8/10', -1],
    ['Rating: [[eight]]', -1],
    ['$ERROR$', -1],
    ['', -1],
    ['Rating: [[0]]', 0],
    ['Rating: [[11]]', 11],
    ['Rating: [[00]]', 0],
    ['Rating: [[8.5.1]]', -1],
    ['Rating: [[8]', 8],
    ['Rating: [[-3]]', -1],
    ['Rating: [[07]]', -1],
    ['Rating: [[07.5]]', 7.5],
    ['Rating: [[٨]]', -1],
    ['[[5]]\n[[6]]', 5],
  ];
  it.each(table)('%j → %d', (judgment, expected) => {
    expect(parseRating(judgment)).toBe(expected);
  });
});

// bench/kd-quality's own parts that the benchmark's figures depend on: the rule writer answers the
// benchmark's expand and rewrite prompts in the formats synth/expand and synth/rewrite parse, with
// items of the seed's skill (rewrites keep the slot values), and the PNG writer emits a valid PNG.
import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseInstruction } from '@easydistill/plugin-skills';
// @ts-expect-error: a plain ES module without types
import { writeByRule } from '../../bench/kd-quality/rule-writer.plugin.mjs';
import { barChartPng, crc32 } from '../../bench/kd-quality/png.mts';

const prompts = new URL('../../bench/kd-quality/prompts/', import.meta.url).pathname;
const render = (file: string, slots: Record<string, string>) => Object.entries(slots).reduce((text, [key, value]) => text.replace(`{{${key}}}`, value), readFileSync(`${prompts}${file}`, 'utf8'));

describe('kd-quality rule writer', () => {
  it('expands a seed into n new, parsable instructions of the same skill', () => {
    const reply: string = writeByRule(render('expand.md', { n: '3', seed: 'Reverse the word "kavo".' }), 1);
    const items = [...reply.matchAll(/<instruction>([^<]+)<\/instruction>/g)].map((match) => match[1]!);
    expect(items).toHaveLength(3);
    for (const item of items) expect(parseInstruction(item)?.skill.id).toBe('reverse');
    expect(writeByRule(render('expand.md', { n: '3', seed: 'Reverse the word "kavo".' }), 1)).toBe(reply);
  });

  it('rewords an instruction into another phrasing with the same answer', () => {
    const reply: string = writeByRule(render('rewrite.md', { text: 'What is 12 plus 30?' }), 2);
    const rewritten = /<rewritten>([^<]+)<\/rewritten>/.exec(reply)?.[1];
    const parsed = parseInstruction(rewritten ?? '');
    expect(parsed?.expected).toBe('42');
    expect(parsed?.phrasing).not.toBe('What is {a} plus {b}?');
  });

  it('says so for a prompt it does not know', () => {
    expect(writeByRule('Write a poem.', 0)).not.toMatch(/<instruction>|<rewritten>/);
  });
});

describe('kd-quality PNG writer', () => {
  it('writes a PNG whose chunks carry valid CRCs and whose pixels inflate to width × height', () => {
    const png = barChartPng({ title: 'Accuracy (%)', yLabel: 'accuracy %', groups: ['a', 'b'], series: ['x', 'y'], values: [[10, 20], [30, Number.NaN]], errors: [[1, 2], [3, 0]] });
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    let offset = 8;
    const types: string[] = [];
    const data: Buffer[] = [];
    while (offset < png.length) {
      const length = png.readUInt32BE(offset);
      const type = png.subarray(offset + 4, offset + 8).toString('ascii');
      expect(png.readUInt32BE(offset + 8 + length)).toBe(crc32(png.subarray(offset + 4, offset + 8 + length)));
      types.push(type);
      if (type === 'IDAT') data.push(png.subarray(offset + 8, offset + 8 + length));
      offset += 12 + length;
    }
    expect(types).toEqual(['IHDR', 'IDAT', 'IEND']);
    const width = png.readUInt32BE(16);
    const height = png.readUInt32BE(20);
    const pixels = inflateSync(Buffer.concat(data));
    expect(pixels.length).toBe((width * 3 + 1) * height);
    // Not blank: the bars are drawn in colour.
    expect(pixels.some((value, index) => index % (width * 3 + 1) !== 0 && value !== 255)).toBe(true);
  });

  it('computes the standard CRC-32', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });
});

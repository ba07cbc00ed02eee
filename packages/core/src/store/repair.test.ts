import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cutTornTail, removeStaleTemporaryFiles } from './repair';

describe('cutTornTail', () => {
  it('cuts a file back to its last complete line, and leaves whole files alone', () => {
    const folder = mkdtempSync(join(tmpdir(), 'easydistill-repair-'));
    const torn = join(folder, 'torn.jsonl');
    writeFileSync(torn, '{"a":1}\n{"b":2}\n{"c":');
    cutTornTail(torn);
    expect(readFileSync(torn, 'utf8')).toBe('{"a":1}\n{"b":2}\n');
    cutTornTail(torn);
    expect(readFileSync(torn, 'utf8')).toBe('{"a":1}\n{"b":2}\n');
    const noNewline = join(folder, 'one.jsonl');
    writeFileSync(noNewline, '{"half":');
    cutTornTail(noNewline);
    expect(readFileSync(noNewline, 'utf8')).toBe('');
    const long = join(folder, 'long.jsonl');
    writeFileSync(long, `${'x'.repeat(100_000)}\n${'y'.repeat(70_000)}`);
    cutTornTail(long);
    expect(readFileSync(long, 'utf8')).toBe(`${'x'.repeat(100_000)}\n`);
    cutTornTail(join(folder, 'missing.jsonl'));
  });
});

describe('removeStaleTemporaryFiles', () => {
  it("removes temporary files of dead processes only", () => {
    const folder = mkdtempSync(join(tmpdir(), 'easydistill-repair-'));
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    const stale = join(folder, `state.json.${dead}.3.tmp`);
    const mine = join(folder, `state.json.${process.pid}.1.tmp`);
    const other = join(folder, 'notes.tmp');
    for (const path of [stale, mine, other]) writeFileSync(path, 'x');
    removeStaleTemporaryFiles(folder);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(mine)).toBe(true);
    expect(existsSync(other)).toBe(true);
  });
});

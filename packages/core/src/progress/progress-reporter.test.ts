import { describe, expect, it } from 'vitest';
import { ProgressReporter, type ProgressMode } from './progress-reporter';

/** A reporter on a fake clock, writing into a string. */
function reporter(mode: ProgressMode, plainIntervalMs?: number) {
  let now = 1_000_000;
  let text = '';
  const output = { write: (chunk: string) => ((text += chunk), true) } as unknown as NodeJS.WritableStream;
  const progress = new ProgressReporter({ mode, output, now: () => now, ...(plainIntervalMs ? { plainIntervalMs } : {}) });
  return { progress, tick: (ms: number) => (now += ms), text: () => text };
}

describe('ProgressReporter', () => {
  it('terminal: redraws one line with rows done, percentage, rate and ETA, and ends it with a newline', () => {
    const { progress, tick, text } = reporter('tty');
    const stage = progress.stage('answer');
    stage.start(100, 'rows');
    tick(2_000);
    stage.advance(20); // 10 rows/s, 80 left: ETA 8s
    expect(text()).toContain('\r\x1b[2K[answer] 20/100 rows (20%) 10 rows/s ETA 8s');
    tick(50);
    stage.advance(1); // within 100 ms of the last draw: not redrawn
    expect(text()).not.toContain('21/100');
    tick(60_000);
    stage.advance(9, { loss: 0.5 });
    expect(text()).toMatch(/\[answer\] 30\/100 rows \(30%\) 0\.48 rows\/s ETA 2m2\ds loss=0\.5000/);
    expect(text()).not.toContain('\n');
    stage.end();
    expect(text().endsWith('\n')).toBe(true);
    // A log line clears the open progress line first.
    const other = progress.stage('train');
    tick(1_000);
    other.start(10, 'steps');
    expect(text().endsWith('\r\x1b[2K[train] 0/10 steps (0%) 0.00 steps/s ETA ?')).toBe(true);
    progress.logger('train').info('checkpoint written');
    expect(text().endsWith('\r\x1b[2K[train] checkpoint written\n')).toBe(true);
  });

  it('not a terminal: plain lines, at most one per interval, and the final one', () => {
    const { progress, tick, text } = reporter('plain', 5_000);
    const stage = progress.stage('expand');
    stage.start(4, 'rows');
    for (let index = 0; index < 4; index += 1) {
      tick(1_000);
      stage.advance(1);
    }
    stage.end();
    const lines = text().trim().split('\n');
    expect(text()).not.toContain('\r');
    expect(lines).toEqual(['[expand] 0/4 rows (0%) 0.00 rows/s ETA ?', '[expand] 4/4 rows (100%) 1.00 rows/s']);
  });

  it('--json: NDJSON progress events with rate and ETA, and events for the run', () => {
    const { progress, tick, text } = reporter('json');
    progress.event({ type: 'stage-start', stage: 'kd' }, 'ignored in json mode');
    const stage = progress.stage('kd');
    stage.start(50, 'steps');
    tick(5_000);
    stage.advance(10, { loss: 2 });
    stage.end();
    const events = text().trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events[0]).toMatchObject({ type: 'stage-start', stage: 'kd' });
    expect(typeof events[0]!.time).toBe('string');
    const progressEvents = events.filter((event) => event.type === 'progress');
    expect(progressEvents.at(-2)).toMatchObject({ stage: 'kd', done: 10, total: 50, unit: 'steps', rate: 2, etaSeconds: 20, metrics: { loss: 2 } });
    expect(progressEvents.at(-1)).toMatchObject({ done: 10, total: 50 });
  });
});

import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { runServe } from './serve-command';
import type { RunningServer } from './start-server';

const fixture = fileURLToPath(new URL('../__fixtures__/tiny-llama', import.meta.url));

function io(env: Record<string, string> = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const text = { out: '', err: '' };
  stdout.on('data', (chunk) => (text.out += String(chunk)));
  stderr.on('data', (chunk) => (text.err += String(chunk)));
  return { io: { stdout, stderr, env, cwd: fileURLToPath(new URL('..', import.meta.url)) }, text };
}

describe('easydistill serve (command line)', () => {
  it('prints its usage, and refuses bad arguments with exit code 2 and the reason', async () => {
    const help = io();
    expect(await runServe(['--help'], help.io)).toBe(0);
    expect(help.text.out).toMatch(/--host <address> +interface to bind \(default 127\.0\.0\.1/);
    for (const [argv, reason] of [
      [[], /--model is required/],
      [['--model', fixture, '--port', 'eighty'], /--port: expected a non-negative integer, got "eighty"/],
      [['--model', fixture, '--api-key-env', 'SERVE_TEST_KEY'], /--api-key-env names "SERVE_TEST_KEY", which is not set/],
      [['--model', fixture, '--backend', 'cuda'], /--backend: expected tensorflow, webgpu, wasm or cpu/],
      [['--model', fixture, '--bogus'], /Unknown option '--bogus'/],
    ] as const) {
      const call = io();
      expect(await runServe([...argv], call.io)).toBe(2);
      expect(call.text.err).toMatch(reason);
    }
  });

  it('serves a folder on 127.0.0.1 with the key from --api-key-env, and stops on the signal', async () => {
    const stop = new AbortController();
    const call = io({ SERVE_TEST_KEY: 'sk-local-test' });
    let server: RunningServer | undefined;
    const exit = runServe(['--model', fixture, '--port', '0', '--backend', 'cpu', '--api-key-env', 'SERVE_TEST_KEY', '--body-limit', '2048'], call.io, {
      stopSignal: stop.signal,
      onListening: (running) => (server = running),
    });
    await expect.poll(() => server, { timeout: 60_000 }).toBeDefined();
    expect(server!.host).toBe('127.0.0.1');
    expect(call.text.out).toContain(`tiny-llama at ${server!.baseURL}`);
    await expect(new OpenAI({ baseURL: server!.baseURL, apiKey: 'wrong', maxRetries: 0 }).models.list()).rejects.toMatchObject({ status: 401 });
    const client = new OpenAI({ baseURL: server!.baseURL, apiKey: 'sk-local-test', maxRetries: 0 });
    const answer = await client.chat.completions.create({ model: 'tiny-llama', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 3, temperature: 0 });
    expect(answer.choices[0]!.finish_reason).toMatch(/stop|length/);
    await expect(client.chat.completions.create({ model: 'tiny-llama', messages: [{ role: 'user', content: 'x'.repeat(4096) }] })).rejects.toMatchObject({ status: 413 });
    stop.abort();
    expect(await exit).toBe(0);
    expect(call.text.err).toMatch(/stopped \(abort\); 1 answered/);
    expect(call.text.out + call.text.err).not.toContain('sk-local-test');
  });
});

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../packages/core/bin/easydistill.js', import.meta.url));

export interface ServeProcess {
  /** http://127.0.0.1:PORT (no /v1). */
  origin: string;
  pid: number;
  /** Output so far (stdout and stderr). */
  output(): string;
  /** True while the process runs. */
  alive(): boolean;
  /** SIGTERM, then waits for the exit; resolves with the exit code and the whole output. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>;
}

/**
 * Starts `easydistill serve` from the built CLI (packages/core/bin, plugins from their dist: run
 * `npx nx run-many -t build` first) as its own process, so its memory can be measured apart from
 * the clients'. Resolves once it prints the URL it listens on.
 */
export function startServeProcess(argv: string[], options: { cwd?: string } = {}): Promise<ServeProcess> {
  const { VITEST: _vitest, VITEST_POOL_ID: _pool, VITEST_WORKER_ID: _worker, NODE_OPTIONS: _options, ...env } = process.env;
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0', ...argv], { cwd: options.cwd ?? process.cwd(), env: { ...env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let exited = false;
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => {
      exited = true;
      resolve({ code, signal });
    }),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`easydistill serve did not start within 120 s:\n${output}`));
    }, 120_000);
    const onData = (chunk: Buffer) => {
      output += String(chunk);
      const match = /at (http:\/\/[^\s]+)\/v1 /.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({
          origin: match[1]!,
          pid: child.pid!,
          output: () => output,
          alive: () => !exited,
          stop: async () => {
            if (!exited) child.kill('SIGTERM');
            const result = await exit;
            return { ...result, output };
          },
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exit.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`easydistill serve exited (${code ?? signal}) before listening:\n${output}`));
    });
  });
}

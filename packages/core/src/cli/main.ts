#!/usr/bin/env node
import 'reflect-metadata';
import { runCli } from './run-cli';

// Entry of the `easydistill` binary. Ctrl-C stops taking new rows and commits what finished
// (the run resumes from there); a second Ctrl-C exits at once.
const controller = new AbortController();
let interrupts = 0;
// Only `run` takes over Ctrl-C; plugin commands (`serve`) keep the default behaviour.
if (process.argv[2] === 'run') {
  process.on('SIGINT', () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    process.stderr.write('\nStopping after the rows in flight (Ctrl-C again to exit now)…\n');
    controller.abort();
  });
}

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
  env: process.env,
  isTerminal: Boolean(process.stderr.isTTY),
  signal: controller.signal,
});
process.exitCode = code;

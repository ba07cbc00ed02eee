// Preloaded into the measured `easydistill` process (node --import): at exit, prints the process's
// own wall time since start and CPU time (user + system) as one JSON line on stderr.
import { performance } from 'node:perf_hooks';

process.on('exit', () => {
  const cpu = process.cpuUsage();
  process.stderr.write(`\n@@measure ${JSON.stringify({ wallMs: performance.now(), cpuMs: (cpu.user + cpu.system) / 1000 })}\n`);
});

/**
 * `node --require dist/bench/support/cpu-profile.preload.js`: profiles the whole process (like
 * --cpu-prof, which NODE_OPTIONS does not accept) and writes `<service>-<pid>.cpuprofile` into
 * BENCH_CPU_PROF_DIR when the process exits. Open it in Chrome DevTools or summarise it with
 * `node dist/bench/support/cpu-profile-summary.js FILE`. For the load benchmark (BENCH_LOAD_CPU_PROF).
 */
import { Session } from 'node:inspector';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const dir = process.env.BENCH_CPU_PROF_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  // An in-thread session dispatches synchronously: the profile can still be taken in 'exit'.
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: Number(process.env.BENCH_CPU_PROF_INTERVAL_US ?? 1000) });
  session.post('Profiler.start');
  process.once('exit', () => {
    session.post('Profiler.stop', (err, result) => {
      if (err) return;
      const name = basename(dirname(dirname(process.argv[1] ?? 'node')));
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${name}-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}

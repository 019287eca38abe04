/**
 * Preloaded (`node --require`) into every process a test starts: when the test process that
 * started it goes away (a killed or timed-out jest run), the child stops too instead of living on
 * as an orphan that holds Postgres connections and Docker containers for hours. It first asks
 * itself to stop (SIGTERM: a service releases what it holds), then exits for good.
 */
const parent = process.ppid;
const GRACE_MS = 10_000;

const watch = setInterval(() => {
  if (process.ppid === parent) return;
  clearInterval(watch);
  process.kill(process.pid, 'SIGTERM');
  setTimeout(() => process.exit(1), GRACE_MS).unref();
}, 1000);
watch.unref();

/**
 * `npm start`: every service as its own process, restarted with back-off if it dies. Without
 * LLM_BASE_URL the LLM simulator is started too and agent-execution points at it.
 * SIGINT/SIGTERM stop everything (services get SIGTERM and shut down cleanly).
 */
import { startStack } from './service-supervisor';

const log = (msg: string) => process.stdout.write(JSON.stringify({ time: new Date().toISOString(), level: 'info', service: 'supervisor', msg }) + '\n');
const stack = startStack({ env: process.env, log });
let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  log(`${signal}: stopping`);
  void stack.stop().then(() => process.exit(0));
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));

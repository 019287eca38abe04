/**
 * `npm start`: every service as its own process, restarted with back-off if it dies. Without
 * LLM_BASE_URL the LLM simulator is started too and agent-execution points at it.
 * SIGINT/SIGTERM stop everything (services get SIGTERM and shut down cleanly).
 */
import { startStack } from './service-supervisor';
import { stackPorts, takenPorts } from './stack-ports';

const log = (msg: string) => process.stdout.write(JSON.stringify({ time: new Date().toISOString(), level: 'info', service: 'supervisor', msg }) + '\n');

async function main() {
  const ports = stackPorts(process.env.SWE_SIM_BASE_PORT);
  // The simulator runs only without LLM_BASE_URL; a port already taken would make a service crash-loop
  // (or, worse, a client talk to another stack), so refuse and name it.
  const needed = process.env.LLM_BASE_URL ? Object.fromEntries(Object.entries(ports).filter(([name]) => name !== 'llm-simulator')) : ports;
  const taken = await takenPorts(needed, process.env.HOST);
  if (taken.length) {
    process.stderr.write(`npm start: ports already taken: ${taken.join(', ')}. Stop what listens there (another npm start or demo?), or set SWE_SIM_BASE_PORT to use ports from another base.\n`);
    process.exit(1);
  }
  const stack = startStack({ env: process.env, ports, log });
  log(`API and dashboard: http://127.0.0.1:${ports['project-management']}/`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
    void stack.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err) => {
  process.stderr.write(`npm start: ${(err as Error).message}\n`);
  process.exit(1);
});

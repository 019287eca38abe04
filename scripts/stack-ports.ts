import { createServer } from 'node:net';
import { SERVICES } from './service-supervisor';

/**
 * The ports `npm start` uses: 3000–3003 for the services and 8000 for the LLM simulator, or from
 * SWE_SIM_BASE_PORT on (base … base+3, the simulator base+4) to run beside another stack.
 */
export function stackPorts(basePort?: string): Record<string, number> {
  if (basePort === undefined || basePort === '') return { 'project-management': 3000, 'team-formation': 3001, 'agent-execution': 3002, 'sandbox-control': 3003, 'llm-simulator': 8000 };
  const base = Number(basePort);
  if (!Number.isInteger(base) || base < 1024 || base > 65530) throw new Error(`SWE_SIM_BASE_PORT must be a port from 1024 to 65530, not ${basePort}`);
  return Object.fromEntries([...SERVICES, 'llm-simulator'].map((name, i) => [name, base + i]));
}

/** Whether something already listens on host:port (binding it fails with EADDRINUSE). */
export function portTaken(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'EADDRINUSE' || err.code === 'EACCES'));
    server.listen(port, host, () => server.close(() => resolve(false)));
  });
}

/** The ports of `ports` already taken, as "name: port" (empty when all are free). */
export async function takenPorts(ports: Record<string, number>, host?: string): Promise<string[]> {
  const taken = await Promise.all(Object.entries(ports).map(async ([name, port]) => ((await portTaken(port, host)) ? `${name}: ${port}` : null)));
  return taken.filter((t): t is string => t !== null);
}

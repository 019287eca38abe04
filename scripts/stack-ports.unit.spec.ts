import { createServer } from 'node:net';
import { stackPorts, takenPorts } from './stack-ports';

describe('npm start ports', () => {
  it('defaults to 3000–3003 and 8000, or counts up from SWE_SIM_BASE_PORT', () => {
    expect(stackPorts(undefined)).toEqual({ 'project-management': 3000, 'team-formation': 3001, 'agent-execution': 3002, 'sandbox-control': 3003, 'llm-simulator': 8000 });
    expect(stackPorts('4100')).toEqual({ 'project-management': 4100, 'team-formation': 4101, 'agent-execution': 4102, 'sandbox-control': 4103, 'llm-simulator': 4104 });
    expect(() => stackPorts('80')).toThrow(/SWE_SIM_BASE_PORT/);
    expect(() => stackPorts('abc')).toThrow(/SWE_SIM_BASE_PORT/);
  });

  it('names the ports something already listens on', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const busy = (server.address() as { port: number }).port;
    try {
      const free = await new Promise<number>((r) => {
        const s = createServer().listen(0, '127.0.0.1', () => {
          const p = (s.address() as { port: number }).port;
          s.close(() => r(p));
        });
      });
      expect(await takenPorts({ 'project-management': busy, 'team-formation': free })).toEqual([`project-management: ${busy}`]);
    } finally {
      server.close();
    }
  });
});

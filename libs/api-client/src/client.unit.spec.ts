import { createServer, Server } from 'node:http';
import { ApiError, SweSimClient, UnreachableError } from './client';

/** A real HTTP server answering from a table, to check what the client makes of each answer. */
describe('SweSimClient against an HTTP server', () => {
  let server: Server;
  let url: string;
  const seen: { path: string; auth?: string; body?: string }[] = [];
  let notFoundFor = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ path: req.url!, auth: req.headers.authorization, body: body || undefined });
        const json = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
        if (req.url === '/simulations/late') return notFoundFor-- > 0 ? json(404, { error: { code: 'SIMULATION_NOT_FOUND', message: 'not yet' } }) : json(200, { simulationId: 'late' });
        if (req.url === '/projects/x/simulations') return json(409, { error: { code: 'BACKLOG_NOT_READY', message: 'wait', field: 'backlog' } });
        if (req.url?.startsWith('/proxy')) return res.writeHead(502).end('<html>bad gateway</html>');
        if (req.url?.startsWith('/simulations/s/events/stream')) {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write('id: c1\nevent: A\ndata: {"type":"A","position":1}\n\n');
          setTimeout(() => res.end('id: c2\nevent: B\ndata: {"type":"B",\ndata: "position":2}\n\n'), 20);
          return;
        }
        if (req.url?.startsWith('/simulations/s/export')) return res.writeHead(200).end('{"a":1}\n{"a":2}\n');
        json(200, { items: [], nextCursor: null });
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it('sends the key read at each request and the query without empty values', async () => {
    let key: string | undefined;
    const client = new SweSimClient({ baseUrl: `${url}/`, apiKey: () => key });
    await client.listSimulations({ projectId: undefined, limit: 5 });
    key = 'sws_1';
    await client.listProjects();
    expect(seen.slice(-2)).toEqual([{ path: '/simulations?limit=5' }, { path: '/projects', auth: 'Bearer sws_1' }]);
  });

  it('turns error bodies into ApiErrors, and no answer into an UnreachableError', async () => {
    const client = new SweSimClient({ baseUrl: url });
    await expect(client.startSimulation('x', { seed: 1 })).rejects.toMatchObject({ status: 409, code: 'BACKLOG_NOT_READY', field: 'backlog' });
    const proxy = await client.request('GET', '/proxy').catch((e) => e);
    expect(proxy).toBeInstanceOf(ApiError);
    expect(proxy).toMatchObject({ status: 502, code: 'HTTP_502', message: '<html>bad gateway</html>' });
    await expect(new SweSimClient({ baseUrl: 'http://127.0.0.1:1' }).listProjects()).rejects.toBeInstanceOf(UnreachableError);
  });

  it('waits while a simulation is not yet known (404), then answers', async () => {
    notFoundFor = 2;
    expect(await new SweSimClient({ baseUrl: url }).waitForSimulation('late', 5000)).toEqual({ simulationId: 'late' });
    expect(notFoundFor).toBe(-1);
  });

  it('reads the event stream and the export as they arrive', async () => {
    const client = new SweSimClient({ baseUrl: url });
    const got = [];
    for await (const e of client.stream('s')) got.push(e);
    expect(got).toEqual([{ type: 'A', position: 1, cursor: 'c1' }, { type: 'B', position: 2, cursor: 'c2' }]);
    const lines = [];
    for await (const l of client.exportLines('s', { format: 'events' })) lines.push(l);
    expect(lines).toEqual(['{"a":1}', '{"a":2}']);
  });
});

import { createTestDatabase, freePort, RunningProcess, RunningService, startProcess, startService, TestDatabase, eventually } from '@swe-sim/testing';

/** agent-execution as a process with its LLM gateway pointed at the simulator, itself a process. */
describe('agent-execution LLM gateway against the simulator process', () => {
  let db: TestDatabase;
  let sim: RunningProcess;
  let simUrl: string;
  let ae: RunningService;

  beforeAll(async () => {
    db = await createTestDatabase();
    const port = await freePort();
    sim = startProcess('apps/llm-simulator/src/main.js', { LLM_SIM_PORT: String(port), LLM_MODEL: 'e2e-model', LLM_SIM_TIME_SCALE: '0.01' });
    simUrl = `http://127.0.0.1:${port}`;
    await eventually(() => fetch(`${simUrl}/health`).then((r) => r.ok), 15_000, `llm-simulator healthy:\n${sim.output()}`);
    ae = await startService('agent-execution', { DATABASE_URL: db.url, LLM_BASE_URL: `${simUrl}/v1`, LLM_MODEL: 'e2e-model', LLM_MAX_IN_FLIGHT: '32' });
  });
  afterAll(async () => {
    await Promise.all([ae?.kill(), sim?.kill()]);
    await db?.drop();
  });

  it('the simulator runs as a process and serves the model agent-execution is configured with', async () => {
    const models = (await (await fetch(`${simUrl}/v1/models`)).json()) as { data: Array<{ id: string }> };
    expect(models.data.map((m) => m.id)).toEqual(['e2e-model']);
  });

  it('GET /metrics answers the gateway metrics in Prometheus text', async () => {
    const res = await fetch(`${ae.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text = await res.text();
    expect(text).toContain('# TYPE llm_gateway_in_flight gauge');
    expect(text).toContain('llm_gateway_in_flight{backend="default"} 0');
    expect(text).toContain('llm_gateway_max_in_flight{backend="default"} 32');
    expect(text).toContain('# TYPE llm_gateway_request_latency_seconds histogram');
  });

  it('a bad LLM_BACKENDS makes the process exit non-zero with a message naming the variable', async () => {
    const p = startProcess('apps/agent-execution/src/main.js', {
      DATABASE_URL: db.url,
      PORT: String(await freePort()),
      LLM_BASE_URL: '',
      LLM_BACKENDS: '[{"name":"gpu-1","baseUrl":"not a url"}]',
    });
    const code = await p.exited;
    expect(code).not.toBe(0);
    expect(p.output()).toContain('LLM_BACKENDS: must be a JSON array of backends');
    expect(p.output()).toMatch(/\[0\.baseUrl\] Invalid url; \[0\.models\] Required/);
    expect(p.output()).not.toContain('LLM_BASE_URL:');
  });

  it('no LLM configured at all is refused at start-up, naming the variables', async () => {
    const env: Record<string, string> = { DATABASE_URL: db.url, PORT: String(await freePort()), LLM_BASE_URL: '', LLM_BACKENDS: '', LLM_MODEL: '' };
    const p = startProcess('apps/agent-execution/src/main.js', env);
    expect(await p.exited).not.toBe(0);
    expect(p.output()).toContain('LLM_BASE_URL (with LLM_MODEL) or LLM_BACKENDS must be set');
  });

  it('LLM_BASE_URL without LLM_MODEL is refused at start-up', async () => {
    const p = startProcess('apps/agent-execution/src/main.js', { DATABASE_URL: db.url, PORT: String(await freePort()), LLM_BASE_URL: `${simUrl}/v1`, LLM_MODEL: '' });
    expect(await p.exited).not.toBe(0);
    expect(p.output()).toContain('LLM_MODEL is required with LLM_BASE_URL');
  });
});

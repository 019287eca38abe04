import { RunningService, eventually, startService } from '@swe-sim/testing';
import { SimulationStack, startSimulationStack, twoModuleProject } from '../support/simulation-stack';

/**
 * A project created without a backlog: project-management asks the product-manager agent
 * (agent-execution, a process) through the event store; the LLM simulator plays the agent. The
 * request is durable: it waits for agent-execution to come up. A project whose backlog is not
 * ready (pending, or failed because the agent's answer broke the rules) cannot run simulations.
 */
describe('backlog decomposed by the product-manager agent', () => {
  let stack: SimulationStack;
  let ae: RunningService | undefined;

  beforeAll(async () => {
    stack = await startSimulationStack('product-manager.json', { services: ['project-management', 'team-formation'], env: { LLM_MAX_ATTEMPTS: '1' } });
  });
  afterAll(async () => {
    await ae?.kill();
    await stack?.stop();
  });

  const withoutBacklog = (name: string) => {
    const { backlog: _backlog, ...body } = twoModuleProject();
    return { ...body, name };
  };
  const getProject = async (id: string) => (await fetch(`${stack.pm.url}/projects/${id}`)).json() as Promise<any>;
  const streamEvents = async (streamId: string) =>
    (await stack.db.pool.query('SELECT type, data FROM events WHERE stream_id = $1 ORDER BY stream_version', [streamId])).rows;

  let good: string;
  let broken: string;

  it('records a pending backlog and refuses simulations (409) until the product manager has answered', async () => {
    const created = await stack.post('/projects', withoutBacklog('pm-good'));
    expect(created).toMatchObject({ status: 201, body: { backlogStatus: 'pending' } });
    good = created.body.projectId;
    broken = (await stack.post('/projects', withoutBacklog('pm-broken'))).body.projectId;

    const project = await eventually(async () => (await getProject(good)).backlogSource && getProject(good), 10_000, 'project projected');
    expect(project).toMatchObject({ backlogSource: 'decomposition', backlogStatus: 'pending', backlog: [] });
    // agent-execution is not running yet: the request waits in the store.
    const refused = await stack.post(`/projects/${good}/simulations`, {});
    expect(refused).toMatchObject({ status: 409, body: { error: { code: 'PROJECT_BACKLOG_PENDING', details: { backlogStatus: 'pending' } } } });
    const [created1] = await streamEvents(`project-${good}`);
    expect(created1).toMatchObject({ type: 'ProjectCreated', data: { backlogSource: 'decomposition', backlog: [] } });
  });

  it('gets its backlog from the product manager once agent-execution runs, and a simulation then starts with it', async () => {
    ae = await startService('agent-execution', stack.env);
    const project = await eventually(async () => {
      const p = await getProject(good);
      return p.backlogStatus !== 'pending' && p;
    }, 20_000, 'backlog decomposed');
    expect(project.backlogStatus).toBe('ready');
    expect(project.backlog.map((b: any) => [b.featureId, b.tests])).toEqual([
      ['slugify', ['tests/test_slugify.py']],
      ['word-count', ['tests/test_count.py']],
    ]);
    expect(project.backlog[1].skills).toEqual(['python', 'testing']);
    // team-formation assessed the project again with its features (created without any).
    const reassessed = await eventually(async () => {
      const p = await getProject(good);
      return p.requiredSkills?.some((s: any) => s.reason.includes('feature word-count needs it')) && p;
    }, 10_000, 'staffing reassessed');
    expect(reassessed.requiredSkills.find((s: any) => s.skill === 'python').reason).toMatch(/feature slugify needs it; feature word-count needs it$/);
    expect((await streamEvents(`staffing-${good}`)).map((e) => e.type)).toEqual(['ProjectStaffingAssessed', 'ProjectStaffingAssessed']);

    expect(await streamEvents(`backlog-${good}`)).toEqual([
      { type: 'BacklogDecomposed', data: expect.objectContaining({ projectId: good, llm: { agentId: 'product-manager', seq: 0 } }) },
    ]);
    // The call is recorded like every other (replay needs no LLM): requested, then completed.
    const llm = await streamEvents(`llm-${good}-product-manager`);
    expect(llm.map((e) => e.type)).toEqual(['LlmCallRequested', 'LlmCallCompleted']);

    const started = await stack.post(`/projects/${good}/simulations`, { seed: 3 });
    expect(started.status).toBe(201);
    // Admitted through the run queue: recorded a moment after the answer.
    const [simStarted] = await eventually(async () => {
      const events = await streamEvents(`simulation-${started.body.simulationId}`);
      return events.length ? events : undefined;
    }, 10_000, 'simulation started');
    expect(simStarted.type).toBe('SimulationStarted');
    expect(simStarted.data.project.backlog).toEqual(project.backlog);
  });

  it('ends in BacklogDecompositionFailed when the answer breaks the rules even after the repair, and refuses simulations (409)', async () => {
    const project = await eventually(async () => {
      const p = await getProject(broken);
      return p.backlogStatus !== 'pending' && p;
    }, 20_000, 'decomposition outcome');
    expect(project).toMatchObject({ backlogStatus: 'failed', backlog: [], backlogFailure: { code: 'LLM_OUTPUT_INVALID' } });
    expect(project.backlogFailure.reason).toContain('"tests/test_missing.py", which is not an acceptance test file');

    const outcome = await streamEvents(`backlog-${broken}`);
    expect(outcome).toEqual([{ type: 'BacklogDecompositionFailed', data: expect.objectContaining({ code: 'LLM_OUTPUT_INVALID', llm: { agentId: 'product-manager', seq: 0 } }) }]);
    const llm = await streamEvents(`llm-${broken}-product-manager`);
    expect(llm.map((e) => e.type)).toEqual(['LlmCallRequested', 'LlmCallFailed']);
    // The first answer and the gateway's one repair both broke the rules.
    expect(llm[1].data).toMatchObject({ attempts: 2, error: { code: 'LLM_OUTPUT_INVALID', message: expect.stringContaining('after one repair attempt') } });

    const refused = await stack.post(`/projects/${broken}/simulations`, {});
    expect(refused).toMatchObject({ status: 409, body: { error: { code: 'PROJECT_BACKLOG_FAILED', details: { backlogStatus: 'failed' } } } });
    expect(refused.body.error.message).toContain('tests/test_missing.py');
    // The request was answered (a recorded outcome, not an RPC error).
    const replies = await stack.db.pool.query(`SELECT data FROM events WHERE type = 'RpcReplied' AND data->>'pattern' = 'BacklogDecompositionRequested'`);
    expect(replies.rows.map((r) => r.data.ok)).toEqual([true, true]);
  });

  it('refuses an empty backlog (a missing one asks the product manager; an empty one is a mistake)', async () => {
    const res = await stack.post('/projects', { ...withoutBacklog('empty'), backlog: [] });
    expect(res.status).toBe(400);
  });
});

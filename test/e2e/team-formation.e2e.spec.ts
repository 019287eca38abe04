import { randomUUID } from 'node:crypto';
import { createEventRegistry, DEFAULT_ROSTER, EventData, formationStream, SimulationStarted, simulationStream, TEAM_EVENTS } from '@swe-sim/contracts';
import { EventStore } from '@swe-sim/event-store';
import { aProjectCreated, createTestDatabase, eventually, RunningService, startService, TestDatabase } from '@swe-sim/testing';

/** A SimulationStarted as project-management records it: the project's snapshot and the resolved config. */
function aSimulationStarted(config: Partial<EventData<typeof SimulationStarted>['config']> = {}): EventData<typeof SimulationStarted> {
  const { goals: _goals, backlogSource: _backlogSource, ...project } = aProjectCreated({
    backlog: [
      ...aProjectCreated().backlog,
      { featureId: 'lru', title: 'LRU', description: 'an LRU cache', acceptanceCriteria: ['evicts'], tests: ['tests/test_lru.py'], skills: ['algorithms'] },
      { featureId: 'store', title: 'Store', description: 'persist', acceptanceCriteria: ['keeps'], tests: ['tests/test_store.py'], skills: ['databases'] },
    ],
  });
  return {
    simulationId: randomUUID(),
    project: { ...project, acceptance: { ...project.acceptance, files: project.acceptance.files.map((f) => ({ ...f, hash: 'b'.repeat(64) })) } },
    config: {
      seed: 42,
      teams: 2,
      teamSize: 3,
      roster: [...DEFAULT_ROSTER],
      models: { default: { model: 'sim' }, byRole: {} },
      sprints: { max: 3, capacityPointsPerMember: 8 },
      process: { pairing: true, review: true, swapEveryTurns: 3, pokerDivergenceRatio: 2, pokerMaxRounds: 2 },
      budgets: { maxTurnsPerTask: 20, maxTokens: 100_000, maxWallTimeMs: 600_000 },
      ...config,
    },
  };
}

describe('team-formation forms teams when a simulation starts', () => {
  let db: TestDatabase;
  let store: EventStore;
  let tf: RunningService;
  const env = () => ({ DATABASE_URL: db.url, SUBSCRIPTION_POLL_MS: '5000' });

  beforeAll(async () => {
    db = await createTestDatabase();
    store = new EventStore(db.pool, { registry: createEventRegistry() });
    tf = await startService('team-formation', env());
  });
  afterAll(async () => {
    await tf?.kill();
    await db?.drop();
  });

  const start = async (data: EventData<typeof SimulationStarted>) =>
    store.append(simulationStream(data.simulationId), [{ type: SimulationStarted.type, data }], {
      expectedVersion: 'no_stream',
      metadata: { simulationId: data.simulationId },
    });
  const formation = async (simulationId: string) => store.readStream(formationStream(simulationId));

  it('appends TeamFormed…, PairFormed… and TeamFormationCompleted once, with reasons, and projects the teams', async () => {
    const started = aSimulationStarted();
    await start(started);
    const events = await eventually(async () => {
      const es = await formation(started.simulationId);
      return es.some((e) => e.type === 'TeamFormationCompleted') && es;
    }, 10_000, 'TeamFormationCompleted');
    expect(events.map((e) => e.type)).toEqual(['TeamFormed', 'TeamFormed', 'PairFormed', 'PairFormed', 'TeamFormationCompleted']);
    expect(new Set(events.map((e) => e.transactionId)).size).toBe(1); // one append
    expect(events[0].metadata).toMatchObject({ actor: 'team-formation', simulationId: started.simulationId });
    const teams = events.filter((e) => e.type === 'TeamFormed').map((e) => e.data as any);
    for (const team of teams) {
      expect(team.members).toHaveLength(3);
      for (const m of team.members) expect(m.reason).toMatch(/needed by|needed skills|balance capacity|none of the skills/);
      for (const f of team.features) expect(f.reason).toBeTruthy();
    }
    expect(teams.flatMap((t) => t.features.map((f: { featureId: string }) => f.featureId)).sort()).toEqual(['lru', 'slugify', 'store', 'word-count']);
    for (const pair of events.filter((e) => e.type === 'PairFormed')) expect((pair.data as any).reason).toMatch(/drives/);

    const projected = await eventually(async () => {
      const r = await db.pool.query(`SELECT team_id, persona_id, pair_role FROM tf_team_members WHERE simulation_id = $1`, [started.simulationId]);
      return r.rows.filter((m) => m.pair_role).length === 4 && r.rows;
    }, 10_000, 'members projected');
    expect(projected).toHaveLength(6);
  });

  it('given the same seed, forms the identical teams for another simulation', async () => {
    const a = aSimulationStarted();
    const b = { ...a, simulationId: randomUUID() };
    await start(a);
    await start(b);
    const strip = (es: Awaited<ReturnType<typeof formation>>) => es.map((e) => ({ type: e.type, data: { ...(e.data as object), simulationId: null } }));
    const [ea, eb] = await Promise.all(
      [a, b].map((s) => eventually(async () => {
        const es = await formation(s.simulationId);
        return es.length > 0 && es;
      }, 10_000)),
    );
    expect(strip(ea)).toEqual(strip(eb));
  });

  it('records TeamFormationFailed with a stable code when the config cannot be staffed', async () => {
    const started = aSimulationStarted({ teams: 3, teamSize: 5 });
    await start(started);
    const [failed] = await eventually(async () => {
      const es = await formation(started.simulationId);
      return es.length > 0 && es;
    }, 10_000, 'TeamFormationFailed');
    expect(failed.type).toBe('TeamFormationFailed');
    expect(failed.data).toMatchObject({ code: 'TEAM_FORMATION_ROSTER_TOO_SMALL', reason: expect.stringContaining('roster has 12') });
    expect(await formation(started.simulationId)).toHaveLength(1);
  });

  it('forms nothing twice when SimulationStarted is replayed (checkpoint reset, service restarted)', async () => {
    const before = (await db.pool.query(`SELECT stream_id, count(*)::int AS n FROM events WHERE stream_id LIKE 'formation-%' GROUP BY stream_id ORDER BY stream_id`)).rows;
    expect(before.length).toBeGreaterThan(0);
    await tf.kill();
    await db.pool.query(`UPDATE subscription_checkpoints SET last_transaction_id = '0'::xid8, last_position = 0 WHERE name = 'team-formation'`);
    tf = await startService('team-formation', env());
    await eventually(async () => {
      const health: any = await (await fetch(`${tf.url}/health`)).json();
      return health.lag === 0 && health.subscription?.handled > 0;
    }, 15_000, 'replay caught up');
    const after = (await db.pool.query(`SELECT stream_id, count(*)::int AS n FROM events WHERE stream_id LIKE 'formation-%' GROUP BY stream_id ORDER BY stream_id`)).rows;
    expect(after).toEqual(before);
    const parked = await db.pool.query(`SELECT count(*)::int AS n FROM subscription_dead_letters WHERE subscription = 'team-formation'`);
    expect(parked.rows[0].n).toBe(0);
  });

  it('registers every team event in the contracts', () => {
    const registry = createEventRegistry();
    expect(TEAM_EVENTS.filter((e) => !registry.has(e.type))).toEqual([]);
  });
});

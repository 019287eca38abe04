import { createHash, randomUUID } from 'node:crypto';
import {
  DEFAULT_ROSTER,
  EventData,
  FeatureAssigned,
  SimulationStarted,
  featureStream,
  formationStream,
  llmStream,
  pokerStream,
  repositoryWorkspaceId,
  sandboxStream,
  simulationStream,
  taskIdOf,
  taskStream,
} from '@swe-sim/contracts';
import { EventStore } from '@swe-sim/event-store';
import { mulberry32 } from '@swe-sim/kit';
import { ProcessInput, SimulationProcess, processInput, startProcess } from '../simulation-process';

/** One append: events of one stream, each with the time it happened. */
export interface SyntheticAppend {
  streamId: string;
  events: { type: string; data: unknown; recordedAt: string }[];
}

export interface SyntheticHistoryOptions {
  simulationId?: string;
  /** Stop after about this many events (the history of a simulation still running). */
  events: number;
  features?: number;
  /** Agent turns per task; by default what spreads `events` over the backlog. */
  turnsPerTask?: number;
  seed?: number;
}

const WORDS = 'the a test function returns value list string parse error case input output file module edge empty none raise assert check fix add refactor loop index key map count slug word split join trim'.split(' ');
const SKILLS = ['python', 'algorithms', 'testing', 'backend', 'databases', 'typescript', 'devops'];
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * A plausible history of one simulation for benchmarks and tests: SimulationStarted with a full
 * project snapshot (the shipped roster, a backlog of `features`), team formation, planning poker
 * with LLM calls per vote, then agent tasks whose turns interleave as concurrent tasks do — each
 * turn an LLM call (requested, completed), the turn, and for the driver a command, a file write
 * and the tool's result in the sandbox — pair swaps, review, acceptance run, merge, feature outcome,
 * sprint ends and team reviews. Every event is valid for libs/contracts; the simulation process's
 * own reactions (sprint planning, assignments, sprint ends) come from its fold, as in the service.
 * Deterministic for a seed (apart from ids).
 */
export function* syntheticHistory(options: SyntheticHistoryOptions): Generator<SyntheticAppend> {
  const random = mulberry32(options.seed ?? 1);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
  const words = (n: number) => Array.from({ length: n }, () => pick(WORDS)).join(' ');
  const simulationId = options.simulationId ?? randomUUID();
  const featureCount = options.features ?? 120;
  const turnsPerTask = options.turnsPerTask ?? Math.max(4, Math.round((options.events * 0.85) / (featureCount * 1.15 * 4.6))) // poker takes about 15%;
  let clock = Date.parse('2026-01-01T00:00:00.000Z');
  let emitted = 0;
  const stamp = () => new Date((clock += 20 + Math.floor(random() * 60))).toISOString();
  const append = (streamId: string, ...events: { type: string; data: unknown }[]): SyntheticAppend => {
    emitted += events.length;
    return { streamId, events: events.map((e) => ({ ...e, recordedAt: stamp() })) };
  };
  const done = () => emitted >= options.events;

  // --- the project and the simulation
  const backlog = Array.from({ length: featureCount }, (_, i) => ({
    featureId: `feature-${i + 1}`,
    title: `Feature ${i + 1}: ${words(4)}`,
    description: words(60),
    acceptanceCriteria: [words(10), words(12)],
    tests: [`tests/test_f${i + 1}.py::test_basic`, `tests/test_f${i + 1}.py::test_edge`],
    skills: [pick(SKILLS), pick(SKILLS)].filter((s, k, all) => all.indexOf(s) === k),
  }));
  const file = (path: string) => ({ path, hash: sha(path), size: 200 + Math.floor(random() * 2000) });
  const started: EventData<typeof SimulationStarted> = {
    simulationId,
    project: {
      projectId: randomUUID(),
      name: 'text-utils',
      description: words(80),
      stack: 'python',
      acceptance: { command: 'python3 -m pytest -q', files: Array.from({ length: 10 }, (_, i) => file(`tests/test_part${i}.py`)) },
      scaffold: [file('README.md'), file('pyproject.toml'), file('textutils/__init__.py')],
      backlog,
    },
    config: {
      seed: options.seed ?? 1,
      teams: 3,
      teamSize: 4,
      roster: [...DEFAULT_ROSTER],
      models: { default: { model: 'meta-llama/Llama-3.1-70B-Instruct', sampling: { temperature: 0.2 } }, byRole: {} },
      sprints: { max: 50, capacityPointsPerMember: 4 }, // a few features a team per sprint: many sprints
      process: { pairing: true, review: true, swapEveryTurns: 4, pokerDivergenceRatio: 2, pokerMaxRounds: 2 },
      budgets: { maxTurnsPerTask: 1000, maxTokens: 1e10, maxWallTimeMs: 30 * 24 * 3_600_000 },
    },
  };
  let process: SimulationProcess = startProcess(started, new Date(clock).toISOString());
  yield append(simulationStream(simulationId), { type: 'SimulationStarted', data: started });

  /** An input of the process: appended, folded, and the process's reactions appended after it. */
  function* input(streamId: string, type: ProcessInput['type'], data: unknown): Generator<SyntheticAppend> {
    const a = append(streamId, { type, data });
    yield a;
    const result = processInput(process, { type, data } as ProcessInput, a.events[0].recordedAt);
    process = result.state;
    for (const r of result.reactions) {
      const reaction = append(r.streamId, ...r.events);
      yield reaction;
      reactions.push(...r.events);
    }
  }
  let reactions: { type: string; data: unknown }[] = [];
  const llmCall = (agentId: string, seq: number, content: string, toolCalls: { id: string; name: string; arguments: string }[]) => {
    const requestHash = sha(`${agentId}/${seq}`);
    const callKey = { simulationId, agentId, seq };
    const usage = { promptTokens: 1500 + Math.floor(random() * 3000), completionTokens: 80 + Math.floor(random() * 400) };
    return {
      usage,
      append: append(
        llmStream(simulationId, agentId),
        {
          type: 'LlmCallRequested',
          data: { callKey, model: 'meta-llama/Llama-3.1-70B-Instruct', backend: 'vllm', requestHash, request: { blob: sha(`request ${agentId} ${seq}`) } },
        },
        {
          type: 'LlmCallCompleted',
          data: {
            callKey,
            requestHash,
            model: 'meta-llama/Llama-3.1-70B-Instruct',
            backend: 'vllm',
            message: { content, tool_calls: toolCalls },
            finishReason: toolCalls.length ? 'tool_calls' : 'stop',
            usage,
            timings: { queueMs: random() * 50, latencyMs: 400 + random() * 3000 },
            attempts: 1,
            repaired: false,
          },
        },
      ),
    };
  };
  const llmSeq = new Map<string, number>();
  const nextSeq = (agentId: string) => {
    const n = llmSeq.get(agentId) ?? 0;
    llmSeq.set(agentId, n + 1);
    return n;
  };

  // --- team formation: the roster in teams of four, the backlog shared out, two pairs a team
  const teamIds = ['team-1', 'team-2', 'team-3'];
  for (const [t, teamId] of teamIds.entries()) {
    const members = DEFAULT_ROSTER.slice(t * 4, t * 4 + 4);
    yield* input(formationStream(simulationId), 'TeamFormed', {
      simulationId,
      teamId,
      name: `Team ${t + 1}`,
      members: members.map((m) => ({ personaId: m.personaId, name: m.name, role: m.role, seniority: m.seniority, reason: `covers ${Object.keys(m.skills).slice(0, 3).join(', ')}` })),
      features: backlog.filter((_, i) => i % teamIds.length === t).map((b) => ({ featureId: b.featureId, reason: `needs ${b.skills.join(', ')}` })),
      uncoveredSkills: [],
    });
  }
  for (const [t, teamId] of teamIds.entries()) {
    const [a, b, c, d] = DEFAULT_ROSTER.slice(t * 4, t * 4 + 4).map((m) => m.personaId);
    yield* input(formationStream(simulationId), 'PairFormed', { simulationId, teamId, pairId: `${teamId}-pair-1`, driver: b, navigator: a, reason: 'complementary skills' });
    yield* input(formationStream(simulationId), 'PairFormed', { simulationId, teamId, pairId: `${teamId}-pair-2`, driver: d, navigator: c, reason: 'complementary skills' });
  }
  yield* input(formationStream(simulationId), 'TeamFormationCompleted', { simulationId, teamIds });

  let sandboxes = 0;
  while (!done() && process.status === 'planning') {
    const sprint = process.sprint;
    // --- planning poker: every member votes through the LLM; a spread over the ratio votes again
    for (const [featureId, teamId] of Object.entries(process.candidates)) {
      const voters = process.teams[teamId].members.map((m) => m.personaId);
      const teamFeature = { simulationId, sprint, teamId, featureId };
      let points = 3;
      for (let round = 1; round <= 2; round++) {
        yield append(pokerStream(simulationId, sprint, featureId), { type: 'PlanningPokerRoundStarted', data: { ...teamFeature, round, voters } });
        const votes = voters.map((voter) => ({ voter, points: pick([1, 2, 3, 5, 8] as const), rationale: words(30) }));
        for (const v of votes) {
          const agentId = `${v.voter}/poker`;
          const seq = nextSeq(agentId);
          yield llmCall(agentId, seq, JSON.stringify({ points: v.points, rationale: v.rationale }), []).append;
          yield append(pokerStream(simulationId, sprint, featureId), {
            type: 'EstimateCast',
            data: { simulationId, sprint, featureId, round, voter: v.voter, points: v.points, rationale: v.rationale, llmSeq: seq, fallback: false },
          });
        }
        const sorted = votes.map((v) => v.points).sort((x, y) => x - y);
        points = sorted[Math.floor(sorted.length / 2)];
        if (round === 2 || sorted[sorted.length - 1] / sorted[0] <= 2) break;
        const outliers = [votes.find((v) => v.points === sorted[0])!, votes.find((v) => v.points === sorted[sorted.length - 1])!];
        yield append(pokerStream(simulationId, sprint, featureId), {
          type: 'EstimatesDiverged',
          data: { simulationId, sprint, featureId, round, min: sorted[0], max: sorted[sorted.length - 1], outliers },
        });
      }
      reactions = [];
      yield* input(pokerStream(simulationId, sprint, featureId), 'EstimateAgreed', { ...teamFeature, points, rounds: 1, method: 'consensus' });
    }
    if (done()) return;

    // --- the sprint: every committed feature is a task; the tasks' turns interleave
    const assigned = reactions.filter((r) => r.type === FeatureAssigned.type).map((r) => r.data as EventData<typeof FeatureAssigned>);
    const tasks = assigned.map((a) => ({
      a,
      taskId: taskIdOf(simulationId, a.featureId, sprint),
      sandboxId: `sb-${simulationId.slice(0, 8)}-${++sandboxes}`, // sandbox streams are not per simulation
      driver: a.driver,
      navigator: a.navigator,
      turn: 0,
      tokens: { prompt: 0, completion: 0 },
      abandon: random() < 0.1,
    }));
    for (const t of tasks) {
      yield append(taskStream(t.taskId), {
        type: 'AgentTaskStarted',
        data: {
          taskId: t.taskId,
          simulationId,
          sprint,
          teamId: t.a.teamId,
          featureId: t.a.featureId,
          driver: t.a.driver,
          navigator: t.a.navigator,
          reviewer: t.a.reviewer,
          branch: `feature/${t.a.featureId}`,
          workdir: `.worktrees/${t.a.featureId}`,
          budget: { maxTurns: 1000, maxTokens: 5_000_000 },
          swapEveryTurns: 4,
        },
      });
      yield append(sandboxStream(t.sandboxId), {
        type: 'SandboxCreated',
        data: {
          sandboxId: t.sandboxId,
          requestId: randomUUID(),
          simulationId,
          teamId: 'repo',
          workspaceId: repositoryWorkspaceId(simulationId),
          imageKind: 'python',
          image: `swe-sim/python:${sha('image').slice(0, 12)}`,
          limits: { memoryBytes: 512 * 1024 * 1024, nanoCpus: 1_000_000_000, pidsLimit: 256, tmpfsBytes: 64 * 1024 * 1024 },
          runtime: null,
          engine: 'default',
          containerName: `swe-sim-${t.sandboxId}`,
          containerId: sha(t.sandboxId),
          fromPool: random() < 0.5,
          instanceId: 'bench',
          expiresAt: new Date(clock + 7_200_000).toISOString(),
        },
      });
      yield append(taskStream(t.taskId), { type: 'TaskSandboxReady', data: { taskId: t.taskId, sandboxId: t.sandboxId, generation: 0 } });
    }
    for (let round = 1; round <= turnsPerTask; round++) {
      for (const t of tasks) {
        if (done()) return;
        t.turn++;
        const navigating = t.navigator !== null && t.turn % 3 === 1; // the navigator plans, then reviews every few turns
        const speaker = navigating ? t.navigator! : t.driver;
        const agentId = `${speaker}/task-${t.a.featureId}-s${sprint}`;
        const toolCalls = navigating ? [] : [{ id: `call-${t.turn}`, name: pick(['write_file', 'run_tests', 'run_command']), arguments: JSON.stringify({ path: `textutils/${t.a.featureId}.py`, content: words(40) }) }];
        const call = llmCall(agentId, nextSeq(agentId), words(50), toolCalls);
        t.tokens.prompt += call.usage.promptTokens;
        t.tokens.completion += call.usage.completionTokens;
        yield call.append;
        yield append(taskStream(t.taskId), {
          type: 'AgentTurnTaken',
          data: {
            taskId: t.taskId,
            turn: t.turn,
            speaker,
            role: navigating ? 'navigator' : 'driver',
            llm: { agentId, seq: llmSeq.get(agentId)! - 1 },
            content: words(50),
            toolCalls,
            usage: call.usage,
            failure: null,
          },
        });
        if (!navigating) {
          const requestId = randomUUID();
          const path = `.worktrees/${t.a.featureId}/textutils/${t.a.featureId}.py`;
          yield append(
            sandboxStream(t.sandboxId),
            { type: 'FileWritten', data: { sandboxId: t.sandboxId, workspaceId: repositoryWorkspaceId(simulationId), requestId, path, hash: sha(`${path}${t.turn}`), size: 1200 } },
            {
              type: 'CommandExecuted',
              data: {
                sandboxId: t.sandboxId,
                requestId: randomUUID(),
                exitCode: random() < 0.6 ? 1 : 0,
                stdout: words(120),
                stderr: '',
                stdoutBytes: 800,
                stderrBytes: 0,
                truncated: false,
                durationMs: 300 + Math.floor(random() * 3000),
                timedOut: false,
                oomKilled: false,
                pidsLimitHit: false,
              },
            },
          );
          yield append(taskStream(t.taskId), {
            type: 'ToolCallCompleted',
            data: { taskId: t.taskId, turn: t.turn, toolCallId: `call-${t.turn}`, name: toolCalls[0].name, ok: true, output: words(80), durationMs: 400 },
          });
          if (t.navigator && t.turn % 8 === 0) {
            [t.driver, t.navigator] = [t.navigator, t.driver];
            yield append(taskStream(t.taskId), { type: 'PairRolesSwapped', data: { taskId: t.taskId, turn: t.turn, driver: t.driver, navigator: t.navigator } });
          }
        }
      }
    }

    // --- review, integration, outcome
    for (const t of tasks) {
      if (done()) return;
      const base = { taskId: t.taskId };
      const effort = { turns: t.turn, promptTokens: t.tokens.prompt, completionTokens: t.tokens.completion };
      const feature = { simulationId, sprint, teamId: t.a.teamId, featureId: t.a.featureId, taskId: t.taskId, effort };
      if (t.abandon) {
        yield append(taskStream(t.taskId), {
          type: 'AgentTaskEnded',
          data: { ...base, outcome: 'abandoned', code: 'BUDGET_EXHAUSTED', reason: 'out of turns', turns: t.turn, promptTokens: t.tokens.prompt, completionTokens: t.tokens.completion },
        });
        yield append(sandboxStream(t.sandboxId), { type: 'SandboxDestroyed', data: { sandboxId: t.sandboxId, reason: 'released', requestId: randomUUID() } });
        yield* input(featureStream(simulationId, t.a.featureId), 'FeatureAbandoned', { ...feature, code: 'BUDGET_EXHAUSTED', reason: 'out of turns' });
        continue;
      }
      const reviewer = t.a.reviewer ?? t.driver;
      const reviewAgent = `${reviewer}/review-${t.a.featureId}-s${sprint}`;
      yield append(taskStream(t.taskId), { type: 'ReviewRequested', data: { ...base, round: 1, reviewer, diff: words(300), diffTruncated: false } });
      const seq = nextSeq(reviewAgent);
      yield llmCall(reviewAgent, seq, 'LGTM', []).append;
      yield append(taskStream(t.taskId), { type: 'ReviewApproved', data: { ...base, round: 1, reviewer, comments: words(30), llm: { agentId: reviewAgent, seq }, fallback: false } });
      yield append(taskStream(t.taskId), {
        type: 'AcceptanceTestsRun',
        data: { ...base, sandboxId: `${t.sandboxId}-accept`, tests: t.a.featureId ? backlog.find((b) => b.featureId === t.a.featureId)!.tests : [], passed: true, exitCode: 0, output: words(60) },
      });
      yield append(taskStream(t.taskId), { type: 'BranchMerged', data: { ...base, branch: `feature/${t.a.featureId}`, commit: sha(t.taskId).slice(0, 40) } });
      yield append(taskStream(t.taskId), {
        type: 'AgentTaskEnded',
        data: { ...base, outcome: 'done', code: null, reason: 'acceptance tests pass on main', turns: t.turn, promptTokens: t.tokens.prompt, completionTokens: t.tokens.completion },
      });
      yield append(sandboxStream(t.sandboxId), { type: 'SandboxDestroyed', data: { sandboxId: t.sandboxId, reason: 'released', requestId: randomUUID() } });
      yield* input(featureStream(simulationId, t.a.featureId), 'FeatureDone', { ...feature, acceptanceTestsPassed: 2 });
    }
    if ((process.status as SimulationProcess['status']) === 'reviewing') {
      yield* input(formationStream(simulationId), 'TeamsReviewed', { simulationId, beforeSprint: process.sprint + 1, moves: 0, joined: 0, reason: 'no move helps' });
    }
  }
}

/**
 * Appends a synthetic history through the store, `perTransaction` appends at a time (each append
 * still validated, versioned and numbered as any other). Returns the simulation id and how many
 * events were appended.
 */
export async function appendSyntheticHistory(
  store: EventStore,
  options: SyntheticHistoryOptions & { perTransaction?: number; onProgress?: (events: number) => void },
): Promise<{ simulationId: string; events: number }> {
  const simulationId = options.simulationId ?? randomUUID();
  const appends = syntheticHistory({ ...options, simulationId });
  let events = 0;
  for (let more = true; more; ) {
    more = await store.transaction(async (tx) => {
      for (let i = 0; i < (options.perTransaction ?? 500); i++) {
        const next = appends.next();
        if (next.done) return false;
        const a = next.value;
        await store.append(
          a.streamId,
          a.events.map((e) => ({ type: e.type, data: e.data, metadata: { recordedAt: e.recordedAt } })),
          { metadata: { simulationId, actor: 'synthetic' } },
          tx,
        );
        events += a.events.length;
      }
      return true;
    });
    options.onProgress?.(events);
  }
  return { simulationId, events };
}

/**
 * What the chaos test checks in a simulation's history (the events table of its database):
 * no event lost or duplicated, and what the faults cost (infrastructure retries).
 */
import { Pool } from 'pg';

export interface EventRow {
  globalPosition: number;
  streamId: string;
  streamVersion: number;
  eventId: string;
  type: string;
  data: any;
}

export interface HistoryFindings {
  events: number;
  /** The simulation's last events (type @ stream): where a simulation that did not end stands. */
  lastEvents: string[];
  featuresDone: string[];
  featuresAbandoned: { featureId: string; sprint: number; code: string; reason: string }[];
  /** TaskStepInterrupted: each an infrastructure fault retried as a new attempt. */
  infrastructureRetries: { total: number; byCode: Record<string, number>; byStep: Record<string, number>; examples: { taskId: string; step: string; attempt: number; code: string; message: string }[] };
  llm: { calls: number; failed: number; duplicatedRequests: string[]; duplicatedOutcomes: string[]; outcomeWithoutRequest: string[]; requestWithoutOutcome: string[] };
  commands: { requests: number; executed: number; duplicated: { requestId: string; count: number; cmd?: string }[]; executedWithoutRequest: string[]; requestsWithoutResult: { requestId: string; reply: string }[] };
  fileWrites: { duplicated: { requestId: string; count: number }[] };
  sandboxes: { created: number; destroyed: number; duplicatedCreates: { requestId: string; count: number }[]; destroyedReasons: Record<string, number> };
  rpc: { requests: number; duplicatedReplies: string[]; unanswered: { requestId: string; type: string }[] };
  streamGaps: { streamId: string; versions: string; streamsTableVersion: number | null }[];
  duplicatedFacts: string[];
  /** A step interrupted again and again with the same attempt number: retried without a new attempt (and so the same request ids). */
  stalledRetries: { taskId: string; step: string; attempt: number; times: number; code: string }[];
  tasksWithoutEnd: string[];
  deadLettered: { subscription: string; type: string; error: string }[];
  simulationEnd: { type: string; code?: string; reason?: string; resumable?: boolean }[];
  /** Failures of the event invariants (lost or duplicated), each a sentence naming what. */
  failures: string[];
  /** Not failures by themselves, but worth reading next to them. */
  warnings: string[];
}

const cut = (s: unknown, n = 300) => {
  const t = typeof s === 'string' ? s : JSON.stringify(s);
  return t && t.length > n ? `${t.slice(0, n)}…` : t ?? '';
};
const count = <T>(items: T[], key: (t: T) => string) => {
  const m = new Map<string, number>();
  for (const i of items) m.set(key(i), (m.get(key(i)) ?? 0) + 1);
  return m;
};
const tally = (keys: string[]) => Object.fromEntries([...count(keys, (k) => k)].sort((a, b) => b[1] - a[1]));

export async function readHistory(pool: Pool, simulationId: string): Promise<EventRow[]> {
  const r = await pool.query(
    `SELECT global_position::bigint AS "globalPosition", stream_id AS "streamId", stream_version::bigint AS "streamVersion", event_id AS "eventId", type, data
       FROM events WHERE simulation_id = $1 ORDER BY global_position`,
    [simulationId],
  );
  return r.rows.map((row) => ({ ...row, globalPosition: Number(row.globalPosition), streamVersion: Number(row.streamVersion) }));
}

export async function checkHistory(pool: Pool, simulationId: string): Promise<HistoryFindings> {
  const own = await readHistory(pool, simulationId);
  // Every stream the simulation wrote to, read whole (a request's reply may carry no simulation id).
  const streamIds = [...new Set(own.map((e) => e.streamId))];
  const whole = (
    await pool.query(
      `SELECT global_position::bigint AS "globalPosition", stream_id AS "streamId", stream_version::bigint AS "streamVersion", event_id AS "eventId", type, data
         FROM events WHERE stream_id = ANY($1::text[]) ORDER BY global_position`,
      [streamIds],
    )
  ).rows.map((row) => ({ ...row, globalPosition: Number(row.globalPosition), streamVersion: Number(row.streamVersion) })) as EventRow[];
  const streamsTable = new Map<string, number>(
    (await pool.query(`SELECT stream_id, version::bigint AS v FROM streams WHERE stream_id = ANY($1::text[])`, [streamIds])).rows.map((r) => [r.stream_id, Number(r.v)]),
  );
  const ofType = (t: string) => whole.filter((e) => e.type === t);
  const failures: string[] = [];
  const warnings: string[] = [];

  // --- stream versions: 1..n with no gap, and the streams table agrees
  const streamGaps: HistoryFindings['streamGaps'] = [];
  const byStream = new Map<string, number[]>();
  for (const e of whole) byStream.set(e.streamId, [...(byStream.get(e.streamId) ?? []), e.streamVersion]);
  for (const [streamId, versions] of byStream) {
    const sorted = [...versions].sort((a, b) => a - b);
    const contiguous = sorted.every((v, i) => v === i + 1);
    const table = streamsTable.get(streamId) ?? null;
    if (!contiguous || table !== sorted.length) {
      streamGaps.push({ streamId, versions: sorted.length > 20 ? `${sorted.slice(0, 10).join(',')}…${sorted.slice(-5).join(',')} (${sorted.length})` : sorted.join(','), streamsTableVersion: table });
    }
  }
  for (const g of streamGaps) failures.push(`stream ${g.streamId}: versions ${g.versions} are not 1..n (streams table says ${g.streamsTableVersion})`);

  // --- LLM calls: one LlmCallRequested and at most one outcome per call key
  const keyOf = (d: any) => `${d.callKey.agentId}#${d.callKey.seq}${d.callKey.attempt ? `/attempt ${d.callKey.attempt}` : ''}`;
  const requested = ofType('LlmCallRequested').map((e) => e.data);
  const outcomes = [...ofType('LlmCallCompleted'), ...ofType('LlmCallFailed')].map((e) => e.data);
  const reqCount = count(requested, keyOf);
  const outCount = count(outcomes, keyOf);
  const supersededBy = (d: any) => requested.some((r) => r.callKey.agentId === d.callKey.agentId && r.callKey.seq === d.callKey.seq && (r.callKey.attempt ?? 1) > (d.callKey.attempt ?? 1));
  const llm: HistoryFindings['llm'] = {
    calls: reqCount.size,
    failed: ofType('LlmCallFailed').length,
    duplicatedRequests: [...reqCount].filter(([, n]) => n > 1).map(([k, n]) => `${k} ×${n}`),
    duplicatedOutcomes: [...outCount].filter(([, n]) => n > 1).map(([k, n]) => `${k} ×${n}`),
    outcomeWithoutRequest: [...outCount.keys()].filter((k) => !reqCount.has(k)),
    // Not superseded by a later attempt of the same call: an answer the history lost.
    requestWithoutOutcome: requested.filter((d) => !outCount.has(keyOf(d)) && !supersededBy(d)).map(keyOf),
  };
  if (llm.duplicatedRequests.length) failures.push(`LLM call keys requested more than once: ${llm.duplicatedRequests.join(', ')}`);
  if (llm.duplicatedOutcomes.length) failures.push(`LLM call keys answered more than once: ${llm.duplicatedOutcomes.join(', ')}`);
  if (llm.outcomeWithoutRequest.length) failures.push(`LLM answers recorded without their LlmCallRequested: ${llm.outcomeWithoutRequest.join(', ')}`);
  if (llm.requestWithoutOutcome.length) failures.push(`LLM calls requested and never answered nor retried: ${llm.requestWithoutOutcome.join(', ')}`);

  // --- request/response (rpc-<id> streams): at most one reply each
  const requests = whole.filter((e) => e.streamId.startsWith('rpc-') && e.streamVersion === 1);
  const replies = count(ofType('RpcReplied'), (e) => e.data.requestId);
  const replyOf = new Map(ofType('RpcReplied').map((e) => [e.data.requestId as string, e.data]));
  const rpc: HistoryFindings['rpc'] = {
    requests: requests.length,
    duplicatedReplies: [...replies].filter(([, n]) => n > 1).map(([k, n]) => `${k} ×${n}`),
    unanswered: requests.filter((r) => !replies.has(r.eventId)).map((r) => ({ requestId: r.eventId, type: r.type })),
  };
  if (rpc.duplicatedReplies.length) failures.push(`requests replied to more than once: ${rpc.duplicatedReplies.join(', ')}`);
  if (rpc.unanswered.length) warnings.push(`requests never answered: ${rpc.unanswered.map((u) => `${u.type} ${u.requestId}`).join(', ')}`);

  // --- sandbox commands: one CommandExecuted per request id
  const commandRequests = requests.filter((r) => r.type === 'CommandRequested' || r.type === 'SandboxRunRequested');
  const executed = ofType('CommandExecuted');
  const execCount = count(executed, (e) => e.data.requestId);
  const cmdOf = new Map(commandRequests.map((r) => [r.eventId, r.data.cmd]));
  const commands: HistoryFindings['commands'] = {
    requests: commandRequests.length,
    executed: executed.length,
    duplicated: [...execCount].filter(([, n]) => n > 1).map(([requestId, n]) => ({ requestId, count: n, cmd: cut(cmdOf.get(requestId), 120) })),
    executedWithoutRequest: [...execCount.keys()].filter((id) => !cmdOf.has(id)),
    requestsWithoutResult: commandRequests
      .filter((r) => !execCount.has(r.eventId))
      .map((r) => {
        const reply = replyOf.get(r.eventId);
        return { requestId: r.eventId, reply: reply ? (reply.ok ? 'ok' : `${reply.error?.code}: ${cut(reply.error?.message, 160)}`) : 'no reply' };
      }),
  };
  for (const d of commands.duplicated) failures.push(`command ${d.requestId} (${d.cmd}) executed ${d.count} times`);
  if (commands.executedWithoutRequest.length) failures.push(`CommandExecuted for requests not in the history: ${commands.executedWithoutRequest.join(', ')}`);

  const writes = count(ofType('FileWritten'), (e) => e.data.requestId);
  const fileWrites = { duplicated: [...writes].filter(([, n]) => n > 1).map(([requestId, n]) => ({ requestId, count: n })) };
  for (const d of fileWrites.duplicated) failures.push(`file write ${d.requestId} recorded ${d.count} times`);

  const creates = count(ofType('SandboxCreated'), (e) => e.data.requestId);
  const sandboxes = {
    created: ofType('SandboxCreated').length,
    destroyed: ofType('SandboxDestroyed').length,
    duplicatedCreates: [...creates].filter(([, n]) => n > 1).map(([requestId, n]) => ({ requestId, count: n })),
    destroyedReasons: tally(ofType('SandboxDestroyed').map((e) => e.data.reason)),
  };
  for (const d of sandboxes.duplicatedCreates) failures.push(`sandbox request ${d.requestId} created ${d.count} sandboxes`);
  const destroyedOnce = count(ofType('SandboxDestroyed'), (e) => e.data.sandboxId);
  for (const [id, n] of destroyedOnce) if (n > 1) failures.push(`sandbox ${id} destroyed ${n} times`);

  // --- facts that happen once per simulation, feature or task
  const duplicatedFacts: string[] = [];
  const once = (type: string, key: (d: any) => string) => {
    for (const [k, n] of count(ofType(type), (e) => key(e.data))) if (n > 1) duplicatedFacts.push(`${type} ${k} ×${n}`);
  };
  once('FeatureDone', (d) => d.featureId);
  once('AgentTaskStarted', (d) => d.taskId);
  once('AgentTaskEnded', (d) => d.taskId);
  once('BranchMerged', (d) => d.taskId);
  once('SimulationCompleted', (d) => d.simulationId);
  once('SprintEnded', (d) => String(d.sprint));
  if (duplicatedFacts.length) failures.push(`facts recorded more than once: ${duplicatedFacts.join(', ')}`);

  // --- retries: a step interrupted again before anything else happened in its task is the next attempt
  const stalledRetries: HistoryFindings['stalledRetries'] = [];
  const taskStreams = new Map<string, EventRow[]>();
  for (const e of whole) if (e.streamId.startsWith('task-')) taskStreams.set(e.streamId, [...(taskStreams.get(e.streamId) ?? []), e]);
  for (const events of taskStreams.values()) {
    events.sort((a, b) => a.streamVersion - b.streamVersion);
    let run: { step: string; attempt: number; n: number; code: string; taskId: string } | null = null;
    const flush = () => {
      if (run && run.n > 1) stalledRetries.push({ taskId: run.taskId, step: run.step, attempt: run.attempt, times: run.n, code: run.code });
      run = null;
    };
    for (const e of events) {
      if (e.type !== 'TaskStepInterrupted') {
        flush();
        continue;
      }
      const r = run as { step: string; attempt: number; n: number } | null;
      if (r && r.step === e.data.step && r.attempt === e.data.attempt) r.n++;
      else {
        flush();
        run = { step: e.data.step, attempt: e.data.attempt, n: 1, code: e.data.code, taskId: e.data.taskId };
      }
    }
    flush();
  }
  for (const r of stalledRetries) {
    failures.push(`task ${r.taskId}: its ${r.step} step was interrupted ${r.times} times in a row, each recorded as attempt ${r.attempt} (${r.code}): the retry does not advance to a new attempt`);
  }

  const ended = new Set(ofType('AgentTaskEnded').map((e) => e.data.taskId));
  const tasksWithoutEnd = ofType('AgentTaskStarted').map((e) => e.data.taskId).filter((t) => !ended.has(t));
  const simulationEnd = whole
    .filter((e) => ['SimulationCompleted', 'SimulationFailed', 'SimulationCancelled', 'SimulationResumed'].includes(e.type))
    .map((e) => ({ type: e.type, code: e.data.code, reason: e.data.reason === undefined ? undefined : cut(e.data.reason), resumable: e.data.resumable }));
  if (tasksWithoutEnd.length && simulationEnd.some((e) => e.type === 'SimulationCompleted')) failures.push(`tasks started and never ended in a completed simulation: ${tasksWithoutEnd.join(', ')}`);

  const interrupted = ofType('TaskStepInterrupted').map((e) => e.data);
  const deadLettered = ofType('EventDeadLettered').map((e) => ({ subscription: e.data.subscription, type: e.data.type, error: cut(e.data.error, 300) }));
  if (deadLettered.length) warnings.push(`${deadLettered.length} events dead-lettered (a handler gave up): ${deadLettered.map((d) => `${d.subscription}/${d.type}`).join(', ')}`);

  return {
    events: own.length,
    lastEvents: own.slice(-5).map((e) => `${e.type} @ ${e.streamId}`),
    featuresDone: [...new Set(ofType('FeatureDone').map((e) => e.data.featureId as string))].sort(),
    featuresAbandoned: ofType('FeatureAbandoned').map((e) => ({ featureId: e.data.featureId, sprint: e.data.sprint, code: e.data.code, reason: cut(e.data.reason, 400) })),
    infrastructureRetries: {
      total: interrupted.length,
      byCode: tally(interrupted.map((d) => d.code)),
      byStep: tally(interrupted.map((d) => d.step)),
      examples: interrupted.slice(0, 5).map((d) => ({ taskId: d.taskId, step: d.step, attempt: d.attempt, code: d.code, message: cut(d.message, 200) })),
    },
    llm,
    commands,
    fileWrites,
    sandboxes,
    rpc,
    streamGaps,
    duplicatedFacts,
    stalledRetries,
    tasksWithoutEnd,
    deadLettered,
    simulationEnd,
    failures,
    warnings,
  };
}

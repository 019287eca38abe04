import { CliContext } from '../context';
import { EXIT, UsageError } from '../exit-codes';
import { overridesFromSets } from '../set-overrides';
import { watchSimulation } from './watch';

export async function simulate(ctx: CliContext, projectId: string, options: { seed?: string; teams?: string; teamSize?: string; set: string[]; watch?: boolean }) {
  const body: Record<string, unknown> = overridesFromSets(options.set);
  for (const [key, raw] of [['seed', options.seed], ['teams', options.teams], ['teamSize', options.teamSize]] as const) {
    if (raw === undefined) continue;
    if (!/^\d+$/.test(raw)) throw new UsageError(`--${key === 'teamSize' ? 'team-size' : key} must be a whole number`);
    body[key] = Number(raw);
  }
  const started = await ctx.api.startSimulation(projectId, body);
  if (!options.watch) {
    ctx.print(`simulation ${started.simulationId} (seed ${started.seed})`, started);
    return EXIT.OK;
  }
  if (!ctx.json) process.stdout.write(`simulation ${started.simulationId} (seed ${started.seed})\n`);
  return watchSimulation(ctx, started.simulationId);
}

export async function status(ctx: CliContext, simulationId: string) {
  const sim = await ctx.api.getSimulation(simulationId);
  const m = sim.metrics;
  const lines = [
    `${sim.simulationId}  ${sim.status}${sim.queue ? ` (queue position ${sim.queue.position})` : ''}`,
    `features ${m.featuresDone}/${m.featuresTotal} · acceptance tests ${m.acceptanceTestsPassed}/${m.acceptanceTestsTotal} · sprints ${m.sprints.length}`,
    ...Object.entries(sim.teams).map(([teamId, t]) => `team ${teamId}: ${t.members.map((x) => x.personaId).join(', ')}`),
    ...(sim.failure ? [`failure ${sim.failure.code}${sim.failure.resumable ? ' (resumable)' : ''}: ${sim.failure.reason}`] : []),
    ...(sim.forkOf ? [`fork of ${sim.forkOf.simulationId} at ${sim.forkOf.atPosition}`] : []),
    ...(sim.replayOf ? [`replay of ${sim.replayOf.simulationId}: ${sim.replay ? (sim.replay.identical ? 'identical' : 'diverged') : 'not settled'}`] : []),
  ];
  ctx.print(lines.join('\n'), sim);
  return EXIT.OK;
}

export async function cancel(ctx: CliContext, simulationId: string, options: { reason?: string }) {
  const result = await ctx.api.cancel(simulationId, options.reason);
  ctx.print(`cancelled ${simulationId}`, result);
  return EXIT.OK;
}

/** Exit 0 when the replay is identical, 1 when it diverged. */
export async function replay(ctx: CliContext, simulationId: string, options: { waitMs: string }) {
  const started = await ctx.api.replay(simulationId, Number(options.waitMs));
  let verdict = started.status === 'compared' ? started : null;
  while (!verdict) {
    await new Promise((r) => setTimeout(r, 1000));
    const sim = await ctx.api.waitForSimulation(started.replayId);
    if (sim.replay) verdict = { ...sim.replay, status: 'compared', replayId: started.replayId, originalId: simulationId };
  }
  const what = `${verdict.compared.events} events in ${verdict.compared.streams} streams`;
  ctx.print(verdict.identical ? `replay ${verdict.replayId}: identical (${what})` : `replay ${verdict.replayId}: diverged at ${JSON.stringify(verdict.firstDivergence)}`, verdict);
  return verdict.identical ? EXIT.OK : EXIT.BAD_OUTCOME;
}

export async function fork(ctx: CliContext, simulationId: string, options: { at: string; set: string[]; watch?: boolean }) {
  if (!/^\d+$/.test(options.at)) throw new UsageError('--at must be a position (a whole number)');
  const forked = await ctx.api.fork(simulationId, { atPosition: Number(options.at), overrides: overridesFromSets(options.set) });
  // The read model may not know the fork for a moment: answer once GET /simulations/:id does.
  await ctx.api.waitForSimulation(forked.simulationId);
  if (!options.watch) {
    ctx.print(`fork ${forked.simulationId} of ${simulationId} at ${forked.forkOf.atPosition}`, forked);
    return EXIT.OK;
  }
  if (!ctx.json) process.stdout.write(`fork ${forked.simulationId}\n`);
  return watchSimulation(ctx, forked.simulationId);
}

export async function watch(ctx: CliContext, simulationId: string) {
  return watchSimulation(ctx, simulationId);
}

/** The export's JSON lines to stdout as they stream (`> out.jsonl`). */
export async function exportHistory(ctx: CliContext, simulationId: string, options: { format: string; metadata?: boolean }) {
  if (options.format !== 'chat' && options.format !== 'events') throw new UsageError('--format must be chat or events');
  for await (const line of ctx.api.exportLines(simulationId, { format: options.format, metadata: options.metadata })) {
    if (!process.stdout.write(`${line}\n`)) await new Promise((r) => process.stdout.once('drain', r));
  }
  return EXIT.OK;
}

import type { HistoryEvent } from './types';

/**
 * A watched simulation's events as the lines a person reads (the demo's wording): teams and why,
 * poker, commitments, tests, reviews, merges, outcomes. Events that say nothing new give null.
 * `names` maps persona ids to names; SimulationStarted fills it.
 */
export function eventLine(e: Pick<HistoryEvent, 'type' | 'data'>, names: Record<string, string>): { text: string; tone?: 'ok' | 'bad' | 'warn' | 'dim' | 'title' } | null {
  const d = e.data ?? {};
  const who = (id: string | null) => (id ? names[id] ?? id : '');
  const feature = (taskId: string) => String(taskId).split('.').slice(1, -1).join('.');
  switch (e.type) {
    case 'SimulationStarted':
      for (const r of d.config?.roster ?? []) names[r.personaId] = r.name;
      return null;
    case 'TeamFormed':
      return { text: `${d.name} — features: ${d.features.map((f: any) => f.featureId).join(', ')}\n${d.members.map((m: any) => `  ${m.name} (${m.seniority} ${m.role}): ${m.reason}`).join('\n')}`, tone: 'title' };
    case 'PairFormed':
      return { text: `  pair: ${who(d.driver)} drives, ${who(d.navigator)} navigates — ${d.reason}`, tone: 'dim' };
    case 'SprintPlanningStarted':
      return { text: `Sprint ${d.sprint} planning — planning poker`, tone: 'title' };
    case 'EstimatesDiverged':
      return { text: `  ${d.featureId}: estimates diverged (${d.min}–${d.max}); ${d.outliers.map((o: any) => `${who(o.voter)}: "${o.rationale}"`).join(' / ')}`, tone: 'warn' };
    case 'EstimateAgreed':
      return { text: `  ${d.featureId}: ${d.points} points (${d.method}, ${d.rounds} round${d.rounds > 1 ? 's' : ''})` };
    case 'FeatureAssigned':
      return { text: `  ${d.featureId} → ${who(d.driver)}${d.navigator ? ` + ${who(d.navigator)}` : ' (solo)'}${d.reviewer ? `, review by ${who(d.reviewer)}` : ''}` };
    case 'SprintStarted':
      return { text: `Sprint ${d.sprint} started — ${d.committed.length} features, ${d.committedPoints} points committed`, tone: 'title' };
    case 'AgentTurnTaken':
      return d.failure ? { text: `  ${who(d.speaker)}: LLM call failed (${d.failure.code})`, tone: 'bad' } : null;
    case 'ToolCallCompleted':
      if (d.name === 'run_tests') return { text: `  ${feature(d.taskId)}: tests ${d.testsPassed ? 'passed' : 'failed'}`, tone: d.testsPassed ? 'ok' : 'bad' };
      return d.ok ? null : { text: `  ${feature(d.taskId)}: ${d.name} refused — ${String(d.output).split('\n')[0]}`, tone: 'dim' };
    case 'PairRolesSwapped':
      return { text: `  ${feature(d.taskId)}: roles swapped — ${who(d.driver)} drives`, tone: 'dim' };
    case 'ReviewApproved':
    case 'ReviewCommented':
      return { text: `  ${feature(d.taskId)}: review by ${who(d.reviewer)} — ${e.type === 'ReviewApproved' ? 'approved' : 'changes requested'}: ${d.comments}`, tone: e.type === 'ReviewApproved' ? 'ok' : 'warn' };
    case 'AcceptanceTestsRun':
      return { text: `  ${feature(d.taskId)}: acceptance tests on main ${d.passed ? 'passed' : 'failed'}`, tone: d.passed ? 'ok' : 'bad' };
    case 'BranchMerged':
      return { text: `  ${feature(d.taskId)}: merged ${d.branch} into main (${String(d.commit).slice(0, 8)})` };
    case 'FeatureDone':
      return { text: `  ✔ ${d.featureId} done (${d.effort?.turns ?? '?'} turns)`, tone: 'ok' };
    case 'FeatureAbandoned':
      return { text: `  ✘ ${d.featureId} abandoned: ${d.code} — ${d.reason}`, tone: 'bad' };
    case 'SprintEnded':
      return { text: `Sprint ${d.sprint} ended — velocity ${d.velocity} of ${d.committedPoints} points${d.carriedOver?.length ? `, carried over: ${d.carriedOver.join(', ')}` : ''}`, tone: 'title' };
    case 'SimulationCompleted':
      return { text: 'simulation completed', tone: 'ok' };
    case 'SimulationFailed':
      return { text: `simulation failed: ${d.code}: ${d.reason}`, tone: 'bad' };
    case 'SimulationCancelled':
      return { text: 'simulation cancelled', tone: 'bad' };
    default:
      return null;
  }
}

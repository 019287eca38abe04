import { Fragment } from 'preact';
import type { SimulationMetrics } from '@swe-sim/api-client';
import type { BoardCard, BoardColumn, PokerRoundView, TeamView } from '../../view-models/simulation-view';

export function TeamsSection({ teams }: { teams: TeamView[] }) {
  return (
    <section>
      <h2>Teams</h2>
      {teams.length === 0 && <p class="empty">No team formed yet.</p>}
      <div class="cards">
        {teams.map((t) => (
          <article class="team" key={t.teamId} data-team={t.teamId}>
            <h3>{t.name} <small>{t.teamId}</small></h3>
            <ul>
              {t.members.map((m) => (
                <li key={m.personaId} data-member={m.personaId}>
                  <b>{m.name}</b> <small>{m.role}, {m.seniority}</small>
                  <div class="reason">{m.reason}</div>
                </li>
              ))}
            </ul>
            {t.pairs.length > 0 && (
              <p>Pairs: {t.pairs.map((p) => <span key={p.driver} title={p.reason}>{p.driver} ⇄ {p.navigator} </span>)}</p>
            )}
            <p><small>Features: {t.features.map((f) => f.featureId).join(', ') || 'none'}{t.uncoveredSkills.length ? ` · skills missing: ${t.uncoveredSkills.join(', ')}` : ''}</small></p>
          </article>
        ))}
      </div>
    </section>
  );
}

const COLUMNS: BoardColumn[] = ['todo', 'in progress', 'done', 'abandoned'];

export function BoardSection({ board }: { board: Record<BoardColumn, BoardCard[]> }) {
  return (
    <section>
      <h2>Sprint board</h2>
      <div class="board" data-testid="board">
        {COLUMNS.map((col) => (
          <div class="column" key={col}>
            <h3>{col} ({board[col].length})</h3>
            {board[col].map((c) => (
              <div class="card" key={c.featureId} data-feature={c.featureId}>
                <b>{c.title}</b>
                <small>{[c.teamId, c.points !== null ? `${c.points} pts` : null, c.driver && `driver ${c.driver}`, c.sprint && `sprint ${c.sprint}`].filter(Boolean).join(' · ')}</small>
              </div>
            ))}
          </div>
        ))}
      </div>
    </section>
  );
}

export function MetricsSection({ metrics: m }: { metrics: SimulationMetrics }) {
  return (
    <section>
      <h2>Metrics</h2>
      <dl class="metrics">
        <dt>Features done</dt><dd>{m.featuresDone} of {m.featuresTotal}</dd>
        <dt>Acceptance tests passed</dt><dd>{m.acceptanceTestsPassed} of {m.acceptanceTestsTotal}</dd>
        <dt>Sprints</dt><dd>{m.sprints.length}</dd>
        <dt>LLM time</dt><dd>{(m.llmTimeMs / 1000).toFixed(1)} s</dd>
        <dt>Sandbox time</dt><dd>{(m.sandboxTimeMs / 1000).toFixed(1)} s</dd>
        <dt>Wall time</dt><dd>{(m.wallTimeMs / 1000).toFixed(1)} s</dd>
        {Object.entries(m.tokensByRole).map(([role, t]) => (
          <Fragment key={role}><dt>Tokens, {role}</dt><dd>{t.prompt} prompt + {t.completion} completion</dd></Fragment>
        ))}
      </dl>
      {m.estimation.length > 0 && (
        <table>
          <thead><tr><th>Feature</th><th>Points</th><th>Turns</th><th>Tokens</th><th>Done</th></tr></thead>
          <tbody>{m.estimation.map((e) => <tr key={e.featureId}><td>{e.featureId}</td><td>{e.points}</td><td>{e.turns}</td><td>{e.tokens}</td><td>{e.done ? 'yes' : 'no'}</td></tr>)}</tbody>
        </table>
      )}
    </section>
  );
}

export function PokerSection({ rounds }: { rounds: PokerRoundView[] }) {
  return (
    <section>
      <h2>Planning poker</h2>
      {rounds.length === 0 && <p class="empty">No estimate yet.</p>}
      {rounds.map((r) => (
        <details key={`${r.sprint}/${r.featureId}/${r.round}`} data-poker={r.featureId}>
          <summary>
            Sprint {r.sprint}, {r.featureId} ({r.teamId}), round {r.round}: {r.votes.map((v) => v.points).join(', ')}
            {r.diverged && <span class="warn"> · diverged {r.diverged.min}–{r.diverged.max}</span>}
            {r.agreed && <b> · agreed {r.agreed.points} ({r.agreed.method})</b>}
          </summary>
          <ul>{r.votes.map((v) => <li key={v.voter}><b>{v.voter}</b>: {v.points}{v.fallback ? ' (fallback)' : ''}. {v.rationale}</li>)}</ul>
        </details>
      ))}
    </section>
  );
}

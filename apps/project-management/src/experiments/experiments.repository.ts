import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { Queryable } from '@swe-sim/event-store';
import { PG_POOL } from '@swe-sim/service-runtime';
import { ListPosition, ListSlice, keysetPage } from '../api/cursor';
import { UTC_MICROS } from '../projects/projects.repository';
import { ExperimentRun, ExperimentState } from './experiment.decider';

export interface ExperimentSummary {
  experimentId: string;
  name: string;
  status: ExperimentState['status'];
  createdAt: string;
  updatedAt: string;
}

export interface ExperimentRow extends ExperimentSummary {
  definition: Pick<NonNullable<ExperimentState['created']>, 'projectIds' | 'design' | 'variants' | 'seeds' | 'settings'>;
  tokensUsed: number;
}

/** A run as the read model keeps it. */
export type RunRow = ExperimentRun;

/**
 * pm_experiments and pm_experiment_runs: each experiment as its stream folds, written by its process
 * manager in the subscription's transaction with the events that change it.
 */
@Injectable()
export class ExperimentsRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** The experiment's row, and the rows of `runs` (every run when not given). */
  async save(db: Queryable, state: ExperimentState, at: string, position: number, runs?: ReadonlySet<string>): Promise<void> {
    const c = state.created!;
    const definition = { projectIds: c.projectIds, design: c.design, variants: state.variants, seeds: state.seeds, settings: c.settings };
    await db.query(
      `INSERT INTO pm_experiments (experiment_id, name, status, definition, tokens_used, created_at, updated_at, last_position)
       VALUES ($1, $2, $3, $4, $5, $6, $6, $7)
       ON CONFLICT (experiment_id) DO UPDATE SET status = $3, definition = $4, tokens_used = $5, updated_at = $6, last_position = $7`,
      [c.experimentId, c.name, state.status, JSON.stringify(definition), state.tokensUsed, at, position],
    );
    const rows = state.runs.map((r, ord) => ({ r, ord })).filter(({ r }) => !runs || runs.has(r.runId));
    if (rows.length === 0) return;
    // The runs in one statement (an experiment has tens to hundreds).
    await db.query(
      `INSERT INTO pm_experiment_runs AS r (experiment_id, run_id, ord, variant, seed, project_id, status, attempt, simulation_id, retries, resumptions, outcome, counted, tokens, metrics)
       SELECT $1, x.run_id, x.ord, x.variant, x.seed, x.project_id, x.status, x.attempt, x.simulation_id, x.retries, x.resumptions, x.outcome, x.counted, x.tokens, x.metrics
       FROM jsonb_to_recordset($2::jsonb) AS x(run_id text, ord int, variant text, seed bigint, project_id uuid, status text, attempt int, simulation_id uuid,
         retries int, resumptions int, outcome text, counted boolean, tokens bigint, metrics jsonb)
       ON CONFLICT (experiment_id, run_id) DO UPDATE SET status = EXCLUDED.status, attempt = EXCLUDED.attempt, simulation_id = EXCLUDED.simulation_id,
         retries = EXCLUDED.retries, resumptions = EXCLUDED.resumptions, outcome = EXCLUDED.outcome, counted = EXCLUDED.counted, tokens = EXCLUDED.tokens, metrics = EXCLUDED.metrics
       WHERE (r.status, r.attempt, r.resumptions, r.counted) IS DISTINCT FROM (EXCLUDED.status, EXCLUDED.attempt, EXCLUDED.resumptions, EXCLUDED.counted)`,
      [
        c.experimentId,
        JSON.stringify(
          rows.map(({ r, ord }) => ({
            run_id: r.runId,
            ord,
            variant: r.variant,
            seed: r.seed,
            project_id: r.projectId,
            status: r.status,
            attempt: r.attempt,
            simulation_id: r.simulationId,
            retries: r.retries,
            resumptions: r.resumptions,
            outcome: r.outcome,
            counted: r.counted,
            tokens: r.tokens,
            metrics: r.metrics,
          })),
        ),
      ],
    );
  }

  /** The experiment whose run's current attempt is this simulation, if any. */
  async experimentOf(db: Queryable, simulationId: string): Promise<string | null> {
    const r = await db.query('SELECT experiment_id FROM pm_experiment_runs WHERE simulation_id = $1 LIMIT 1', [simulationId]);
    return r.rowCount ? r.rows[0].experiment_id : null;
  }

  async find(experimentId: string): Promise<ExperimentRow | null> {
    const r = await this.pool.query('SELECT * FROM pm_experiments WHERE experiment_id = $1', [experimentId]);
    return r.rowCount ? toRow(r.rows[0]) : null;
  }

  /** The runs in the order they start. */
  async runs(experimentId: string): Promise<RunRow[]> {
    const r = await this.pool.query('SELECT * FROM pm_experiment_runs WHERE experiment_id = $1 ORDER BY ord', [experimentId]);
    return r.rows.map((row) => ({
      runId: row.run_id,
      variant: row.variant,
      seed: Number(row.seed),
      projectId: row.project_id,
      status: row.status,
      attempt: row.attempt,
      simulationId: row.simulation_id,
      retries: row.retries,
      resumptions: row.resumptions,
      outcome: row.outcome,
      counted: row.counted,
      tokens: Number(row.tokens),
      metrics: row.metrics,
    }));
  }

  /** Newest first; keyset on (created_at, experiment_id). */
  async list(limit: number, after?: ListPosition): Promise<ListSlice<ExperimentSummary>> {
    const r = await this.pool.query(
      `SELECT experiment_id, name, status, created_at, updated_at, to_char(created_at AT TIME ZONE 'UTC', ${UTC_MICROS}) AS sort_at
       FROM pm_experiments
       WHERE ($1::timestamptz IS NULL OR (created_at, experiment_id) < ($1::timestamptz, $2::uuid))
       ORDER BY created_at DESC, experiment_id DESC
       LIMIT $3`,
      [after?.at ?? null, after?.id ?? null, limit + 1],
    );
    return keysetPage(r.rows, limit, 'experiment_id', (row) => ({
        experimentId: row.experiment_id,
        name: row.name,
        status: row.status,
        createdAt: row.created_at.toISOString(),
        updatedAt: row.updated_at.toISOString(),
      }));
  }
}

function toRow(row: any): ExperimentRow {
  return {
    experimentId: row.experiment_id,
    name: row.name,
    status: row.status,
    definition: row.definition,
    tokensUsed: Number(row.tokens_used),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

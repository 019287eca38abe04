import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { Queryable } from '@swe-sim/event-store';
import { PG_POOL } from '@swe-sim/service-runtime';
import { ListPosition, ListSlice, keysetPage } from '../api/cursor';
import { UTC_MICROS } from '../projects/projects.repository';
import { SimulationProcess } from './simulation-process';

export interface SimulationRow {
  simulationId: string;
  projectId: string;
  status: SimulationProcess['status'];
  process: SimulationProcess;
  startedAt: string;
  updatedAt: string;
}

export interface SimulationSummary {
  simulationId: string;
  projectId: string;
  status: SimulationProcess['status'];
  startedAt: string;
  updatedAt: string;
}

/** pm_simulations: each simulation's process state, kept by the process manager's subscription. */
@Injectable()
export class SimulationsRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async load(db: Queryable, simulationId: string): Promise<SimulationProcess | null> {
    const r = await db.query('SELECT process FROM pm_simulations WHERE simulation_id = $1', [simulationId]);
    return r.rowCount ? r.rows[0].process : null;
  }

  async save(db: Queryable, process: SimulationProcess, at: string, position: number): Promise<void> {
    await db.query(
      `INSERT INTO pm_simulations (simulation_id, project_id, status, process, started_at, updated_at, last_position)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (simulation_id) DO UPDATE SET status = $3, process = $4, updated_at = $6, last_position = $7`,
      [process.simulationId, process.projectId, process.status, JSON.stringify(process), process.startedAt, at, position],
    );
  }

  /** Newest first, optionally of one project; keyset on (started_at, simulation_id). */
  async list(
    limit: number,
    after?: ListPosition,
    projectId?: string,
  ): Promise<ListSlice<SimulationSummary>> {
    const r = await this.pool.query(
      `SELECT simulation_id, project_id, status, started_at, updated_at,
              to_char(started_at AT TIME ZONE 'UTC', ${UTC_MICROS}) AS sort_at
       FROM pm_simulations
       WHERE ($1::timestamptz IS NULL OR (started_at, simulation_id) < ($1::timestamptz, $2::uuid))
         AND ($4::uuid IS NULL OR project_id = $4::uuid)
       ORDER BY started_at DESC, simulation_id DESC
       LIMIT $3`,
      [after?.at ?? null, after?.id ?? null, limit + 1, projectId ?? null],
    );
    return keysetPage(r.rows, limit, 'simulation_id', (row) => ({
        simulationId: row.simulation_id,
        projectId: row.project_id,
        status: row.status,
        startedAt: row.started_at.toISOString(),
        updatedAt: row.updated_at.toISOString(),
      }));
  }

  async find(simulationId: string): Promise<SimulationRow | null> {
    const r = await this.pool.query('SELECT * FROM pm_simulations WHERE simulation_id = $1', [simulationId]);
    if (!r.rowCount) return null;
    const row = r.rows[0];
    return {
      simulationId: row.simulation_id,
      projectId: row.project_id,
      status: row.status,
      process: row.process,
      startedAt: row.started_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
    };
  }
}

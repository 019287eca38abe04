import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { BacklogDecomposed, BacklogDecompositionFailed, BacklogItem, BacklogSource, EventData, ProjectCreated, ProjectStaffingAssessed } from '@swe-sim/contracts';
import { Queryable } from '@swe-sim/event-store';
import { PG_POOL } from '@swe-sim/service-runtime';
import { ListPosition, ListSlice, keysetPage } from '../api/cursor';

export type BacklogStatus = 'ready' | 'pending' | 'failed';

export interface ProjectView {
  projectId: string;
  name: string;
  description: string;
  goals: string[];
  stack: string;
  requiredSkills: EventData<typeof ProjectStaffingAssessed>['requiredSkills'] | null;
  /** user: given with the project; decomposition: from the product-manager agent. */
  backlogSource: BacklogSource;
  /** ready: simulations can start; pending: the product manager is at work; failed: see backlogFailure. */
  backlogStatus: BacklogStatus;
  backlog: BacklogItem[];
  backlogFailure: { code: string; reason: string } | null;
  createdAt: string;
}

export interface ProjectSummary {
  projectId: string;
  name: string;
  stack: string;
  backlogSource: BacklogSource;
  backlogStatus: BacklogStatus;
  createdAt: string;
}

/** Sort key of list pages: the time in UTC with microseconds (what Postgres keeps), text that sorts and round-trips. */
export const UTC_MICROS = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;

/** project-management's read model of projects (table pm_projects). */
@Injectable()
export class ProjectsRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async insert(db: Queryable, p: EventData<typeof ProjectCreated>, createdAt: string, position: number): Promise<void> {
    const source = p.backlogSource ?? 'user';
    await db.query(
      `INSERT INTO pm_projects (project_id, name, description, goals, stack, backlog_source, backlog_status, backlog, created_at, last_position)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (project_id) DO NOTHING`,
      [p.projectId, p.name, p.description, JSON.stringify(p.goals), p.stack, source, source === 'user' ? 'ready' : 'pending', JSON.stringify(p.backlog), createdAt, position],
    );
  }

  async setRequiredSkills(db: Queryable, e: EventData<typeof ProjectStaffingAssessed>, position: number): Promise<void> {
    await db.query(`UPDATE pm_projects SET required_skills = $2, last_position = $3 WHERE project_id = $1`, [
      e.projectId,
      JSON.stringify(e.requiredSkills),
      position,
    ]);
  }

  /** The product manager's backlog; only a pending one takes it (as the project decider does). */
  async setDecomposedBacklog(db: Queryable, e: EventData<typeof BacklogDecomposed>, position: number): Promise<void> {
    await db.query(
      `UPDATE pm_projects SET backlog_status = 'ready', backlog = $2, last_position = $3 WHERE project_id = $1 AND backlog_status = 'pending'`,
      [e.projectId, JSON.stringify(e.backlog), position],
    );
  }

  async setDecompositionFailed(db: Queryable, e: EventData<typeof BacklogDecompositionFailed>, position: number): Promise<void> {
    await db.query(
      `UPDATE pm_projects SET backlog_status = 'failed', backlog_failure = $2, last_position = $3 WHERE project_id = $1 AND backlog_status = 'pending'`,
      [e.projectId, JSON.stringify({ code: e.code, reason: e.reason }), position],
    );
  }

  /** Newest first; a page after `after` (keyset on created_at, project_id: no gaps or repeats while projects are added). */
  async list(limit: number, after?: ListPosition): Promise<ListSlice<ProjectSummary>> {
    const r = await this.pool.query(
      `SELECT project_id, name, stack, backlog_source, backlog_status, created_at,
              to_char(created_at AT TIME ZONE 'UTC', ${UTC_MICROS}) AS sort_at
       FROM pm_projects
       WHERE $1::timestamptz IS NULL OR (created_at, project_id) < ($1::timestamptz, $2::uuid)
       ORDER BY created_at DESC, project_id DESC
       LIMIT $3`,
      [after?.at ?? null, after?.id ?? null, limit + 1],
    );
    return keysetPage(r.rows, limit, 'project_id', (row) => ({
        projectId: row.project_id,
        name: row.name,
        stack: row.stack,
        backlogSource: row.backlog_source,
        backlogStatus: row.backlog_status,
        createdAt: row.created_at.toISOString(),
      }));
  }

  async find(projectId: string): Promise<ProjectView | null> {
    const r = await this.pool.query('SELECT * FROM pm_projects WHERE project_id = $1', [projectId]);
    if (!r.rowCount) return null;
    const row = r.rows[0];
    return {
      projectId: row.project_id,
      name: row.name,
      description: row.description,
      goals: row.goals,
      stack: row.stack,
      requiredSkills: row.required_skills,
      backlogSource: row.backlog_source,
      backlogStatus: row.backlog_status,
      backlog: row.backlog,
      backlogFailure: row.backlog_failure,
      createdAt: row.created_at.toISOString(),
    };
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { EventData, ProjectCreated, ProjectStaffingAssessed } from '@swe-sim/contracts';
import { Queryable } from '@swe-sim/event-store';
import { PG_POOL } from '@swe-sim/service-runtime';

export interface ProjectView {
  projectId: string;
  name: string;
  description: string;
  goals: string[];
  stack: string;
  requiredSkills: EventData<typeof ProjectStaffingAssessed>['requiredSkills'] | null;
  createdAt: string;
}

/** project-management's read model of projects (table pm_projects). */
@Injectable()
export class ProjectsRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async insert(db: Queryable, p: EventData<typeof ProjectCreated>, createdAt: string, position: number): Promise<void> {
    await db.query(
      `INSERT INTO pm_projects (project_id, name, description, goals, stack, created_at, last_position)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (project_id) DO NOTHING`,
      [p.projectId, p.name, p.description, JSON.stringify(p.goals), p.stack, createdAt, position],
    );
  }

  async setRequiredSkills(db: Queryable, e: EventData<typeof ProjectStaffingAssessed>, position: number): Promise<void> {
    await db.query(`UPDATE pm_projects SET required_skills = $2, last_position = $3 WHERE project_id = $1`, [
      e.projectId,
      JSON.stringify(e.requiredSkills),
      position,
    ]);
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
      createdAt: row.created_at.toISOString(),
    };
  }
}

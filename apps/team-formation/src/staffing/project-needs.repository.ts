import { Injectable } from '@nestjs/common';
import { Queryable } from '@swe-sim/event-store';

/** team-formation's record of what each project needs (table tf_project_needs). */
@Injectable()
export class ProjectNeedsRepository {
  /** True when this call recorded the project (false: it was already there). */
  async record(db: Queryable, projectId: string, stack: string, requiredSkills: unknown): Promise<boolean> {
    const r = await db.query(
      `INSERT INTO tf_project_needs (project_id, stack, required_skills) VALUES ($1, $2, $3) ON CONFLICT (project_id) DO NOTHING`,
      [projectId, stack, JSON.stringify(requiredSkills)],
    );
    return r.rowCount === 1;
  }

  /** The needs as reassessed (after a backlog decomposition). */
  async update(db: Queryable, projectId: string, requiredSkills: unknown): Promise<void> {
    await db.query('UPDATE tf_project_needs SET required_skills = $2 WHERE project_id = $1', [projectId, JSON.stringify(requiredSkills)]);
  }
}

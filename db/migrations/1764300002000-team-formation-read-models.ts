import { MigrationInterface, QueryRunner } from 'typeorm';

/** team-formation's projections. */
export class TeamFormationReadModels1764300002000 implements MigrationInterface {
  name = 'TeamFormationReadModels1764300002000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tf_project_needs (
        project_id      uuid PRIMARY KEY,
        stack           text  NOT NULL,
        required_skills jsonb NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE tf_project_needs`);
  }
}

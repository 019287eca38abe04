import { MigrationInterface, QueryRunner } from 'typeorm';

/** Features done per simulation: their tests join every later integration's acceptance run. */
export class AgentExecutionFeaturesDone1764300007000 implements MigrationInterface {
  name = 'AgentExecutionFeaturesDone1764300007000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ae_features_done (
        simulation_id uuid NOT NULL,
        feature_id    text NOT NULL,
        PRIMARY KEY (simulation_id, feature_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ae_features_done`);
  }
}

import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { ALL_MIGRATIONS } from './all-migrations';

const MIGRATION_LOCK = 7_346_001; // any constant; serialises concurrent `migrate` runs

/** Applies every pending migration, one transaction each, under an advisory lock. Idempotent. */
export async function migrate(databaseUrl: string, log: (line: string) => void = () => {}): Promise<string[]> {
  const lock = new Client({ connectionString: databaseUrl });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const ds = new DataSource({
      type: 'postgres',
      url: databaseUrl,
      migrations: ALL_MIGRATIONS,
      migrationsTableName: 'schema_migrations',
      logging: false,
    });
    await ds.initialize();
    try {
      const applied = await ds.runMigrations({ transaction: 'each' });
      applied.forEach((m) => log(`applied ${m.name}`));
      return applied.map((m) => m.name);
    } finally {
      await ds.destroy();
    }
  } finally {
    await lock.end();
  }
}

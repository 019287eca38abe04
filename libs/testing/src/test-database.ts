import { createHash, randomBytes } from 'node:crypto';
import { Client, Pool } from 'pg';
import { ALL_MIGRATIONS } from '../../../db/all-migrations';
import { migrate } from '../../../db/migrate';

export const ADMIN_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://swe_sim:swe_sim@127.0.0.1:5432/swe_sim';

export interface TestDatabase {
  url: string;
  name: string;
  pool: Pool;
  drop(): Promise<void>;
}

function urlFor(name: string): string {
  const u = new URL(ADMIN_DATABASE_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

/** A migrated template, made once per migration set, copied for each test file (fast and isolated). */
async function ensureTemplate(admin: Client): Promise<string> {
  // Keyed by the migrations' code, so an edited migration gets a new template.
  const key = createHash('sha256').update(ALL_MIGRATIONS.map((m) => m.name + m.prototype.up.toString()).join(',')).digest('hex').slice(0, 12);
  const name = `swe_sim_tmpl_${key}`;
  await admin.query('SELECT pg_advisory_lock(7346002)');
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!exists.rowCount) {
      const building = `${name}_building`;
      await admin.query(`DROP DATABASE IF EXISTS ${building}`);
      await admin.query(`CREATE DATABASE ${building}`);
      await migrate(urlFor(building));
      await admin.query(`ALTER DATABASE ${building} RENAME TO ${name}`);
    }
  } finally {
    await admin.query('SELECT pg_advisory_unlock(7346002)');
  }
  return name;
}

/** A fresh, migrated database of its own for one test file. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const admin = new Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  const name = `swe_sim_t_${randomBytes(6).toString('hex')}`;
  try {
    const template = await ensureTemplate(admin);
    await admin.query('SELECT pg_advisory_lock(7346003)'); // copies of one template must not overlap
    try {
      await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
    } finally {
      await admin.query('SELECT pg_advisory_unlock(7346003)');
    }
  } finally {
    await admin.end();
  }
  const url = urlFor(name);
  const pool = new Pool({ connectionString: url, max: 10 });
  return {
    url,
    name,
    pool,
    async drop() {
      await pool.end();
      const c = new Client({ connectionString: ADMIN_DATABASE_URL });
      await c.connect();
      // A pool's end() resolves once its clients are asked to close, not once they have: give their
      // backends a moment to go, or FORCE kills them mid-goodbye and their pool (often with no error
      // listener) throws an unhandled error into the test run.
      for (let waited = 0; waited < 3_000; waited += 50) {
        const r = await c.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]);
        if (r.rows[0].n === 0) break;
        await new Promise((res) => setTimeout(res, 50));
      }
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

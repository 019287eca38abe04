/**
 * A PostgreSQL instance of the chaos run's own: initdb into a temporary directory (as the postgres
 * OS user when run as root), on a free port of 127.0.0.1, max_connections 100. The chaos driver
 * restarts it (pg_ctl restart) without touching the machine's main cluster, which others share.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from './chaos-util';

export const PG_BIN = process.env.CHAOS_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface PostgresInstance {
  port: number;
  dir: string;
  /** A database URL for `name` (role swe_sim). */
  url(name: string): string;
  /** Creates an empty database owned by swe_sim. */
  createDatabase(name: string, template?: string): Promise<void>;
  /** pg_ctl restart (mode fast: every connection is cut, the server is down for a moment). */
  restart(): Promise<{ downMs: number }>;
  /** Stops the server and removes its directory. Idempotent; safe in an exit handler (synchronous). */
  destroy(): void;
}

function asPostgres(): { uid: number; gid: number } | null {
  if (userInfo().uid !== 0) return null;
  const r = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (r.status !== 0 || g.status !== 0) throw new Error('running as root, but there is no postgres OS user to run the chaos Postgres as');
  return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

export async function startPostgresInstance(log: (msg: string) => void = () => {}): Promise<PostgresInstance> {
  const owner = asPostgres();
  const dir = mkdtempSync(join(tmpdir(), 'swe-sim-chaos-pg-'));
  const data = join(dir, 'data');
  const logFile = join(dir, 'postgres.log');
  if (owner) {
    chownSync(dir, owner.uid, owner.gid);
    chmodSync(dir, 0o700);
  }
  const run = (bin: string, args: string[], timeoutMs = 60_000) => {
    const [cmd, argv] = owner ? ['runuser', ['-u', 'postgres', '--', join(PG_BIN, bin), ...args]] : [join(PG_BIN, bin), args];
    return execFileSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs, cwd: dir });
  };
  /** The same, without blocking the event loop (the supervisor and the kill loop go on meanwhile). */
  const runAsync = (bin: string, args: string[], timeoutMs = 60_000) =>
    new Promise<void>((resolve, reject) => {
      const [cmd, argv] = owner ? ['runuser', ['-u', 'postgres', '--', join(PG_BIN, bin), ...args]] : [join(PG_BIN, bin), args];
      execFile(cmd, argv, { timeout: timeoutMs, cwd: dir }, (err, _out, stderr) => (err ? reject(new Error(`${bin}: ${err.message} ${stderr}`)) : resolve()));
    });
  let destroyed = false;
  const destroy = () => {
    if (destroyed) return;
    destroyed = true;
    try {
      if (existsSync(join(data, 'postmaster.pid'))) run('pg_ctl', ['-D', data, 'stop', '-m', 'immediate', '-w', '-t', '20'], 30_000);
    } catch {
      // already stopped
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync', '--locale=C.UTF-8'], 120_000);
    const port = await freePort();
    // Only 127.0.0.1, its socket in its own directory; fsync off: a test instance, restarted gracefully.
    const options = [`-p ${port}`, `-k ${dir}`, `-c listen_addresses=127.0.0.1`, '-c max_connections=100', '-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off', '-c shared_buffers=64MB'].join(' ');
    const start = () => run('pg_ctl', ['-D', data, '-o', options, '-l', logFile, '-w', '-t', '60', 'start'], 90_000);
    start();
    log(`chaos postgres: ${data} on 127.0.0.1:${port}`);
    const admin = new Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
    await admin.connect();
    try {
      await admin.query(`CREATE ROLE swe_sim LOGIN PASSWORD 'swe_sim' CREATEDB`);
    } finally {
      await admin.end();
    }
    const url = (name: string) => `postgres://swe_sim:swe_sim@127.0.0.1:${port}/${name}`;
    return {
      port,
      dir,
      url,
      async createDatabase(name, template) {
        const c = new Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
        await c.connect();
        try {
          await c.query(`CREATE DATABASE ${name} OWNER swe_sim${template ? ` TEMPLATE ${template}` : ''}`);
        } finally {
          await c.end();
        }
      },
      async restart() {
        const t0 = Date.now();
        await runAsync('pg_ctl', ['-D', data, '-o', options, '-l', logFile, '-m', 'fast', '-w', '-t', '60', 'restart'], 90_000);
        return { downMs: Date.now() - t0 };
      },
      destroy,
    };
  } catch (err) {
    const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-2000) : '';
    destroy();
    throw new Error(`could not start the chaos Postgres: ${(err as Error).message}${tail ? `\n${tail}` : ''}`);
  }
}

/**
 * `node --require dist/bench/support/sql-census.preload.js`: counts the SQL statements this process
 * sends through node-postgres (by statement, its first words) and the rows they return, and writes
 * `<service>-<pid>.sql.json` into BENCH_SQL_CENSUS_DIR when the process exits. For the load
 * benchmark (BENCH_LOAD_SQL_CENSUS): where the round trips per LLM call come from. SIGUSR2 resets it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const dir = process.env.BENCH_SQL_CENSUS_DIR;
if (dir) {
  // The application's own pg (same resolution from the repository's node_modules).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pg = require('pg') as typeof import('pg');
  const census = new Map<string, { n: number; rows: number }>();
  // Its beginning and its WHERE: reads of the same columns differ only there.
  const keyOf = (text: string) => {
    const t = text.replace(/\s+/g, ' ').trim();
    const where = t.indexOf(' WHERE ');
    return where > 80 ? `${t.slice(0, 60)} … ${t.slice(where + 1, where + 90)}` : t.slice(0, 150);
  };
  const proto = pg.Client.prototype as any;
  const original = proto.query;
  proto.query = function (config: any, values?: any, callback?: any) {
    const text = typeof config === 'string' ? config : config?.text;
    if (typeof text !== 'string') return original.call(this, config, values, callback);
    const entry = census.get(keyOf(text)) ?? census.set(keyOf(text), { n: 0, rows: 0 }).get(keyOf(text))!;
    entry.n++;
    const result = original.call(this, config, values, callback);
    if (result && typeof result.then === 'function') {
      result.then(
        (r: any) => (entry.rows += r?.rows?.length ?? 0),
        () => undefined,
      );
    }
    return result;
  };
  // SIGUSR2 starts the count afresh (the benchmark sends it when its measured span starts).
  process.on('SIGUSR2', () => census.clear());
  process.once('exit', () => {
    const name = basename(dirname(dirname(process.argv[1] ?? 'node')));
    mkdirSync(dir, { recursive: true });
    const rows = [...census].sort((a, b) => b[1].n - a[1].n).map(([sql, c]) => ({ sql, ...c }));
    writeFileSync(join(dir, `${name}-${process.pid}.sql.json`), JSON.stringify(rows, null, 1));
  });
}

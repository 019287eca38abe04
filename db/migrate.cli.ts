import { migrate } from './migrate';

const url = process.env.DATABASE_URL;
if (!url) {
  console.error('DATABASE_URL is required, e.g. postgres://swe_sim:swe_sim@127.0.0.1:5432/swe_sim');
  process.exit(2);
}
migrate(url, (l) => console.log(l)).then(
  (applied) => console.log(applied.length ? `migrations applied: ${applied.length}` : 'schema up to date'),
  (err) => {
    console.error(`migration failed: ${err.message}`);
    process.exit(1);
  },
);

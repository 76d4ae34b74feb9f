/**
 * Reads a run directory with DuckDB, independently of the toolkit's own Polars reader, following
 * the README's rules: steps.parquet and states.parquet as they are; attempts from attempts.parquet
 * plus the part files attempts/step-NNNNNN.parquet of later steps, keeping only steps that
 * steps.parquet lists (a part written after the last committed step is not part of the run).
 * Prints {steps, states, attempts, stats} as JSON.
 *
 * DuckDB is a test-only dependency: run this outside the project's lockfile and node_modules,
 *   deno run --no-lock --no-config --node-modules-dir=none -A tools/duckdb_read.ts <run-dir>
 * (tests/parquet_reader_test.ts does), so a normal install never downloads it.
 */
// Inline on purpose: a dependency in deno.json would enter deno.lock and every install.
// deno-lint-ignore no-import-prefix
import { DuckDBInstance } from "npm:@duckdb/node-api@1.5.6-r.1";

const dir = Deno.args[0];
if (dir === undefined) {
  console.error("usage: tools/duckdb_read.ts <run-dir>");
  Deno.exit(2);
}
const exists = (path: string) => {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
};
const quote = (path: string) => `'${path.replaceAll("'", "''")}'`;
const db = await DuckDBInstance.create(":memory:");
const sql = await db.connect();
const rows = async (query: string) => (await sql.runAndReadAll(query)).getRowObjectsJson();

await sql.run(`CREATE VIEW steps AS SELECT * FROM read_parquet(${quote(`${dir}/steps.parquet`)})`);
await sql.run(`CREATE VIEW states AS SELECT * FROM read_parquet(${quote(`${dir}/states.parquet`)})`);
const sources: string[] = [];
if (exists(`${dir}/attempts.parquet`)) {
  sources.push(`SELECT * FROM read_parquet(${quote(`${dir}/attempts.parquet`)})`);
}
const parts = exists(`${dir}/attempts`) &&
  [...Deno.readDirSync(`${dir}/attempts`)].some((e) => e.name.endsWith(".parquet"));
if (parts) {
  const consolidated = sources.length > 0 ? `(SELECT coalesce(max(step), -1) FROM (${sources[0]}))` : "-1";
  sources.push(
    `SELECT * FROM read_parquet(${quote(`${dir}/attempts/step-*.parquet`)}) WHERE step > ${consolidated}`,
  );
}
if (sources.length === 0) throw new Error(`${dir}: no attempts.parquet and no attempts/ part files`);
await sql.run(
  `CREATE VIEW attempts AS SELECT * FROM (${sources.join(" UNION ALL BY NAME ")}) ` +
    `WHERE step < (SELECT count(*) FROM steps)`,
);
// counts are BIGINT, which DuckDB writes to JSON as strings
const stats = (await rows(`SELECT
  (SELECT count(*) FROM attempts)::INTEGER AS attempts,
  (SELECT count(*) FILTER (WHERE valid) FROM attempts)::INTEGER AS valid,
  (SELECT count(*) FILTER (WHERE value IS NULL) FROM attempts)::INTEGER AS value_nulls,
  (SELECT max(value) FROM attempts) AS max_value,
  (SELECT min(value) FROM attempts) AS min_value,
  (SELECT sum(reward) FROM attempts) AS sum_reward,
  (SELECT count(*) FROM steps)::INTEGER AS steps,
  (SELECT count(*) FROM states)::INTEGER AS states,
  (SELECT count(*) FILTER (WHERE isnan(value)) FROM attempts)::INTEGER AS value_nans`))[0];
console.log(JSON.stringify({
  steps: await rows("SELECT * FROM steps ORDER BY step"),
  states: await rows("SELECT * FROM states ORDER BY id"),
  attempts: await rows(`SELECT * FROM attempts ORDER BY step, "group", rollout`),
  stats,
}));

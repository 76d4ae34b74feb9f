/**
 * A run read by an independent reader: DuckDB (a test-only dependency, run in its own process
 * outside the project's lockfile, tools/duckdb_read.ts) against the toolkit's Polars reader, mid-run
 * (attempts only in attempts/ part files) and finished (attempts.parquet). Same counts, same values,
 * and missing values are null (SQL aggregates skip them) rather than NaN.
 */
import { discover } from "../lib/loop.ts";
import { ATTEMPT_COLUMNS, frameToRows, snakeCase, STATE_COLUMNS, STEP_COLUMNS } from "../lib/tables.ts";
import { readRunTables } from "../lib/store.ts";
import { assert, assertEquals } from "./assert.ts";

type Row = Record<string, unknown>;

async function duckdb(dir: string): Promise<{ steps: Row[]; states: Row[]; attempts: Row[]; stats: Row }> {
  const script = new URL("../tools/duckdb_read.ts", import.meta.url).pathname;
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-lock", "--no-config", "--node-modules-dir=none", "-A", script, dir],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(stderr);
  assertEquals(code, 0, err.split("\n").filter((l) => !/Download|Initialize/.test(l)).join("\n"));
  return JSON.parse(new TextDecoder().decode(stdout));
}

/** The Polars rows in DuckDB's JSON form: snake_case keys, null for a missing float. */
function asJson<T>(spec: { readonly [K in keyof T]-?: string }, rows: T[]): Row[] {
  return rows.map((row) =>
    Object.fromEntries(
      Object.keys(spec).map((field) => {
        const value = (row as Row)[field];
        return [snakeCase(field), typeof value === "number" && Number.isNaN(value) ? null : value];
      }),
    )
  );
}

function compare(dir: string, duck: Awaited<ReturnType<typeof duckdb>>): void {
  const tables = readRunTables(dir);
  const steps = frameToRows(STEP_COLUMNS, tables.steps);
  const states = frameToRows(STATE_COLUMNS, tables.states).sort((a, b) => a.id - b.id);
  const attempts = frameToRows(ATTEMPT_COLUMNS, tables.attempts)
    .sort((a, b) => a.step - b.step || a.group - b.group || a.rollout - b.rollout);
  assertEquals(duck.stats.steps, steps.length);
  assertEquals(duck.stats.states, states.length);
  assertEquals(duck.stats.attempts, attempts.length);
  assertEquals(duck.stats.valid, attempts.filter((a) => a.valid).length);
  assertEquals(duck.stats.value_nans, 0);
  assertEquals(duck.stats.value_nulls, attempts.filter((a) => Number.isNaN(a.value)).length);
  const values = attempts.map((a) => a.value).filter((v) => !Number.isNaN(v));
  assertEquals(duck.stats.max_value, Math.max(...values));
  assertEquals(duck.steps, asJson(STEP_COLUMNS, steps));
  assertEquals(duck.states, asJson(STATE_COLUMNS, states));
  assertEquals(duck.attempts, asJson(ATTEMPT_COLUMNS, attempts));
}

Deno.test("DuckDB reads a run as the toolkit does: mid-run from part files, then finished", async () => {
  const out = Deno.makeTempDirSync({ prefix: "ttt-parquet-reader-" });
  try {
    let checkedLive = false, runDir = "";
    // Small and seeded; invalid attempts are likely in the first steps from random starts.
    for await (
      const report of discover({
        config: { problem: "erdos", steps: 3, groups: 2, groupSize: 6, seed: 3 },
        out,
      })
    ) {
      runDir = report.runDir!;
      if (report.step === 1) {
        assert(Deno.statSync(`${runDir}/attempts`).isDirectory, "no attempts/ while the run is live");
        compare(runDir, await duckdb(runDir));
        checkedLive = true;
      }
    }
    assert(checkedLive);
    assert(Deno.statSync(`${runDir}/attempts.parquet`).isFile);
    const finished = await duckdb(runDir);
    assertEquals(finished.stats.steps, 3);
    assertEquals(finished.stats.attempts, 3 * 2 * 6);
    compare(runDir, finished);
  } finally {
    Deno.removeSync(out, { recursive: true });
  }
});

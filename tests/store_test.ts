import assert from "node:assert/strict";
import { join } from "node:path";
import pl from "nodejs-polars";
import type { AttemptRow, StateRow, StepRow } from "../lib/records.ts";
import {
  type BestRecord,
  newRunId,
  readRunTables,
  type RunCheckpoint,
  RunStore,
  RunStoreError,
  type StepCommit,
} from "../lib/store.ts";
import {
  ATTEMPT_COLUMNS,
  frameToRows,
  rowsToFrame,
  type RunTable,
  STEP_COLUMNS,
  TableFormatError,
} from "../lib/tables.ts";

/** A run table is a Polars DataFrame; its column types (Parquet's) are read through Polars. */
const polars = (table: RunTable) => table as pl.DataFrame;

const CONFIG = { problem: "erdos", seed: 1, steps: 3, nested: { lr: 4e-5 } };

function attempt(step: number, rollout: number): AttemptRow {
  const valid = rollout % 3 !== 0;
  return {
    step,
    group: rollout % 2,
    rollout,
    parentId: rollout - 1,
    childId: valid ? 100 * step + rollout : -1,
    valid,
    value: valid ? 0.38 + rollout / 1000 : NaN,
    reward: valid ? -0.38 - rollout / 1000 : 0,
    advantage: rollout === 1 ? NaN : rollout / 7,
    error: valid ? "" : `timeout after ${rollout} ms\n"quoted"`,
    durationMs: 12.5 + rollout,
    cutShort: rollout === 1,
    program: rollout === 2 ? "" : `move ${step} ${rollout} ✓`,
    tokens: 10 + rollout,
  };
}

function state(id: number, step: number): StateRow {
  return {
    id,
    parentId: id === 0 ? -1 : id - 1,
    depth: id,
    value: 0.4 - id / 100,
    reward: -0.4 + id / 100,
    visits: id,
    bestChildReward: id === 0 ? NaN : -0.3,
    step,
    initial: id === 0,
    state: JSON.stringify([id, 0.5, 1]),
  };
}

function stepRow(step: number): StepRow {
  return {
    step,
    rollouts: 4,
    valid: 2,
    best: 0.39 - step / 100,
    stepBestReward: -0.39,
    meanReward: step === 0 ? NaN : -0.45,
    bestReward: -0.38,
    beta: 2.5,
    kl: 0.001 * step,
    loss: -0.1,
    archiveSize: step + 1,
    temperature: 1,
    flatGroups: 0,
    selectMs: 0.5,
    sampleMs: 10,
    evaluateMs: 20,
    updateMs: 5,
    storeMs: 3,
    totalMs: 38.5,
    elapsedMs: 40 * (step + 1),
  };
}

function commitFor(step: number, rollouts = 4): StepCommit {
  const best: BestRecord = {
    problem: "erdos",
    quantity: "C",
    direction: "minimize",
    value: 0.39 - step / 100,
    reward: -0.39 + step / 100,
    stateId: step,
    step,
    certified: { method: "exact rational", value: 0.39 },
    construction: [0.5, 1, NaN],
  };
  const checkpoint: RunCheckpoint = {
    completedSteps: step + 1,
    archive: { states: [{ id: 0, m: NaN }] },
    policy: { weights: [1, 2, 3] },
    loop: { rng: step },
  };
  return {
    attempts: Array.from({ length: rollouts }, (_, rollout) => attempt(step, rollout)),
    step: stepRow(step),
    states: Array.from({ length: step + 1 }, (_, id) => state(id, id)),
    best,
    checkpoint,
  };
}

/** Runs a store action that must fail, and returns its RunStoreError. */
async function storeError(action: () => unknown): Promise<RunStoreError> {
  try {
    await action();
  } catch (error) {
    if (error instanceof RunStoreError) return error;
    throw error;
  }
  assert.fail("expected a RunStoreError");
}

async function assertStoreError(action: () => unknown, message: RegExp | string): Promise<void> {
  const error = await storeError(action);
  if (typeof message === "string") assert.ok(error.message.includes(message), error.message);
  else assert.match(error.message, message);
}

const roots: string[] = [];

async function tempRunDir(): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "ttt-store-test-" });
  roots.push(root);
  return join(root, "runs", "erdos", "run-1");
}

async function runWithSteps(dir: string, count: number): Promise<StepCommit[]> {
  const store = await RunStore.create(dir, CONFIG);
  const commits = Array.from({ length: count }, (_, step) => commitFor(step));
  for (const commit of commits) await store.commitStep(commit);
  store.release();
  return commits;
}

/** Every file under dir with its size, mtime and bytes, to prove that a failed open wrote nothing. */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  async function walk(sub: string) {
    for await (const entry of Deno.readDir(join(dir, sub))) {
      const path = join(sub, entry.name);
      if (entry.isDirectory) {
        await walk(path);
        continue;
      }
      const info = await Deno.stat(join(dir, path));
      const bytes = await Deno.readFile(join(dir, path));
      const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
      files.set(path, `${info.size} ${info.mtime?.getTime()} ${digest.join(",")}`);
    }
  }
  await walk("");
  return files;
}

async function assertOpenFails(dir: string, message: RegExp): Promise<void> {
  const before = await snapshot(dir).catch(() => new Map());
  await assertStoreError(() => RunStore.open(dir), message);
  assert.deepEqual(await snapshot(dir).catch(() => new Map()), before);
}

async function listing(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

Deno.test("commit, open: every row, the config and the checkpoint come back equal", async () => {
  const dir = await tempRunDir();
  const commits = await runWithSteps(dir, 3);
  const resumed = await RunStore.open(dir);
  assert.deepEqual(resumed.config, CONFIG);
  assert.deepEqual(resumed.checkpoint, commits[2].checkpoint); // NaN survives JSON
  assert.deepEqual(resumed.attempts, commits.flatMap((commit) => commit.attempts));
  assert.deepEqual(resumed.steps, commits.map((commit) => commit.step));
  assert.deepEqual(resumed.store.completedSteps, 3);
  resumed.store.release();
});

Deno.test("a resumed store continues, and finish() consolidates without losing a row", async () => {
  const dir = await tempRunDir();
  const commits = await runWithSteps(dir, 2);
  const resumed = await RunStore.open(dir);
  const third = commitFor(2);
  await resumed.store.commitStep(third);
  await resumed.store.finish();
  resumed.store.release();
  assert.deepEqual(await listing(dir), [
    "attempts.parquet",
    "best.json",
    "checkpoint.json",
    "config.json",
    "states.parquet",
    "steps.parquet",
  ]);
  const reopened = await RunStore.open(dir);
  assert.deepEqual(reopened.attempts, [...commits, third].flatMap((commit) => commit.attempts));
  // Continue after finish: new parts join the consolidated table.
  await reopened.store.commitStep(commitFor(3));
  reopened.store.release();
  const again = await RunStore.open(dir);
  again.store.release();
  assert.deepEqual(again.attempts.length, 16);
  assert.deepEqual(again.steps.map((row) => row.step), [0, 1, 2, 3]);
});

Deno.test("readRunTables gives snake_case frames with the rows and types written", async () => {
  const dir = await tempRunDir();
  const commits = await runWithSteps(dir, 3);
  const tables = readRunTables(dir);
  assert.deepEqual(tables.attempts.height, 12);
  assert.deepEqual(tables.attempts.columns.slice(0, 5), [
    "step",
    "group",
    "rollout",
    "parent_id",
    "child_id",
  ]);
  assert.deepEqual(String(polars(tables.attempts).getColumn("step").dtype), "DataType(Int32)");
  assert.deepEqual(String(polars(tables.attempts).getColumn("valid").dtype), "DataType(Bool)");
  assert.deepEqual(String(polars(tables.attempts).getColumn("program").dtype), "DataType(String)");
  // Missing floats are null in Parquet (NaN in rows), so SQL aggregates skip them.
  assert.deepEqual(polars(tables.steps).getColumn("mean_reward").toArray()[0], null);
  const invalid =
    (polars(tables.attempts).getColumn("valid").toArray() as boolean[]).filter((v) => !v).length;
  assert.ok(invalid > 0);
  assert.deepEqual(polars(tables.attempts).getColumn("value").nullCount(), invalid);
  assert.deepEqual(tables.states.height, 3);
  assert.deepEqual(polars(tables.states).getColumn("best_child_reward").toArray()[0], null);
  assert.deepEqual(tables.best, commits[2].best);
  assert.deepEqual(tables.config, CONFIG);
});

Deno.test("zero rows still write and read with the full schema", async () => {
  const dir = await tempRunDir();
  const store = await RunStore.create(dir, CONFIG);
  const empty = { ...commitFor(0, 0), states: [], step: { ...stepRow(0), rollouts: 0, archiveSize: 0 } };
  await store.commitStep(empty);
  await store.finish();
  store.release();
  const tables = readRunTables(dir);
  assert.deepEqual(tables.attempts.height, 0);
  assert.deepEqual(tables.attempts.columns.length, Object.keys(ATTEMPT_COLUMNS).length);
  assert.deepEqual(String(polars(tables.attempts).getColumn("tokens").dtype), "DataType(Int32)");
  assert.deepEqual(tables.states.columns.length, 10);
  const reopened = await RunStore.open(dir);
  reopened.store.release();
  assert.deepEqual(reopened.attempts, []);
});

Deno.test("open() drops rows written after the last checkpoint", async () => {
  const dir = await tempRunDir();
  const commits = await runWithSteps(dir, 3);
  // A crash inside commitStep of step 3: its attempts and steps landed, the checkpoint did not.
  const partial = commitFor(3);
  const stepsWithExtra = rowsToFrame(
    STEP_COLUMNS,
    [...commits.map((commit) => commit.step), partial.step],
  );
  await Deno.writeFile(join(dir, "steps.parquet"), stepsWithExtra.writeParquet());
  await Deno.writeFile(
    join(dir, "attempts", "step-000003.parquet"),
    rowsToFrame(ATTEMPT_COLUMNS, partial.attempts).writeParquet(),
  );
  // ...and a consolidated table that also holds step 3's rows (an interrupted finish of a later run).
  await Deno.writeFile(
    join(dir, "attempts.parquet"),
    rowsToFrame(ATTEMPT_COLUMNS, [...commits, partial].flatMap((commit) => commit.attempts)).writeParquet(),
  );
  const resumed = await RunStore.open(dir);
  assert.deepEqual(resumed.attempts, commits.flatMap((commit) => commit.attempts));
  assert.deepEqual(resumed.steps.length, 3);
  assert.deepEqual(readRunTables(dir).attempts.height, 12);
  assert.deepEqual(readRunTables(dir).steps.height, 3);
  // Committing step 3 again replaces the torn step's files, with no duplicates.
  await resumed.store.commitStep(partial);
  await resumed.store.finish();
  resumed.store.release();
  const after = await RunStore.open(dir);
  after.store.release();
  assert.deepEqual(after.attempts, [...commits, partial].flatMap((commit) => commit.attempts));
});

Deno.test("open() refuses a broken run with a clear error and changes nothing", async (t) => {
  await t.step("missing directory", async () => {
    await assertOpenFails(join(await tempRunDir(), "nope"), /does not exist/);
  });
  await t.step("missing config", async () => {
    const dir = await tempRunDir();
    await runWithSteps(dir, 1);
    await Deno.remove(join(dir, "config.json"));
    await assertOpenFails(dir, /config\.json is missing: it is not a run directory/);
  });
  await t.step("missing checkpoint", async () => {
    const dir = await tempRunDir();
    (await RunStore.create(dir, CONFIG)).release();
    await assertOpenFails(dir, /checkpoint\.json is missing: the run never completed a step/);
  });
  await t.step("corrupt checkpoint JSON", async () => {
    const dir = await tempRunDir();
    await runWithSteps(dir, 2);
    await Deno.writeTextFile(join(dir, "checkpoint.json"), '{"completedSteps": 2, "archive": [');
    await assertOpenFails(dir, /checkpoint\.json is not valid JSON/);
  });
  await t.step("checkpoint of the wrong shape", async () => {
    const dir = await tempRunDir();
    await runWithSteps(dir, 2);
    await Deno.writeTextFile(join(dir, "checkpoint.json"), '{"completedSteps": "two"}');
    await assertOpenFails(dir, /checkpoint\.json has the wrong shape[^]*completedSteps/);
  });
  await t.step("corrupt config JSON", async () => {
    const dir = await tempRunDir();
    await runWithSteps(dir, 1);
    await Deno.writeTextFile(join(dir, "config.json"), "not json");
    await assertOpenFails(dir, /config\.json is not valid JSON/);
  });
  await t.step("corrupt steps.parquet", async () => {
    const dir = await tempRunDir();
    await runWithSteps(dir, 2);
    await Deno.writeTextFile(join(dir, "steps.parquet"), "PAR1 garbage");
    await assertOpenFails(dir, /steps\.parquet is not a readable Parquet file/);
  });
  await t.step("truncated attempt part", async () => {
    const dir = await tempRunDir();
    await runWithSteps(dir, 2);
    const part = join(dir, "attempts", "step-000001.parquet");
    const bytes = await Deno.readFile(part);
    await Deno.writeFile(part, bytes.subarray(0, bytes.length >> 1));
    await assertOpenFails(dir, /step-000001\.parquet is not a readable Parquet file/);
  });
  await t.step("Parquet with a missing column", async () => {
    const dir = await tempRunDir();
    await runWithSteps(dir, 1);
    await Deno.writeFile(
      join(dir, "steps.parquet"),
      pl.DataFrame({ step: pl.Series("step", [0], pl.Int32) }).writeParquet(),
    );
    await assertOpenFails(dir, /steps\.parquet does not have the expected columns: missing column rollouts/);
  });
  await t.step("checkpoint ahead of steps.parquet", async () => {
    const dir = await tempRunDir();
    await runWithSteps(dir, 2);
    const checkpoint = JSON.parse(await Deno.readTextFile(join(dir, "checkpoint.json")));
    await Deno.writeTextFile(
      join(dir, "checkpoint.json"),
      JSON.stringify({ ...checkpoint, completedSteps: 5 }),
    );
    await assertOpenFails(dir, /holds 2 committed steps but checkpoint\.json says 5/);
  });
});

Deno.test("create() refuses a non-empty directory and accepts an empty one", async () => {
  const dir = await tempRunDir();
  await Deno.mkdir(dir, { recursive: true });
  (await RunStore.create(dir, CONFIG)).release(); // empty: fine
  await assertStoreError(() => RunStore.create(dir, CONFIG), /already exists and is not empty/);
  await assertStoreError(() => RunStore.create(join(dir, "other"), [1, 2]), "JSON object");
  assert.deepEqual(JSON.parse(await Deno.readTextFile(join(dir, "config.json"))), CONFIG);
});

Deno.test("createNew() takes the next free suffix when the run id is taken, also by two at once", async () => {
  const parent = await tempRunDir();
  const first = await RunStore.createNew(parent, "2026-12-05T18-46-56-seed0", CONFIG);
  const [second, third] = await Promise.all([
    RunStore.createNew(parent, "2026-12-05T18-46-56-seed0", CONFIG),
    RunStore.createNew(parent, "2026-12-05T18-46-56-seed0", CONFIG),
  ]);
  const names = [first, second, third].map((s) => s.dir.slice(parent.length + 1)).sort();
  assert.deepEqual(names, [
    "2026-12-05T18-46-56-seed0",
    "2026-12-05T18-46-56-seed0-2",
    "2026-12-05T18-46-56-seed0-3",
  ]);
  for (const store of [first, second, third]) store.release();
  // Any other refusal is not a taken id: it is thrown, not skipped.
  await assertStoreError(() => RunStore.createNew(parent, "bad", [1, 2]), "JSON object");
});

Deno.test("commitStep rejects out-of-order steps and mislabelled rows before writing", async () => {
  const dir = await tempRunDir();
  const store = await RunStore.create(dir, CONFIG);
  await assertStoreError(() => store.commitStep(commitFor(1)), "expected to commit step 0");
  const mislabelled = commitFor(0);
  mislabelled.attempts = [attempt(0, 0), attempt(5, 1)];
  await assertStoreError(() => store.commitStep(mislabelled), "attempt row of step 5");
  const badCheckpoint = commitFor(0);
  badCheckpoint.checkpoint = { ...badCheckpoint.checkpoint, completedSteps: 0 };
  await assertStoreError(() => store.commitStep(badCheckpoint), "completedSteps must be 1");
  const fractional = commitFor(0);
  fractional.attempts = [{ ...attempt(0, 0), tokens: 1.5 }];
  await assertStoreError(() => store.commitStep(fractional), "tokens should be int");
  store.release();
  assert.deepEqual(await listing(dir), ["config.json"]);
});

Deno.test("atomic writes leave no temporary files behind", async () => {
  const dir = await tempRunDir();
  const store = await RunStore.create(dir, CONFIG);
  for (let step = 0; step < 3; step++) await store.commitStep(commitFor(step));
  await store.writeText("report.svg", "<svg/>");
  await store.writeText("report.svg", "<svg></svg>");
  assert.deepEqual(await Deno.readTextFile(join(dir, "report.svg")), "<svg></svg>");
  const all = [...await listing(dir), ...await listing(join(dir, "attempts"))];
  assert.ok(!all.some((name) => name.endsWith(".tmp") || name.startsWith(".")), all.join(" "));
  await store.finish();
  assert.ok(!(await listing(dir)).some((name) => name.endsWith(".tmp")));
  await assertStoreError(() => store.writeText("../escape.svg", ""), "plain file name");
  await assertStoreError(() => store.writeText("checkpoint.json", "{}"), "belongs to the run store");
  store.release();
});

Deno.test("readRunTables before any step explains why it has no best state", async () => {
  const dir = await tempRunDir();
  (await RunStore.create(dir, CONFIG)).release();
  await assertStoreError(() => readRunTables(dir), "has not completed a step yet");
});

Deno.test("newRunId is sortable, filesystem-safe and carries the seed", () => {
  assert.deepEqual(newRunId("erdos", 1, new Date("2026-11-29T20:51:03.456Z")), "2026-11-29T20-51-03-seed1");
});

Deno.test("writeText may replace best.json (with a certified value) but not the tables or checkpoint", async () => {
  const dir = await tempRunDir();
  const [commit] = await runWithSteps(dir, 1);
  const store = (await RunStore.open(dir)).store;
  const certified = { ...commit.best, certified: { method: "exact", value: 0.3809 } };
  await store.writeText("best.json", JSON.stringify(certified));
  assert.deepEqual(readRunTables(dir).best.certified, certified.certified);
  // Plain JSON.stringify writes NaN as null; reading maps it back to NaN instead of failing.
  await store.writeText("best.json", JSON.stringify({ ...commit.best, value: NaN }));
  assert.deepEqual(readRunTables(dir).best.value, NaN);
  for (
    const name of ["config.json", "checkpoint.json", "steps.parquet", "states.parquet", "attempts.parquet"]
  ) {
    await assertStoreError(() => store.writeText(name, ""), "belongs to the run store");
  }
  store.release();
});

Deno.test("a second process cannot open a run another process holds; the lock dies with its holder", async () => {
  const dir = await tempRunDir();
  await runWithSteps(dir, 2);
  const store = new URL("../lib/store.ts", import.meta.url).href;
  const holder = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `const { RunStore } = await import(${JSON.stringify(store)});
       await RunStore.open(${JSON.stringify(dir)});
       console.log("holding");
       await new Response(Deno.stdin.readable).text();`,
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = holder.stdout.pipeThrough(new TextDecoderStream()).getReader();
  assert.deepEqual((await reader.read()).value?.trim(), "holding");
  const before = await snapshot(dir);
  await assertStoreError(
    () => RunStore.open(dir),
    /run directory .* is in use by another process \(it holds the lock on the run directory\)/,
  );
  assert.deepEqual(await snapshot(dir), before);
  // Killed without a chance to clean up: the kernel drops its lock.
  holder.kill("SIGKILL");
  await holder.status;
  await reader.cancel();
  await holder.stdin.close().catch(() => {});
  const resumed = await RunStore.open(dir);
  assert.deepEqual(resumed.store.completedSteps, 2);
  resumed.store.release();
  resumed.store.release(); // twice is harmless
  await assertStoreError(() => resumed.store.commitStep(commitFor(2)), "was released");
});

Deno.test("open() refuses a run whose tables no longer agree with steps.parquet", async (t) => {
  await t.step("attempts.parquet deleted after finish()", async () => {
    const dir = await tempRunDir();
    await runWithSteps(dir, 3);
    const { store } = await RunStore.open(dir);
    await store.finish();
    store.release();
    await Deno.remove(join(dir, "attempts.parquet"));
    await assertOpenFails(
      dir,
      /is incomplete: the attempt tables hold 0 rows for step 0 but steps\.parquet records 4 rollouts \(3 of 3 steps disagree; was attempts\.parquet or a file in attempts\/ deleted\?\)/,
    );
  });
  await t.step("one step's attempt part deleted", async () => {
    const dir = await tempRunDir();
    await runWithSteps(dir, 3);
    await Deno.remove(join(dir, "attempts", "step-000001.parquet"));
    await assertOpenFails(dir, /hold 0 rows for step 1 but steps\.parquet records 4 rollouts \(1 of 3/);
  });
  await t.step("states.parquet deleted", async () => {
    const dir = await tempRunDir();
    await runWithSteps(dir, 2);
    await Deno.remove(join(dir, "states.parquet"));
    await assertOpenFails(dir, /states\.parquet is missing; resume refuses/);
  });
});

Deno.test("store tests leave nothing in the temp dir", async () => {
  for (const root of roots) await Deno.remove(root, { recursive: true });
});

Deno.test("frameToRows refuses what is not a run table, with a message", () => {
  const notATable = { height: 0, width: 0, columns: [] } as unknown as RunTable;
  assert.throws(() => frameToRows(STEP_COLUMNS, notATable), TableFormatError);
  assert.deepEqual(frameToRows(STEP_COLUMNS, rowsToFrame(STEP_COLUMNS, [])), []);
});

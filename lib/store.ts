/**
 * The run directory, `runs/<problem>/<run-id>/`:
 *
 *   config.json            the resolved configuration (written once, by create)
 *   attempts/step-NNNNNN.parquet   one file per committed step with that step's rollouts
 *   attempts.parquet       all rollouts in one table, written by finish() from the part files
 *   states.parquet         the archive after the last committed step
 *   steps.parquet          one summary row per step
 *   best.json              the best state so far
 *   checkpoint.json        what the loop needs to continue; written last, so it marks the commit
 *
 * Why per-step attempt files: rewriting one attempts table of 50k rows costs ~200 ms (mostly moving
 * the program strings from JS into Polars), ~7% of a 3 s step, and grows with the run. A part file
 * costs the same at step 1 and step 100. finish() consolidates; readers accept either form.
 *
 * One process at a time: create() and open() take an exclusive lock (flock) on the run directory, held
 * until release() (discover releases it when the run ends); a second process is refused with a
 * message. The kernel drops the lock when a process dies, so a killed run can be resumed at once.
 *
 * Every file is replaced atomically (lib/atomic.ts). A crash inside commitStep leaves files of the
 * unfinished step next to the previous checkpoint; readers drop every row with step >= the
 * checkpoint's completedSteps, so a resumed run neither loses nor duplicates a row.
 */
import { join } from "node:path";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import pl from "nodejs-polars";
import { z } from "zod";
import type { AttemptRow, StateRow, StepRow } from "./records.ts";
import { syncDirectory, writeFileAtomic } from "./atomic.ts";
import { decodeJson, encodeJson } from "./json.ts";
import {
  ATTEMPT_COLUMNS,
  checkFrame,
  frameToRows,
  rowsToFrame,
  type RunTable,
  STATE_COLUMNS,
  STEP_COLUMNS,
  type TableSpec,
} from "./tables.ts";

/** best.json: the best state of a run, with its value verified and (where the problem can) certified. */
export interface BestRecord {
  /** The problem's name. */
  problem: string;
  /** The published quantity's name, e.g. C5. */
  quantity: string;
  /** Which way is better. */
  direction: "minimize" | "maximize";
  /** The verified value. */
  value: number;
  /** Its reward. */
  reward: number;
  /** Its id in the archive. */
  stateId: number;
  /** The step that found it. */
  step: number;
  /** The value recomputed by an independent check, and how. */
  certified?: { method: string; value: number };
  /** The construction, as JSON. */
  construction: unknown;
}

export interface RunCheckpoint {
  /** Steps 0 .. completedSteps-1 are committed. */
  completedSteps: number;
  archive: unknown;
  policy: unknown;
  loop: unknown;
}

export interface ResumedRun {
  store: RunStore;
  config: Record<string, unknown>;
  checkpoint: RunCheckpoint;
  attempts: AttemptRow[];
  steps: StepRow[];
}

/** A run directory as readRunTables reads it: its tables (snake_case columns, as in the files) and JSON. */
export interface RunTables {
  /** attempts.parquet: one row per rollout (README, "How to read a run"). */
  attempts: RunTable;
  /** states.parquet: the archive. */
  states: RunTable;
  /** steps.parquet: one row per step. */
  steps: RunTable;
  /** best.json. */
  best: BestRecord;
  /** config.json: the resolved configuration and the software versions. */
  config: Record<string, unknown>;
}

export interface StepCommit {
  /** Only this step's new rollouts. */
  attempts: readonly AttemptRow[];
  step: StepRow;
  /** The whole archive after this step. */
  states: readonly StateRow[];
  best: BestRecord;
  checkpoint: RunCheckpoint;
}

/** Any problem with a run directory; the message says which file and what to do. */
export class RunStoreError extends Error {
  /** Always "RunStoreError". */
  override name = "RunStoreError";
}

/** The run directory already holds a run, or another process holds it. */
export class RunTakenError extends RunStoreError {}

const FILE = {
  config: "config.json",
  checkpoint: "checkpoint.json",
  best: "best.json",
  attempts: "attempts.parquet",
  attemptParts: "attempts",
  states: "states.parquet",
  steps: "steps.parquet",
} as const;

/** Files whose consistency resume depends on. best.json is not among them: the loop rewrites it at the
 * end with the certified value. */
const PROTECTED_FILES: ReadonlySet<string> = new Set(
  Object.values(FILE).filter((name) => name !== FILE.best),
);

/**
 * Tables rewritten every step use lz4: on archive-sized string columns zstd costs 2-3x more time
 * (31 vs 13 ms for 1000 states of 100 heights). Attempt files are written once, so zstd's smaller
 * files win there (and on 50k attempt rows it is as fast as lz4).
 */
const REWRITTEN = { compression: "lz4" } as const;
const WRITTEN_ONCE = { compression: "zstd" } as const;

// Zod's z.number() refuses NaN and the infinities, which a run may legitimately hold.
const anyNumber = z.custom<number>((value) => typeof value === "number", "expected a number");
/** best.json may also come from plain JSON.stringify (the loop's final rewrite), which writes NaN as null. */
const jsonNumber = z.union([anyNumber, z.null().transform(() => NaN)]);

const ConfigSchema = z.record(z.string(), z.unknown());

const CheckpointSchema = z.looseObject({
  completedSteps: z.number().int().nonnegative(),
  archive: z.unknown(),
  policy: z.unknown(),
  loop: z.unknown(),
});

const BestSchema = z.looseObject({
  problem: z.string(),
  quantity: z.string(),
  direction: z.enum(["minimize", "maximize"]),
  value: jsonNumber,
  reward: jsonNumber,
  stateId: z.number().int(),
  step: z.number().int(),
  certified: z.object({ method: z.string(), value: jsonNumber }).optional(),
  construction: z.unknown(),
});

/** Takes the run's lock, or throws the message a second process sees. */
function lockRun(dir: string): Deno.FsFile {
  // The directory itself, not a file in it: config.json is replaced atomically (a new inode).
  const file = Deno.openSync(dir, { read: true });
  let locked = false;
  try {
    locked = file.tryLockSync(true);
  } finally {
    if (!locked) file.close();
  }
  if (!locked) {
    throw new RunTakenError(
      `run directory ${dir} is in use by another process (it holds the lock on the run directory); ` +
        "wait for that run to end or stop it, then resume",
    );
  }
  return file;
}

export class RunStore {
  readonly dir: string;
  #completedSteps: number;
  #steps: StepRow[];
  #committing = false;
  #lock: Deno.FsFile | undefined;

  private constructor(dir: string, completedSteps: number, steps: StepRow[], lock: Deno.FsFile) {
    this.dir = dir;
    this.#completedSteps = completedSteps;
    this.#steps = steps;
    this.#lock = lock;
  }

  /** Lets another process open the run; this store writes nothing more. Safe to call again. */
  release(): void {
    const lock = this.#lock;
    this.#lock = undefined;
    if (!lock) return;
    try {
      lock.unlockSync();
    } finally {
      lock.close();
    }
  }

  #requireLock(): void {
    if (!this.#lock) throw new RunStoreError(`the store of ${this.dir} was released; open it again to write`);
  }

  /** Steps committed so far (the next commit must be this step). */
  get completedSteps(): number {
    return this.#completedSteps;
  }

  /** Starts a new run in `dir`, which must be missing or empty. */
  static async create(dir: string, config: unknown): Promise<RunStore> {
    const parsed = ConfigSchema.safeParse(config);
    if (!parsed.success) throw new RunStoreError(`run config must be a JSON object, got ${typeof config}`);
    if (existsSync(dir)) {
      if (!statSync(dir).isDirectory()) throw new RunStoreError(`${dir} exists and is not a directory`);
      if (readdirSync(dir).length > 0) {
        throw new RunTakenError(
          `run directory ${dir} already exists and is not empty; pick another run id, or resume it`,
        );
      }
    }
    await Deno.mkdir(dir, { recursive: true });
    // Two processes creating the same run id: the one that gets the lock and still finds the
    // directory empty writes it; the other is refused.
    const lock = lockRun(dir);
    try {
      if (readdirSync(dir).length > 0) {
        throw new RunTakenError(
          `run directory ${dir} already exists and is not empty; pick another run id, or resume it`,
        );
      }
      await writeFileAtomic(join(dir, FILE.config), encodeJson(config, true) + "\n");
    } catch (error) {
      lock.unlockSync();
      lock.close();
      throw error;
    }
    return new RunStore(dir, 0, [], lock);
  }

  /**
   * Starts a new run in `<parent>/<id>`, or `<id>-2`, `<id>-3`, ... when that one is taken: two
   * runs of one problem and seed started in the same second (a benchmark launching targets side
   * by side) each get a directory instead of the second one failing.
   */
  static async createNew(parent: string, id: string, config: unknown): Promise<RunStore> {
    for (let k = 1;; k++) {
      try {
        return await RunStore.create(join(parent, k === 1 ? id : `${id}-${k}`), config);
      } catch (error) {
        if (!(error instanceof RunTakenError) || k >= 100) throw error;
      }
    }
  }

  /** Reopens a run for resuming. Reads only: a failed open leaves the directory exactly as it was. */
  static open(dir: string): Promise<ResumedRun> {
    // Synchronous reads inside, under the lock: no other process writes while a run opens.
    return Promise.resolve().then(() => {
      requireRunDirectory(dir);
      if (!existsSync(join(dir, FILE.config))) {
        throw new RunStoreError(`${join(dir, FILE.config)} is missing: it is not a run directory`);
      }
      const lock = lockRun(dir);
      try {
        const opened = openLocked(dir);
        return { ...opened, store: new RunStore(dir, opened.steps.length, [...opened.steps], lock) };
      } catch (error) {
        lock.unlockSync();
        lock.close();
        throw error;
      }
    });
  }

  /**
   * Persists one finished step. The checkpoint is written last: until it lands, readers and resume
   * see the previous step as the last one.
   */
  async commitStep(commit: StepCommit): Promise<{ ms: number }> {
    const started = performance.now();
    if (this.#committing) throw new RunStoreError("commitStep called again before the previous one finished");
    this.#requireLock();
    this.#committing = true;
    try {
      const { attempts, step, states, best, checkpoint } = commit;
      this.#checkCommit(commit);
      const steps = [...this.#steps, step];
      const attemptFrame = toFrame(FILE.attemptParts, ATTEMPT_COLUMNS, attempts);
      const stepFrame = toFrame(FILE.steps, STEP_COLUMNS, steps);
      const stateFrame = toFrame(FILE.states, STATE_COLUMNS, states);

      const partsDir = join(this.dir, FILE.attemptParts);
      await Deno.mkdir(partsDir, { recursive: true });
      await writeParquet(join(partsDir, partFileName(step.step)), attemptFrame, WRITTEN_ONCE);
      await writeParquet(join(this.dir, FILE.steps), stepFrame, REWRITTEN);
      await writeParquet(join(this.dir, FILE.states), stateFrame, REWRITTEN);
      await writeFileAtomic(join(this.dir, FILE.best), encodeJson(best, true) + "\n");
      await syncDirectory(partsDir);
      await writeFileAtomic(join(this.dir, FILE.checkpoint), encodeJson(checkpoint));
      await syncDirectory(this.dir);

      this.#steps = steps;
      this.#completedSteps = checkpoint.completedSteps;
    } finally {
      this.#committing = false;
    }
    return { ms: performance.now() - started };
  }

  #checkCommit({ attempts, step, best, checkpoint }: StepCommit): void {
    if (step.step !== this.#completedSteps) {
      throw new RunStoreError(`expected to commit step ${this.#completedSteps}, got step ${step.step}`);
    }
    if (checkpoint.completedSteps !== step.step + 1) {
      throw new RunStoreError(
        `checkpoint.completedSteps must be ${
          step.step + 1
        } after step ${step.step}, got ${checkpoint.completedSteps}`,
      );
    }
    const stray = attempts.find((row) => row.step !== step.step);
    if (stray) throw new RunStoreError(`step ${step.step} was given an attempt row of step ${stray.step}`);
    const parsedBest = BestSchema.safeParse(best);
    if (!parsedBest.success) {
      throw new RunStoreError(`invalid best record: ${z.prettifyError(parsedBest.error)}`);
    }
  }

  /** Atomically writes a report file (report.svg, or best.json with a certified value) into the run. */
  async writeText(name: string, content: string): Promise<void> {
    if (!/^[\w.-]+$/.test(name) || name.startsWith(".")) {
      throw new RunStoreError(`report name ${JSON.stringify(name)} must be a plain file name`);
    }
    if (PROTECTED_FILES.has(name)) {
      throw new RunStoreError(`${name} belongs to the run store and cannot be replaced`);
    }
    this.#requireLock();
    await writeFileAtomic(join(this.dir, name), content);
  }

  /** Rewrites steps.parquet, merges the per-step attempt files into attempts.parquet and removes them. Safe to call again. */
  async finish(): Promise<void> {
    this.#requireLock();
    // The loop completes a step row's store and total times after its commit; persist them now.
    await writeParquet(join(this.dir, FILE.steps), toFrame(FILE.steps, STEP_COLUMNS, this.#steps), REWRITTEN);
    const attempts = readAttemptsFrame(this.dir, this.#completedSteps);
    await writeParquet(join(this.dir, FILE.attempts), attempts, WRITTEN_ONCE);
    await syncDirectory(this.dir);
    // A crash from here on leaves part files that readers skip: attempts.parquet already covers them.
    await Deno.remove(join(this.dir, FILE.attemptParts), { recursive: true }).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
  }
}

/** The body of open(), run while holding the lock. */
function openLocked(dir: string): Omit<ResumedRun, "store"> {
  const config = readJsonFile(dir, FILE.config, ConfigSchema, "it is not a run directory");
  const checkpoint = readJsonFile(
    dir,
    FILE.checkpoint,
    CheckpointSchema,
    "the run never completed a step, so there is nothing to resume; start a new run",
  );
  const done = checkpoint.completedSteps;
  const steps = frameToRowsOrThrow(dir, FILE.steps, STEP_COLUMNS, committed(readStepsFrame(dir), done));
  steps.forEach((row, index) => {
    if (row.step !== index) {
      throw new RunStoreError(
        `${join(dir, FILE.steps)} does not hold steps 0..${
          done - 1
        } in order (row ${index} is step ${row.step})`,
      );
    }
  });
  if (steps.length !== done) {
    throw new RunStoreError(
      `${join(dir, FILE.steps)} holds ${steps.length} committed steps but checkpoint.json says ${done}`,
    );
  }
  const attempts = frameToRowsOrThrow(dir, "attempts", ATTEMPT_COLUMNS, readAttemptsFrame(dir, done));
  checkTablesAgree(dir, steps, attempts);
  return {
    config,
    checkpoint: checkpoint as RunCheckpoint,
    attempts,
    steps: [...steps],
  };
}

/**
 * Resume refuses a run whose tables disagree with steps.parquet (a deleted or replaced
 * attempts.parquet, a lost part file, a missing states.parquet): continuing would silently
 * write a run with holes in it.
 */
function checkTablesAgree(dir: string, steps: readonly StepRow[], attempts: readonly AttemptRow[]): void {
  const perStep = new Map<number, number>();
  for (const row of attempts) perStep.set(row.step, (perStep.get(row.step) ?? 0) + 1);
  const short = steps.filter((row) => (perStep.get(row.step) ?? 0) !== row.rollouts);
  if (short.length > 0) {
    const first = short[0];
    throw new RunStoreError(
      `${dir} is incomplete: the attempt tables hold ${
        perStep.get(first.step) ?? 0
      } rows for step ${first.step} ` +
        `but steps.parquet records ${first.rollouts} rollouts (${short.length} of ${steps.length} steps disagree; ` +
        `was ${FILE.attempts} or a file in ${FILE.attemptParts}/ deleted?); resume refuses to continue it`,
    );
  }
  const last = steps.at(-1);
  if (!last) return;
  if (!existsSync(join(dir, FILE.states))) {
    throw new RunStoreError(`${join(dir, FILE.states)} is missing; resume refuses to continue the run`);
  }
  const states = readParquet(dir, FILE.states, STATE_COLUMNS).height;
  if (states !== last.archiveSize) {
    throw new RunStoreError(
      `${join(dir, FILE.states)} holds ${states} states but step ${last.step} left ${last.archiveSize} ` +
        "in the archive; resume refuses to continue the run",
    );
  }
}

/** Loads a run's tables for a notebook: only committed steps, snake_case columns as in the files. */
export function readRunTables(dir: string): RunTables {
  requireRunDirectory(dir);
  const config = readJsonFile(dir, FILE.config, ConfigSchema, "it is not a run directory");
  const best = readJsonFile(dir, FILE.best, BestSchema, "the run has not completed a step yet") as BestRecord;
  const done = existsSync(join(dir, FILE.checkpoint))
    ? readJsonFile(dir, FILE.checkpoint, CheckpointSchema, "").completedSteps
    : 0;
  const states = existsSync(join(dir, FILE.states))
    ? readParquet(dir, FILE.states, STATE_COLUMNS)
    : rowsToFrame(STATE_COLUMNS, []);
  return {
    attempts: readAttemptsFrame(dir, done),
    states: committed(states, done),
    steps: committed(readStepsFrame(dir), done),
    best,
    config,
  };
}

/** A sortable, filesystem-safe id from the start time (UTC, to the second) and the seed. */
export function newRunId(_problem: string, seed: number, date: Date = new Date()): string {
  return `${date.toISOString().slice(0, 19).replaceAll(":", "-")}-seed${seed}`;
}

// ---------------------------------------------------------------------------------------------
// Reading

function requireRunDirectory(dir: string): void {
  if (!existsSync(dir)) throw new RunStoreError(`run directory ${dir} does not exist`);
  if (!statSync(dir).isDirectory()) throw new RunStoreError(`${dir} is not a directory`);
}

function readJsonFile<T>(dir: string, name: string, schema: z.ZodType<T>, ifMissing: string): T {
  const path = join(dir, name);
  if (!existsSync(path)) throw new RunStoreError(`${path} is missing${ifMissing ? `: ${ifMissing}` : ""}`);
  let value: unknown;
  try {
    value = decodeJson(readFileSync(path, "utf8"));
  } catch (error) {
    throw new RunStoreError(`${path} is not valid JSON (${(error as Error).message}); the file is corrupt`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new RunStoreError(`${path} has the wrong shape: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

function readParquet<Row>(dir: string, name: string, spec: TableSpec<Row>): pl.DataFrame {
  const path = join(dir, name);
  let frame: pl.DataFrame;
  try {
    frame = pl.readParquet(path);
  } catch (error) {
    throw new RunStoreError(`${path} is not a readable Parquet file (${(error as Error).message})`);
  }
  try {
    checkFrame(spec, frame);
  } catch (error) {
    throw new RunStoreError(`${path} does not have the expected columns: ${(error as Error).message}`);
  }
  return frame;
}

function readStepsFrame(dir: string): pl.DataFrame {
  return existsSync(join(dir, FILE.steps))
    ? readParquet(dir, FILE.steps, STEP_COLUMNS)
    : rowsToFrame(STEP_COLUMNS, []);
}

/** Rows of committed steps only: anything at or past `completedSteps` is from an unfinished commit. */
function committed(frame: pl.DataFrame, completedSteps: number): pl.DataFrame {
  return frame.filter(pl.col("step").lt(completedSteps));
}

const PART_PATTERN = /^step-(\d+)\.parquet$/;

function partFileName(step: number): string {
  return `step-${String(step).padStart(6, "0")}.parquet`;
}

/**
 * All committed attempts: attempts.parquet (if finish() ran) plus the part files of later steps.
 * Parts of steps that attempts.parquet already holds are left over from an interrupted finish().
 */
function readAttemptsFrame(dir: string, completedSteps: number): pl.DataFrame {
  const frames: pl.DataFrame[] = [];
  let consolidatedThrough = -1;
  if (existsSync(join(dir, FILE.attempts))) {
    const consolidated = readParquet(dir, FILE.attempts, ATTEMPT_COLUMNS);
    if (consolidated.height > 0) consolidatedThrough = Number(consolidated.getColumn("step").max());
    frames.push(consolidated);
  }
  const partsDir = join(dir, FILE.attemptParts);
  if (existsSync(partsDir)) {
    const parts = readdirSync(partsDir)
      .map((name) => ({ name, step: Number(PART_PATTERN.exec(name)?.[1] ?? NaN) }))
      .filter(({ step }) => step > consolidatedThrough && step < completedSteps)
      .sort((a, b) => a.step - b.step);
    for (const { name } of parts) {
      frames.push(readParquet(dir, join(FILE.attemptParts, name), ATTEMPT_COLUMNS));
    }
  }
  const all = frames.length > 0 ? pl.concat(frames.map(normalized)) : rowsToFrame(ATTEMPT_COLUMNS, []);
  return committed(all, completedSteps);
}

/** Casts to the written schema, so frames from other writers (Int64, Float32) concatenate. */
function normalized(frame: pl.DataFrame): pl.DataFrame {
  const empty = rowsToFrame(ATTEMPT_COLUMNS, []);
  return frame.select(
    ...empty.columns.map((name) => pl.col(name).cast(empty.getColumn(name).dtype)),
  );
}

function frameToRowsOrThrow<Row>(
  dir: string,
  name: string,
  spec: TableSpec<Row>,
  frame: pl.DataFrame,
): Row[] {
  try {
    return frameToRows(spec, frame);
  } catch (error) {
    throw new RunStoreError(`${join(dir, name)}: ${(error as Error).message}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Writing

function toFrame<Row>(table: string, spec: TableSpec<Row>, rows: readonly Row[]): pl.DataFrame {
  try {
    return rowsToFrame(spec, rows);
  } catch (error) {
    throw new RunStoreError(`cannot store ${table}: ${(error as Error).message}`);
  }
}

async function writeParquet(
  path: string,
  frame: pl.DataFrame,
  options: typeof REWRITTEN | typeof WRITTEN_ONCE,
): Promise<void> {
  await writeFileAtomic(path, frame.writeParquet(options));
}

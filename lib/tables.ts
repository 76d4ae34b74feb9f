/**
 * The Parquet schema of each run table, and the conversion between row objects (camelCase, as in
 * records.ts) and Polars DataFrames (snake_case columns). One spec per table keeps writing, reading
 * and the empty-table schema in agreement.
 */
import pl from "nodejs-polars";
import type { AttemptRow, StateRow, StepRow } from "./records.ts";

/** The type of a table column: Int32, Float64, Bool or Utf8 in Parquet. */
export type ColumnKind = "int" | "float" | "bool" | "string";

/** One column kind per row field; the Parquet column is the field's snake_case name. */
export type TableSpec<Row> = { readonly [K in keyof Row]-?: ColumnKind };

/** attempts.parquet: one row per rollout. */
export const ATTEMPT_COLUMNS: TableSpec<AttemptRow> = {
  step: "int",
  group: "int",
  rollout: "int",
  parentId: "int",
  childId: "int",
  valid: "bool",
  value: "float",
  reward: "float",
  advantage: "float",
  error: "string",
  durationMs: "float",
  cutShort: "bool",
  program: "string",
  tokens: "int",
};

/** states.parquet: one row per archive state. */
export const STATE_COLUMNS: TableSpec<StateRow> = {
  id: "int",
  parentId: "int",
  depth: "int",
  value: "float",
  reward: "float",
  visits: "int",
  bestChildReward: "float",
  step: "int",
  initial: "bool",
  state: "string",
};

/** steps.parquet: one row per step. */
export const STEP_COLUMNS: TableSpec<StepRow> = {
  step: "int",
  rollouts: "int",
  valid: "int",
  best: "float",
  stepBestReward: "float",
  meanReward: "float",
  bestReward: "float",
  beta: "float",
  kl: "float",
  loss: "float",
  archiveSize: "int",
  temperature: "float",
  flatGroups: "float",
  selectMs: "float",
  sampleMs: "float",
  evaluateMs: "float",
  updateMs: "float",
  storeMs: "float",
  totalMs: "float",
  elapsedMs: "float",
};

/**
 * A run table as `readRunTables` reads it, with the Parquet file's snake_case columns. It is a
 * nodejs-polars DataFrame; the members here are the part of its API this toolkit promises. For the
 * rest (`withColumns`, `groupBy`, ...) import Polars and its type: `tables.attempts as DataFrame`,
 * with `import type { DataFrame } from "nodejs-polars"`. `frameToRows` gives its rows typed.
 */
export interface RunTable {
  /** Rows. */
  readonly height: number;
  /** Columns. */
  readonly width: number;
  /** Column names (snake_case). */
  readonly columns: string[];
  /** Every row as an object keyed by column name (a missing value is null; an Int64 may be a bigint). */
  toRecords(): Record<string, unknown>[];
  /** A table of these columns only. */
  select(...columns: string[]): RunTable;
  /** The first `length` rows (default 5). */
  head(length?: number): RunTable;
  /** The last `length` rows (default 5). */
  tail(length?: number): RunTable;
  /** The table drawn as text. */
  toString(): string;
}

/** A row or file that does not fit its table's schema. */
export class TableFormatError extends Error {}

export function snakeCase(field: string): string {
  return field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

const WRITE_TYPES = { int: pl.Int32, float: pl.Float64, bool: pl.Bool, string: pl.Utf8 } as const;

// Types a reader accepts per kind: other writers (pandas, older versions) may widen ints or floats.
const INT_TYPES = ["Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64"];
const READ_TYPES: Record<ColumnKind, readonly string[]> = {
  int: INT_TYPES,
  float: ["Float32", "Float64", ...INT_TYPES],
  bool: ["Bool"],
  string: ["Utf8", "String"],
};

const INT32_MAX = 2 ** 31 - 1;

function fits(kind: ColumnKind, value: unknown): boolean {
  switch (kind) {
    case "int":
      return Number.isInteger(value) && Math.abs(value as number) <= INT32_MAX;
    case "float":
      return typeof value === "number";
    case "bool":
      return typeof value === "boolean";
    case "string":
      return typeof value === "string";
  }
}

function fields<Row>(spec: TableSpec<Row>): (keyof Row & string)[] {
  return Object.keys(spec) as (keyof Row & string)[];
}

/** Builds a typed DataFrame; zero rows still give every column with its type. */
export function rowsToFrame<Row>(spec: TableSpec<Row>, rows: readonly Row[]): pl.DataFrame {
  const columns: Record<string, pl.Series> = {};
  for (const field of fields(spec)) {
    const kind = spec[field];
    const values = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const value = rows[i][field];
      if (!fits(kind, value)) {
        throw new TableFormatError(`row ${i}: field ${field} should be ${kind}, got ${String(value)}`);
      }
      // A missing float (an invalid attempt's value, a step without an update's beta/kl/loss) is
      // NaN in a row and null in Parquet, so SQL readers skip it instead of max() returning NaN.
      values[i] = kind === "float" && Number.isNaN(value) ? null : value;
    }
    const name = snakeCase(field);
    columns[name] = pl.Series(name, values, WRITE_TYPES[kind]);
  }
  return pl.DataFrame(columns);
}

/** Checks that every column exists with a type compatible with its kind. */
export function checkFrame<Row>(spec: TableSpec<Row>, frame: pl.DataFrame): void {
  for (const field of fields(spec)) {
    const name = snakeCase(field);
    if (!frame.columns.includes(name)) throw new TableFormatError(`missing column ${name}`);
    const type = frame.getColumn(name).dtype.variant;
    if (!READ_TYPES[spec[field]].includes(type)) {
      throw new TableFormatError(`column ${name} has type ${type}, expected ${spec[field]}`);
    }
  }
}

/**
 * A run table's rows, typed by its spec (e.g. `frameToRows(STEP_COLUMNS, tables.steps)` gives
 * StepRow[]), after checking its columns; missing floats (null, or NaN from older runs) become NaN.
 */
export function frameToRows<Row>(spec: TableSpec<Row>, frame: RunTable): Row[] {
  if (!pl.DataFrame.isDataFrame(frame)) {
    throw new TableFormatError("not a run table: expected a nodejs-polars DataFrame, as readRunTables gives");
  }
  checkFrame(spec, frame);
  const columns = new Map<keyof Row & string, unknown[]>();
  for (const field of fields(spec)) {
    const name = snakeCase(field);
    const kind = spec[field];
    const series = frame.getColumn(name);
    let values = series.toArray() as unknown[];
    if (series.nullCount() > 0) {
      if (kind !== "float") throw new TableFormatError(`column ${name} has missing values`);
      values = values.map((value) => value ?? NaN);
    }
    if (kind === "int" || kind === "float") values = values.map(Number); // Int64 may arrive as bigint
    columns.set(field, values);
  }
  const rows = new Array<Row>(frame.height);
  for (let i = 0; i < frame.height; i++) {
    const row: Record<string, unknown> = {};
    for (const [field, values] of columns) row[field] = values[i];
    rows[i] = row as Row;
  }
  return rows;
}

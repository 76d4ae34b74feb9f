/**
 * One HiGHS (WebAssembly) runtime per process and a small LP entry point in CSR form:
 *   minimise cost . x  subject to  rowLower <= A x <= rowUpper,  colLower <= x <= colUpper.
 * Iteration limits (counts, never wall time) keep moves deterministic.
 */
import highsModule from "highs";
import type { Highs } from "highs";

// The package's CommonJS typings make the default export look like a namespace to Deno.
const loadHighs = highsModule as unknown as () => Promise<Highs>;
let runtime: Promise<Highs> | null = null;

/** The shared runtime (instantiating it costs tens of ms, so it is done once). */
export function highsRuntime(): Promise<Highs> {
  runtime ??= loadHighs();
  return runtime;
}

export interface SparseLp {
  readonly numCols: number;
  readonly colCost: Float64Array;
  /** Use -Infinity / Infinity for free bounds. */
  readonly colLower: Float64Array;
  readonly colUpper: Float64Array;
  readonly rowLower: Float64Array;
  readonly rowUpper: Float64Array;
  /** Row-major sparse matrix: row r holds indices[starts[r]..starts[r+1]). */
  readonly starts: Int32Array;
  readonly indices: Int32Array | number[];
  readonly values: Float64Array | number[];
  readonly simplexIterationLimit?: number;
  /** Primal and dual feasibility tolerance (HiGHS's default: 1e-7). */
  readonly feasibilityTolerance?: number;
  /**
   * Epoch ms: a solve still running there returns null. Only for callers under a deadline (a
   * rollout's), where a late answer is worth nothing; it makes such a solve machine-dependent.
   * HiGHS's time_limit counts from the start of its run, so it is set from the time left just
   * before the run: building and passing a large model (a few hundred ms at a million nonzeros)
   * counts against the deadline too.
   */
  readonly deadline?: number;
  /** HiGHS's presolve (default: on). It does not watch time_limit (see MinimaxOptions.presolve). */
  readonly presolve?: boolean;
}

/** Converts +-Infinity to the runtime's own infinity. */
function finiteBounds(bounds: Float64Array, infinity: number): Float64Array {
  return bounds.map((b) => (b === Infinity ? infinity : b === -Infinity ? -infinity : b));
}

/** Solves the LP; returns the primal solution, or null unless HiGHS reports "optimal". */
export async function solveSparseLp(lp: SparseLp): Promise<Float64Array | null> {
  const rt = await highsRuntime();
  const numRows = lp.rowLower.length;
  return rt.withModel({
    numCols: lp.numCols,
    numRows,
    colCost: lp.colCost,
    colLower: finiteBounds(lp.colLower, rt.infinity),
    colUpper: finiteBounds(lp.colUpper, rt.infinity),
    rowLower: finiteBounds(lp.rowLower, rt.infinity),
    rowUpper: finiteBounds(lp.rowUpper, rt.infinity),
    matrix: {
      format: "csr",
      numRows,
      numCols: lp.numCols,
      starts: lp.starts,
      indices: Int32Array.from(lp.indices),
      values: Float64Array.from(lp.values),
    },
  }, (model) => {
    const tolerance = lp.feasibilityTolerance;
    model.options.set({
      output_flag: false,
      ...(lp.presolve === false ? { presolve: "off" } : {}),
      simplex_iteration_limit: lp.simplexIterationLimit ?? 50_000,
      ...(lp.deadline === undefined
        ? {}
        : { time_limit: Math.max(0.001, (lp.deadline - Date.now()) / 1000) }),
      ...(tolerance === undefined
        ? {}
        : { primal_feasibility_tolerance: tolerance, dual_feasibility_tolerance: tolerance }),
    });
    // Out of time already (building and passing the model took it): no presolve, no simplex.
    if (lp.deadline !== undefined && Date.now() >= lp.deadline) return null;
    model.run();
    if (model.getModelStatus() !== rt.constants.modelStatus.optimal) return null;
    return Float64Array.from(model.getSolution().colValue);
  });
}

/** One linearised constraint of a minimax step: value + coefficients . d <= t. */
export interface MinimaxRow {
  readonly value: number;
  /** Coefficients of d by index; zeros may be left out. */
  readonly indices: readonly number[];
  readonly coefficients: readonly number[];
}

export interface MinimaxOptions {
  /** Simplex iterations at most (a count: deterministic); HiGHS's default here is 50,000. */
  readonly simplexIterationLimit?: number;
  /** Epoch ms: the solve stops there and returns null (see SparseLp.deadline). */
  readonly deadline?: number;
  /**
   * HiGHS's presolve (default: on). Presolve does not watch time_limit: on an Erdős SLP LP of
   * 760k nonzeros it ran 0.3 s past it. On these dense LPs it also saves nothing (measured at
   * load 9 on 2 cores: 16 Erdős SLP steps at 40-100 pieces took 0.1 s without it, 0.3 s with
   * it; single LPs at 600 and 1,200 pieces were as fast or faster), so callers under a deadline
   * turn it off; without a deadline it stays on, which keeps those results as they were.
   */
  readonly presolve?: boolean;
}

/**
 * The trust-region step of sequential linear programming on a maximum: the step d that
 * minimises t subject to value_r + g_r . d <= t for every row, sum d = 0 (the total stays
 * fixed) and lower <= d <= upper. Returns d, or null when HiGHS finds no optimum.
 */
export async function minimaxStep(
  rows: readonly MinimaxRow[],
  lower: Float64Array,
  upper: Float64Array,
  options: MinimaxOptions = {},
): Promise<Float64Array | null> {
  const n = lower.length;
  const count = rows.length + 1;
  const starts = new Int32Array(count + 1);
  const indices: number[] = [];
  const values: number[] = [];
  const rowLower = new Float64Array(count).fill(-Infinity);
  const rowUpper = new Float64Array(count);
  rows.forEach((row, r) => {
    row.indices.forEach((j, i) => {
      if (row.coefficients[i] !== 0) {
        indices.push(j);
        values.push(row.coefficients[i]);
      }
    });
    indices.push(n); // - t
    values.push(-1);
    rowUpper[r] = -row.value;
    starts[r + 1] = indices.length;
  });
  for (let j = 0; j < n; j++) {
    indices.push(j);
    values.push(1);
  }
  starts[count] = indices.length;
  rowLower[count - 1] = 0;
  rowUpper[count - 1] = 0;
  const colLower = new Float64Array(n + 1),
    colUpper = new Float64Array(n + 1),
    colCost = new Float64Array(n + 1);
  colLower.set(lower);
  colUpper.set(upper);
  colLower[n] = -Infinity;
  colUpper[n] = Infinity;
  colCost[n] = 1;
  const x = await solveSparseLp({
    numCols: n + 1,
    colCost,
    colLower,
    colUpper,
    rowLower,
    rowUpper,
    starts,
    indices,
    values,
    simplexIterationLimit: options.simplexIterationLimit,
    deadline: options.deadline,
    presolve: options.presolve,
  });
  return x ? x.slice(0, n) : null;
}

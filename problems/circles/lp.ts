/**
 * HiGHS with tight feasibility tolerances for the circle LPs. At HiGHS's default (1e-7) the
 * radii it returns overlap by up to ~1e-7, and the strict verifier then costs ~1e-6 of the sum
 * in shrinking; at 1e-10 the violations are at rounding level (~1e-17). lib/numeric/highs.ts's
 * solveSparseLp takes no solver options, hence this thin variant on the shared runtime.
 */
import { highsRuntime, type SparseLp } from "../../lib/numeric/highs.ts";

const TIGHT = { primal_feasibility_tolerance: 1e-10, dual_feasibility_tolerance: 1e-10 };

/** Solves the LP; the primal solution, or null unless HiGHS reports "optimal". */
export async function solveTightLp(lp: SparseLp): Promise<Float64Array | null> {
  const rt = await highsRuntime();
  const inf = (b: Float64Array) =>
    b.map((v) => (v === Infinity ? rt.infinity : v === -Infinity ? -rt.infinity : v));
  const numRows = lp.rowLower.length;
  return rt.withModel({
    numCols: lp.numCols,
    numRows,
    colCost: lp.colCost,
    colLower: inf(lp.colLower),
    colUpper: inf(lp.colUpper),
    rowLower: inf(lp.rowLower),
    rowUpper: inf(lp.rowUpper),
    matrix: {
      format: "csr",
      numRows,
      numCols: lp.numCols,
      starts: lp.starts,
      indices: Int32Array.from(lp.indices),
      values: Float64Array.from(lp.values),
    },
  }, (model) => {
    model.options.set({
      output_flag: false,
      simplex_iteration_limit: lp.simplexIterationLimit ?? 50_000,
      ...TIGHT,
    });
    model.run();
    if (model.getModelStatus() !== rt.constants.modelStatus.optimal) return null;
    return Float64Array.from(model.getSolution().colValue);
  });
}

/**
 * HiGHS with tight feasibility tolerances for the circle LPs. At HiGHS's default (1e-7) the
 * radii it returns overlap by up to ~1e-7, and the strict verifier then costs ~1e-6 of the sum
 * in shrinking; at 1e-10 the violations are at rounding level (~1e-17).
 */
import { solveSparseLp, type SparseLp } from "../../lib/numeric/highs.ts";

const TIGHT = 1e-10;

/** Solves the LP at the tight tolerance; the primal solution, or null unless HiGHS reports "optimal". */
export function solveTightLp(lp: SparseLp): Promise<Float64Array | null> {
  return solveSparseLp({ ...lp, feasibilityTolerance: TIGHT });
}

/**
 * The operators behind the circle moves, each spending a count budget (hops, starts, penalty
 * stages) and stopping at the deadline. Every packing they hold has been through the local
 * optimiser's settle, so whatever they return is strictly valid. Each reports how many local
 * optimisations it ran, so tests can check the budget.
 */
import { type MoveContext, pastDeadline } from "../../lib/problem.ts";
import { localOptimize } from "./local.ts";
import { clonePacking, type Packing, radiusSum } from "./packing.ts";
import { perturb, type Perturbation, scatter, spread } from "./perturb.ts";

export interface OperatorResult {
  readonly packing: Packing;
  /** Local optimisations run (each one penalty descent, radii LP and settle). */
  readonly optimisations: number;
}

/** L-BFGS iterations per penalty stage inside moves: enough to converge at n <= 32. */
export const ITERATIONS = 300;
/** First penalty weight after a perturbation: soft enough to untangle, stiff enough to keep the rest. */
const HOP_MU = 1e3;

/**
 * Monotone basin hopping from a settled packing: perturb the best so far, re-optimise, keep
 * the result if its sum is larger; `hops` times. Returns the best packing seen (possibly the start).
 */
export async function hop(
  start: Packing,
  kind: Perturbation,
  k: number,
  hops: number,
  context: MoveContext,
): Promise<OperatorResult> {
  let best = start, bestValue = radiusSum(start), h = 0;
  const scale = spread(0.05, context.rng);
  for (; h < hops && !pastDeadline(context); h++) {
    const candidate = clonePacking(best);
    perturb(kind, candidate, Math.min(k, candidate.xs.length), scale, context.rng);
    const value = await localOptimize(candidate, {
      muFirst: HOP_MU,
      iterations: ITERATIONS,
      deadline: context.deadline,
    });
    if (value > bestValue) [best, bestValue] = [candidate, value];
  }
  return { packing: best, optimisations: h };
}

/**
 * Multi-start: re-scatter all but the `keep` largest circles, optimise from a soft penalty,
 * `starts` times; the best start wins (even when worse than the parent: it is a restart).
 * Cut short by the deadline, it returns the better of its best start and the parent.
 */
export async function restart(
  start: Packing,
  starts: number,
  keep: number,
  context: MoveContext,
): Promise<OperatorResult> {
  let best = start, bestValue = -Infinity, s = 0;
  for (; s < starts && !pastDeadline(context); s++) {
    const candidate = clonePacking(start);
    scatter(candidate, keep, context.rng);
    const value = await localOptimize(candidate, {
      muFirst: 10,
      iterations: ITERATIONS,
      deadline: context.deadline,
    });
    if (value > bestValue) [best, bestValue] = [candidate, value];
  }
  if (pastDeadline(context) && !(bestValue > radiusSum(start))) best = start;
  return { packing: best, optimisations: s };
}

/**
 * Jitter every centre (scale drawn around `jitter`), re-run the penalty method from weight
 * `mu` and polish by up to `polishSteps` SLP steps. Low mu re-shapes the packing; high mu with
 * a small jitter refines it in its basin. Cut short by the deadline, it returns the better of
 * its result and the start.
 */
export async function descend(
  start: Packing,
  mu: number,
  jitter: number,
  polishSteps: number,
  context: MoveContext,
): Promise<OperatorResult> {
  const p = clonePacking(start);
  const scale = spread(jitter, context.rng);
  for (let i = 0; i < p.xs.length; i++) {
    p.xs[i] = Math.min(1, Math.max(0, p.xs[i] + scale * context.rng.normal()));
    p.ys[i] = Math.min(1, Math.max(0, p.ys[i] + scale * context.rng.normal()));
  }
  if (pastDeadline(context)) return { packing: start, optimisations: 0 };
  const value = await localOptimize(p, {
    muFirst: mu,
    iterations: ITERATIONS,
    polishSteps,
    deadline: context.deadline,
  });
  const cut = pastDeadline(context) && !(value > radiusSum(start));
  return { packing: cut ? start : p, optimisations: 1 };
}

/**
 * The local optimiser every move ends in: the penalty method run to convergence (mu up to
 * 1e10, where the radii LP then sits within ~1e-9 of the polished optimum), the exact radii
 * LP for the centres reached, and, when asked, the SLP polish. Its result is always a
 * strictly valid packing; `value` is that packing's sum of radii.
 */
import { penaltyDescent } from "./penalty.ts";
import type { Packing } from "./packing.ts";
import { settleRadii } from "./radii.ts";
import { polish } from "./slp.ts";

export interface LocalOptions {
  /** Penalty weight of the first stage: low lets circles pass through each other, high keeps them. */
  readonly muFirst: number;
  /** L-BFGS iterations per stage. */
  readonly iterations: number;
  /** SLP steps after the penalty method (0: none). */
  readonly polishSteps?: number;
  readonly deadline?: number;
}

export const MU_LAST = 1e10;

/** Optimises the packing in place and settles it; returns its exact-valid sum of radii. */
export async function localOptimize(p: Packing, options: LocalOptions): Promise<number> {
  penaltyDescent(p, {
    iterations: options.iterations,
    muFirst: Math.min(options.muFirst, MU_LAST),
    muLast: MU_LAST,
    deadline: options.deadline,
  });
  if (options.polishSteps) {
    await polish(p, { iterations: options.polishSteps, trust: 1e-4, deadline: options.deadline });
  }
  return await settle(p);
}

/** Replaces the radii by the exact LP optimum for the centres, shrunk to strict validity. */
export async function settle(p: Packing): Promise<number> {
  p.rs = await settleRadii(p.xs, p.ys);
  let s = 0;
  for (const r of p.rs) s += r;
  return s;
}

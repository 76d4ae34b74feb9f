/**
 * The circle-packing move grammar. Every move ends in the local optimiser (penalty method to
 * convergence, exact radii LP, strict shrink), so every iterate a move holds is a valid packing
 * and a move cut short by the deadline returns the best of them. Budgets are counts (hops,
 * restarts, iterations) that the policy chooses; randomness comes from the rollout's own stream.
 */
import { defineMoves, type Program } from "../../lib/grammar.ts";
import { type MoveContext, pastDeadline } from "../../lib/problem.ts";
import { settle } from "./local.ts";
import { descend, hop, restart } from "./operators.ts";
import { type Packing, packingOf, stateOf } from "./packing.ts";
import { PERTURBATIONS } from "./perturb.ts";
import type { CirclesState } from "./state.ts";

export const MOVES = defineMoves({
  name: "circles",
  maxMoves: 2,
  operators: {
    hop: {
      description: "basin hopping: perturb the best packing so far, re-optimise, keep it if better; repeat",
      params: {
        perturb: { choices: [...PERTURBATIONS] },
        k: { choices: [1, 2, 3, 5], description: "circles touched per hop" },
        hops: { choices: [2, 8, 32, 128] },
      },
    },
    restart: {
      description:
        "multi-start: re-scatter all but the largest `keep` circles, optimise, keep the best start",
      params: {
        starts: { choices: [1, 4, 16] },
        keep: { choices: [0, 8, 16], description: "largest circles kept in place (capped at n)" },
      },
    },
    descend: {
      description:
        "jitter every centre slightly, re-run the penalty method from weight mu, optionally polish by SLP",
      params: {
        mu: { choices: [10, 1e3, 1e6], description: "first penalty weight (low lets circles move far)" },
        jitter: { choices: [1e-6, 1e-3, 1e-2], description: "scale of the centre jitter" },
        polish: { choices: [0, 10, 40], description: "SLP steps after the penalty method" },
      },
    },
  },
});

export const grammar = MOVES.grammar;

async function applyMove(move: Program[number], p: Packing, context: MoveContext): Promise<Packing> {
  const result = await MOVES.dispatch(move, {
    hop: (v) => hop(p, v.perturb, v.k, v.hops, context),
    restart: (v) => restart(p, v.starts, v.keep, context),
    descend: (v) => descend(p, v.mu, v.jitter, v.polish, context),
  });
  return result.packing;
}

/** Centres placed and radii set by the LP; always a valid packing for the strict verifier. */
export async function settledState(xs: Float64Array, ys: Float64Array): Promise<CirclesState> {
  const p = { xs, ys, rs: new Float64Array(xs.length) };
  await settle(p);
  return stateOf(p.xs, p.ys, p.rs);
}

/**
 * Runs the program's moves in turn. The parent is settled first (its own radii are not
 * trusted), so every move starts from, and holds, only valid packings; once the deadline has
 * passed the remaining moves are skipped.
 */
export async function applyProgram(program: Program, state: CirclesState, context: MoveContext) {
  MOVES.check(program); // every parameter, before any work is spent on the program
  let p = packingOf(state);
  await settle(p);
  for (const move of program) {
    if (pastDeadline(context)) break;
    p = await applyMove(move, p, context);
    for (const arr of [p.xs, p.ys, p.rs]) {
      if (!arr.every(Number.isFinite)) throw new Error(`${move.op} produced a non-finite coordinate`);
    }
  }
  return stateOf(p.xs, p.ys, p.rs);
}

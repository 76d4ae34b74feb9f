/**
 * The circle-packing move grammar. Moves change the centres (and working radii); every
 * program ends with the exact radii LP for the final centres and the strict shrink, so
 * its output always passes the zero-tolerance verifier. Bounded by iteration counts.
 */
import { type MoveGrammar, moveParam, type ParamValue, type Program } from "../../lib/grammar.ts";
import type { MoveContext } from "../../lib/problem.ts";
import type { Rng } from "../../lib/rng.ts";
import { penaltyDescent } from "./penalty.ts";
import { settleRadii } from "./radii.ts";
import type { CirclesState } from "./state.ts";

export const grammar: MoveGrammar = {
  maxMoves: 3,
  operators: [
    {
      name: "penalty",
      description: "Adam on -sum r + mu (overlap^2 + wall violation^2), centres and radii together",
      params: [
        { name: "iters", choices: [500, 2000, 8000] },
        { name: "lr", choices: [0.001, 0.003, 0.01, 0.03] },
        { name: "mu", choices: [1e3, 1e4, 1e5], description: "final penalty weight (starts 1000x lower)" },
      ],
    },
    {
      name: "jiggle",
      description: "gaussian moves of some centres, radii shrunk by 10% to make room",
      params: [
        { name: "count", choices: [1, 3, 8, 32], description: "how many circles (capped at n)" },
        { name: "scale", choices: [0.003, 0.01, 0.03, 0.1] },
      ],
    },
    {
      name: "relocate",
      description: "move the k smallest (or random) circles to the largest empty spots, radius 0",
      params: [
        { name: "k", choices: [1, 2, 3] },
        { name: "which", choices: ["smallest", "random"] },
      ],
    },
    {
      name: "swap",
      description: "exchange the centres of a large and a small circle",
      params: [{ name: "pairs", choices: [1, 2] }],
    },
  ],
};

const param = (move: Program[number], name: string): ParamValue => moveParam(grammar, move, name);

interface Packing {
  xs: Float64Array;
  ys: Float64Array;
  rs: Float64Array;
}

/** The point (of 400 random candidates) farthest from every circle and wall. */
function emptiestSpot(p: Packing, skip: Set<number>, rng: Rng): [number, number] {
  let best: [number, number] = [0.5, 0.5], bestGap = -Infinity;
  for (let s = 0; s < 400; s++) {
    const x = rng.next(), y = rng.next();
    let gap = Math.min(x, 1 - x, y, 1 - y);
    for (let i = 0; i < p.xs.length && gap > bestGap; i++) {
      if (!skip.has(i)) gap = Math.min(gap, Math.hypot(x - p.xs[i], y - p.ys[i]) - p.rs[i]);
    }
    if (gap > bestGap) [best, bestGap] = [[x, y], gap];
  }
  return best;
}

function applyMove(move: Program[number], p: Packing, rng: Rng): void {
  const n = p.xs.length;
  switch (move.op) {
    case "penalty":
      penaltyDescent(p.xs, p.ys, p.rs, {
        iterations: param(move, "iters") as number,
        learningRate: param(move, "lr") as number,
        mu: param(move, "mu") as number,
      });
      return;
    case "jiggle": {
      const count = Math.min(n, param(move, "count") as number);
      const scale = param(move, "scale") as number;
      const order = Array.from({ length: n }, (_, i) => i);
      for (let i = 0; i < count; i++) {
        const j = i + rng.int(n - i);
        [order[i], order[j]] = [order[j], order[i]];
        const c = order[i];
        p.xs[c] = Math.min(1, Math.max(0, p.xs[c] + scale * rng.normal()));
        p.ys[c] = Math.min(1, Math.max(0, p.ys[c] + scale * rng.normal()));
      }
      for (let i = 0; i < n; i++) p.rs[i] *= 0.9;
      return;
    }
    case "relocate": {
      const k = param(move, "k") as number;
      const order = Array.from({ length: n }, (_, i) => i);
      if (param(move, "which") === "smallest") order.sort((a, b) => p.rs[a] - p.rs[b] || a - b);
      else {
        for (let i = n - 1; i > 0; i--) {
          const j = rng.int(i + 1);
          [order[i], order[j]] = [order[j], order[i]];
        }
      }
      const moved = new Set(order.slice(0, k));
      for (const c of moved) {
        [p.xs[c], p.ys[c]] = emptiestSpot(p, moved, rng);
        p.rs[c] = 0;
      }
      return;
    }
    case "swap": {
      const pairs = param(move, "pairs") as number;
      const bySize = Array.from({ length: n }, (_, i) => i).sort((a, b) => p.rs[a] - p.rs[b] || a - b);
      for (let s = 0; s < pairs; s++) {
        const small = bySize[rng.int(Math.max(1, Math.floor(n / 3)))];
        const large = bySize[n - 1 - rng.int(Math.max(1, Math.floor(n / 3)))];
        [p.xs[small], p.xs[large]] = [p.xs[large], p.xs[small]];
        [p.ys[small], p.ys[large]] = [p.ys[large], p.ys[small]];
        [p.rs[small], p.rs[large]] = [p.rs[large], p.rs[small]];
      }
      return;
    }
    default:
      throw new Error(`unknown circles operator "${move.op}"`);
  }
}

export function packingOf(state: CirclesState): Packing {
  return {
    xs: Float64Array.from(state.centers, (c) => c[0]),
    ys: Float64Array.from(state.centers, (c) => c[1]),
    rs: Float64Array.from(state.radii),
  };
}

/** Centres placed and radii set by the LP; always a valid packing for the strict verifier. */
export async function settledState(xs: Float64Array, ys: Float64Array): Promise<CirclesState> {
  return stateOf(xs, ys, await settleRadii(xs, ys));
}

export function stateOf(xs: Float64Array, ys: Float64Array, rs: Float64Array): CirclesState {
  return { centers: Array.from(xs, (x, i) => [x, ys[i]] as [number, number]), radii: Array.from(rs) };
}

export async function applyProgram(program: Program, state: CirclesState, context: MoveContext) {
  const p = packingOf(state);
  for (const move of program) {
    applyMove(move, p, context.rng);
    for (const arr of [p.xs, p.ys, p.rs]) {
      if (!arr.every(Number.isFinite)) throw new Error(`${move.op} produced a non-finite coordinate`);
    }
  }
  return await settledState(p.xs, p.ys);
}

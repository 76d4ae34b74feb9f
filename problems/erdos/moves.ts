/**
 * The Erdős move grammar: real numerical operators, each with a few discrete
 * choices per parameter. Every move is deterministic given the rng and bounded by
 * iteration counts, never by wall time.
 */
import { type MoveGrammar, moveParam, type ParamValue, type Program } from "../../lib/grammar.ts";
import type { MoveContext } from "../../lib/problem.ts";
import type { Rng } from "../../lib/rng.ts";
import { descend } from "./descend.ts";
import { linearProgramSteps } from "./lp.ts";
import { projectCappedSimplex, verifierSafe } from "./projection.ts";
import type { ErdosState } from "./state.ts";
import { MAX_PIECES, rescaleHeights } from "./verifier.ts";

export const grammar: MoveGrammar = {
  maxMoves: 3,
  operators: [
    {
      name: "descend",
      description: "projected Adam on the log-sum-exp of all overlaps (FFT gradient)",
      params: [
        { name: "iters", choices: [100, 300, 1000] },
        { name: "temp", choices: [1e-3, 3e-4, 1e-4, 3e-5], description: "softmax temperature, C5 units" },
        { name: "lr", choices: [1e-3, 3e-3, 1e-2, 3e-2] },
        { name: "anneal", choices: [true, false], description: "cool from 30x temp" },
      ],
    },
    {
      name: "lp",
      description: "sequential LP on the highest shifts with a trust region (HiGHS)",
      params: [
        { name: "iters", choices: [1, 2, 4] },
        { name: "shifts", choices: [32, 64, 128, 256], description: "capped near 24000/n to bound LP size" },
        { name: "radius", choices: [0.002, 0.01, 0.05] },
      ],
    },
    {
      name: "perturb",
      description: "noise on the heights, then projection",
      params: [
        { name: "kind", choices: ["gaussian", "local", "block"] },
        { name: "scale", choices: [0.003, 0.01, 0.03, 0.1] },
      ],
    },
    {
      name: "resample",
      description: "change the number of pieces by interpolation, then projection",
      params: [
        { name: "to", choices: ["x0.5", "x1.5", "x2", "n100", "n200", "n400", "n600"] },
        { name: "interp", choices: ["constant", "linear"] },
      ],
    },
    {
      name: "symmetrise",
      description: "average with the mirror image, or mirror one half",
      params: [{ name: "mode", choices: ["average", "left", "right"] }],
    },
  ],
};

/** Largest piece count resample may produce (the moves' cost grows with n). */
export const RESAMPLE_MAX_PIECES = 1200;

const param = (move: Program[number], name: string): ParamValue => moveParam(grammar, move, name);

function perturb(h: Float64Array, kind: string, scale: number, rng: Rng): Float64Array {
  const n = h.length;
  const y = Float64Array.from(h);
  if (kind === "gaussian") {
    for (let i = 0; i < n; i++) y[i] += scale * rng.normal();
  } else {
    // A window of about a tenth of the support: "local" is noise there, "block" one shared shift.
    const width = Math.max(2, Math.round(n / 10));
    const start = rng.int(n - width + 1);
    const shared = scale * rng.normal();
    for (let i = start; i < start + width; i++) y[i] += kind === "block" ? shared : scale * rng.normal();
  }
  return projectCappedSimplex(y);
}

function targetPieces(n: number, to: string): number {
  const m = to.startsWith("x") ? Math.round(n * Number(to.slice(1))) : Number(to.slice(1));
  return Math.max(2, Math.min(RESAMPLE_MAX_PIECES, MAX_PIECES, m));
}

/** The same function on [0, 2] sampled on m pieces (piece centres), then made feasible. */
export function resample(h: Float64Array, m: number, interp: string): Float64Array {
  const n = h.length;
  const y = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    const x = ((j + 0.5) / m) * n - 0.5; // position in units of the old pieces' centres
    if (interp === "constant") {
      y[j] = h[Math.min(n - 1, Math.max(0, Math.round(x)))];
    } else {
      const i = Math.min(n - 2, Math.max(0, Math.floor(x)));
      const t = Math.min(1, Math.max(0, x - i));
      y[j] = n === 1 ? h[0] : (1 - t) * h[i] + t * h[i + 1];
    }
  }
  return projectCappedSimplex(y);
}

function symmetrise(h: Float64Array, mode: string): Float64Array {
  const n = h.length;
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const mirror = n - 1 - i;
    if (mode === "average") y[i] = 0.5 * (h[i] + h[mirror]);
    else if (mode === "left") y[i] = i < n / 2 ? h[i] : h[mirror];
    else y[i] = i < n / 2 ? h[mirror] : h[i];
  }
  return projectCappedSimplex(y);
}

async function applyMove(move: Program[number], h: Float64Array, rng: Rng): Promise<Float64Array> {
  switch (move.op) {
    case "descend":
      return descend(h, {
        iterations: param(move, "iters") as number,
        temperature: param(move, "temp") as number,
        learningRate: param(move, "lr") as number,
        anneal: param(move, "anneal") as boolean,
      });
    case "lp": {
      const shifts = param(move, "shifts") as number;
      return await linearProgramSteps(h, {
        iterations: param(move, "iters") as number,
        shifts: Math.min(shifts, Math.max(32, Math.round(24_000 / h.length))),
        radius: param(move, "radius") as number,
      });
    }
    case "perturb":
      return perturb(h, param(move, "kind") as string, param(move, "scale") as number, rng);
    case "resample": {
      const m = targetPieces(h.length, param(move, "to") as string);
      return resample(h, m, param(move, "interp") as string);
    }
    case "symmetrise":
      return symmetrise(h, param(move, "mode") as string);
    default:
      throw new Error(`unknown erdos operator "${move.op}"`);
  }
}

/** Runs a program on a state; returns a new state and never mutates the input. */
export async function applyProgram(
  program: Program,
  state: ErdosState,
  context: MoveContext,
): Promise<ErdosState> {
  const start = rescaleHeights(state);
  if (!start.ok) throw new Error(`start state is invalid: ${start.error}`);
  let h = start.heights;
  for (const move of program) {
    h = await applyMove(move, h, context.rng);
    for (let i = 0; i < h.length; i++) {
      if (!Number.isFinite(h[i])) throw new Error(`${move.op} produced a non-finite height at ${i}`);
    }
  }
  return { heights: Array.from(verifierSafe(h)) };
}

/**
 * The Erdős move grammar: real numerical operators, each with a few discrete
 * choices per parameter, budgets among them. Every move is deterministic given the
 * rollout's rng (which makes rollouts from one parent differ) and bounded by counts;
 * the rollout deadline only cuts a move short, and it then returns its best iterate.
 */
import { defineMoves, logChoices, type Program, withinLogBin } from "../../lib/grammar.ts";
import { type MoveContext, pastDeadline } from "../../lib/problem.ts";
import type { Rng } from "../../lib/rng.ts";
import { descend } from "./descend.ts";
import { exactC5, sequentialLp } from "./slp.ts";
import { projectCappedSimplex, verifierSafe } from "./projection.ts";
import type { ErdosState } from "./state.ts";
import { MAX_PIECES, rescaleHeights } from "./verifier.ts";

export const MOVES = defineMoves({
  name: "erdos",
  maxMoves: 3,
  operators: {
    descend: {
      description: "projected Adam on the log-sum-exp of all overlaps (FFT gradient), from a jittered start",
      params: {
        iters: { choices: [300, 1000, 3000], description: "the move's budget" },
        temp: { choices: logChoices(1e-7, 1e-2), description: "softmax temperature, C5 units" },
        lr: { choices: logChoices(1e-5, 1e-1), description: "Adam step" },
        anneal: { choices: [true, false], description: "cool from 30x temp" },
        jitter: {
          choices: [0, ...logChoices(1e-6, 1e-1)],
          description: "noise on the start (rollout's own rng)",
        },
      },
    },
    slp: {
      description:
        "sequential LP on every near-tight shift, adaptive trust radius, run to convergence (HiGHS)",
      params: {
        iters: { choices: [4, 16, 64], description: "LPs at most: the move's budget" },
        radius: { choices: logChoices(1e-6, 1e-1), description: "initial trust radius" },
      },
    },
    hop: {
      description:
        "basin hopping: kick the best point, descend on the smoothed max, polish by SLP, keep the best",
      params: {
        tries: { choices: [2, 4, 8], description: "kicks: the move's budget" },
        scale: { choices: logChoices(1e-4, 1), description: "kick size (Gaussian, per height)" },
        iters: { choices: [500, 2000, 8000, 32000], description: "descent steps per kick: its budget" },
        temp: { choices: logChoices(1e-6, 1e-3), description: "the descent's softmax temperature, C5 units" },
      },
    },
    perturb: {
      description: "noise on the heights, then projection",
      params: {
        kind: { choices: ["gaussian", "local", "block"] },
        scale: { choices: logChoices(1e-6, 0.3) },
      },
    },
    resample: {
      description: "change the number of pieces by interpolation, then projection",
      params: {
        // A ladder, not a jump: large piece counts are reached from states that earned them.
        to: { choices: ["x0.5", "x1.5", "x2", "n100", "n200"] },
        interp: { choices: ["constant", "linear"] },
      },
    },
    symmetrise: {
      description: "average with the mirror image, or mirror one half",
      params: { mode: { choices: ["average", "left", "right"] } },
    },
  },
});

export const grammar = MOVES.grammar;

/** Largest piece count resample may produce (the moves' cost grows with n). */
export const RESAMPLE_MAX_PIECES = 1200;

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

/** Each hop try: an annealed descent (its length and temperature the program's), then an SLP polish. */
const HOP_LEARNING_RATE = 1e-2;
const HOP_SLP_ITERATIONS = 8;
const HOP_SLP_RADIUS = 1e-3;

interface HopOptions {
  readonly tries: number;
  readonly scale: number;
  readonly iterations: number;
  readonly temperature: number;
}

/** Basin hopping: each try kicks the best point so far and re-optimises it; the best wins. */
async function hop(h: Float64Array, options: HopOptions, context: MoveContext): Promise<Float64Array> {
  const { tries, scale } = options;
  // The start is not polished first: a hop that leaves no basin returns its start unchanged, so
  // its outcome tells whether its kick and descent worked. With a polish first every hop won its
  // group by polishing, and training learned to write hops whatever their kick and temperature.
  let best = { heights: h, value: exactC5(h, new Float64Array(2 * h.length - 1)) };
  // A try that would end past the deadline (judged by the last one) is not started.
  let lastTryMs = 0;
  for (let t = 0; t < tries && !pastDeadline({ deadline: (context.deadline ?? Infinity) - lastTryMs }); t++) {
    const tryStarted = Date.now();
    const kicked = projectCappedSimplex(Array.from(best.heights, (x) => x + scale * context.rng.normal()));
    const descended = descend(kicked, {
      iterations: options.iterations,
      temperature: options.temperature,
      learningRate: HOP_LEARNING_RATE,
      anneal: true,
      deadline: context.deadline,
    });
    const polished = await sequentialLp(descended, {
      iterations: HOP_SLP_ITERATIONS,
      radius: HOP_SLP_RADIUS,
      rng: context.rng,
      deadline: context.deadline,
    });
    if (polished.value < best.value) best = polished;
    lastTryMs = Date.now() - tryStarted;
  }
  return best.heights;
}

function jittered(h: Float64Array, scale: number, rng: Rng): Float64Array {
  return scale === 0 ? h : projectCappedSimplex(Array.from(h, (x) => x + scale * rng.normal()));
}

/** One move; a scale-like parameter is a continuous value inside its chosen bin (withinLogBin; 0 stays 0). */
async function applyMove(
  move: Program[number],
  h: Float64Array,
  context: MoveContext,
): Promise<Float64Array> {
  const { rng, deadline } = context;
  return await MOVES.dispatch<Float64Array | Promise<Float64Array>>(move, {
    descend: (p) =>
      descend(jittered(h, withinLogBin(p.jitter, rng), rng), {
        iterations: p.iters,
        temperature: withinLogBin(p.temp, rng),
        learningRate: withinLogBin(p.lr, rng),
        anneal: p.anneal,
        deadline,
      }),
    slp: async (p) =>
      (await sequentialLp(h, { iterations: p.iters, radius: withinLogBin(p.radius, rng), rng, deadline }))
        .heights,
    hop: (p) =>
      hop(h, {
        tries: p.tries,
        scale: withinLogBin(p.scale, rng),
        iterations: p.iters,
        temperature: withinLogBin(p.temp, rng),
      }, context),
    perturb: (p) => perturb(h, p.kind, withinLogBin(p.scale, rng), rng),
    resample: (p) => resample(h, targetPieces(h.length, p.to), p.interp),
    symmetrise: (p) => symmetrise(h, p.mode),
  });
}

/**
 * Runs a program on a state and returns the best state it passed through (after any of its
 * moves), so a late destructive move cannot erase an earlier gain; never mutates the input.
 */
export async function applyProgram(
  program: Program,
  state: ErdosState,
  context: MoveContext,
): Promise<ErdosState> {
  const start = rescaleHeights(state);
  if (!start.ok) throw new Error(`start state is invalid: ${start.error}`);
  let h = start.heights;
  let best: Float64Array | undefined, bestValue = Infinity;
  for (const move of program) {
    h = await applyMove(move, h, context);
    for (let i = 0; i < h.length; i++) {
      if (!Number.isFinite(h[i])) throw new Error(`${move.op} produced a non-finite height at ${i}`);
    }
    const value = exactC5(h, new Float64Array(2 * h.length - 1));
    if (value < bestValue) [best, bestValue] = [h, value];
  }
  return { heights: Array.from(verifierSafe(best ?? h)) };
}

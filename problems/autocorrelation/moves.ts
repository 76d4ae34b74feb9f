/**
 * Move grammars for C1, C2 and C3: real numerical operators with discrete choices.
 * Every move is deterministic given the rng and bounded by iteration counts (scaled
 * down for large n so one program stays within a few hundred ms), never by wall time.
 */
import { type MoveGrammar, moveParam, type OperatorSpec, type Program } from "../../lib/grammar.ts";
import type { MoveContext } from "../../lib/problem.ts";
import type { Rng } from "../../lib/rng.ts";
import { adam, normalise, type Parametrisation } from "./gradient.ts";
import { sequentialLp } from "./lp.ts";
import type { HeightsState } from "./state.ts";
import { checkHeights, MAX_PIECES, type Variant } from "./verifier.ts";

/** Work per Adam move: iterations x n is capped here (about 0.3 s on one core). */
const ADAM_WORK = 300_000;
/** Largest piece count a resample may produce, per variant (move cost grows with n). */
export const RESAMPLE_MAX_PIECES: Record<Variant, number> = { ac1: 2400, ac2: 8192, ac3: 1600 };

function adamOperator(variant: Variant): OperatorSpec {
  const parametrisations = variant === "ac3" ? ["free"] : ["clip", "square"];
  return {
    name: "adam",
    description: variant === "ac2"
      ? "Adam ascent on the smooth ratio L2^2 / (L1 LSE(c)) (FFT gradient)"
      : "Adam on the log-sum-exp smoothed maximum of the autoconvolution (FFT gradient)",
    params: [
      { name: "iters", choices: [100, 300, 1000] },
      { name: "lr", choices: [0.003, 0.01, 0.03, 0.1], description: "in units of the mean |height|" },
      { name: "temp", choices: [1e-2, 1e-3, 1e-4, 1e-5], description: "relative softmax temperature" },
      { name: "anneal", choices: [true, false], description: "cool from 30x temp" },
      { name: "param", choices: parametrisations, description: "positivity: clip to 0, or a = x^2" },
    ],
  };
}

const LP_OPERATOR: OperatorSpec = {
  name: "lp",
  description: "sequential LP on the top-K near-tight convolution positions (HiGHS)",
  params: [
    { name: "iters", choices: [1, 2, 4] },
    { name: "positions", choices: [32, 64, 128], description: "capped at 40000 / n" },
    { name: "radius", choices: [0.003, 0.01, 0.05] },
  ],
};

const RESAMPLE_OPERATOR: OperatorSpec = {
  name: "resample",
  description: "up- or downsample the step function (x2 repeats each piece: the constant is unchanged)",
  params: [
    { name: "to", choices: ["x2", "x1.5", "x0.5", "n300", "n600", "n1200"] },
    { name: "interp", choices: ["constant", "linear"] },
  ],
};

function perturbOperator(variant: Variant): OperatorSpec {
  return {
    name: "perturb",
    description: "noise on the heights: everywhere, on a window, or one window zeroed/flipped",
    params: [
      { name: "kind", choices: ["gaussian", "local", variant === "ac3" ? "flip" : "zero"] },
      { name: "scale", choices: [0.003, 0.01, 0.03, 0.1, 0.3], description: "relative to mean |height|" },
    ],
  };
}

export function grammarFor(variant: Variant): MoveGrammar {
  const operators = [adamOperator(variant)];
  if (variant !== "ac2") operators.push(LP_OPERATOR);
  operators.push(RESAMPLE_OPERATOR, perturbOperator(variant));
  return { maxMoves: 3, operators };
}

function targetPieces(variant: Variant, n: number, to: string): number {
  const m = to.startsWith("x") ? Math.round(n * Number(to.slice(1))) : Number(to.slice(1));
  return Math.max(2, Math.min(RESAMPLE_MAX_PIECES[variant], MAX_PIECES, m));
}

/** The same function on m pieces: piece centres sampled (constant) or interpolated (linear). */
export function resample(a: ArrayLike<number>, m: number, interp: string): Float64Array {
  const n = a.length;
  const y = new Float64Array(m);
  if (m === 2 * n && interp === "constant") {
    for (let j = 0; j < m; j++) y[j] = a[j >> 1];
    return y;
  }
  for (let j = 0; j < m; j++) {
    const x = ((j + 0.5) / m) * n - 0.5;
    if (interp === "constant" || n === 1) {
      y[j] = a[Math.min(n - 1, Math.max(0, Math.round(x)))];
    } else {
      const i = Math.min(n - 2, Math.max(0, Math.floor(x)));
      const t = Math.min(1, Math.max(0, x - i));
      y[j] = (1 - t) * a[i] + t * a[i + 1];
    }
  }
  return y;
}

function perturb(a: Float64Array, kind: string, scale: number, signed: boolean, rng: Rng): Float64Array {
  const n = a.length;
  const y = normalise(a);
  const width = Math.max(1, Math.round(n / 10));
  const start = rng.int(n - width + 1);
  if (kind === "gaussian") {
    for (let i = 0; i < n; i++) y[i] += scale * rng.normal();
  } else if (kind === "local") {
    for (let i = start; i < start + width; i++) y[i] += scale * rng.normal();
  } else {
    // zero / flip: a narrow window (scale x n pieces) set to 0 or negated.
    const w = Math.max(1, Math.round(scale * n));
    const s = rng.int(n - Math.min(n, w) + 1);
    for (let i = s; i < Math.min(n, s + w); i++) y[i] = kind === "flip" ? -y[i] : 0;
  }
  if (!signed) { for (let i = 0; i < n; i++) if (y[i] < 0) y[i] = 0; }
  return y;
}

async function applyMove(variant: Variant, move: Program[number], a: Float64Array, rng: Rng) {
  const grammar = grammarFor(variant);
  const p = (name: string) => moveParam(grammar, move, name);
  switch (move.op) {
    case "adam": {
      const iterations = Math.max(20, Math.min(p("iters") as number, Math.floor(ADAM_WORK / a.length)));
      return adam(variant, a, {
        iterations,
        learningRate: p("lr") as number,
        temperature: p("temp") as number,
        anneal: p("anneal") as boolean,
        parametrisation: p("param") as Parametrisation,
      });
    }
    case "lp":
      return await sequentialLp(a, {
        iterations: p("iters") as number,
        positions: p("positions") as number,
        radius: p("radius") as number,
        signed: variant === "ac3",
      });
    case "resample":
      return resample(a, targetPieces(variant, a.length, p("to") as string), p("interp") as string);
    case "perturb":
      return perturb(a, p("kind") as string, p("scale") as number, variant === "ac3", rng);
    default:
      throw new Error(`unknown ${variant} operator "${move.op}"`);
  }
}

/**
 * Heights scaled to max |a| = 1: every constant is scale invariant, and the verifier's clamp
 * to [-1000, 1000] then never bites (Adam's iterates drift in scale, upsampled spikes grow).
 */
export function normaliseMax(a: Float64Array): Float64Array {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]));
  return max > 0 ? a.map((v) => v / max) : a;
}

/** Runs a program on a state; returns a new state (heights scaled to max |a| = 1). */
export async function applyProgram(
  variant: Variant,
  program: Program,
  state: HeightsState,
  context: MoveContext,
): Promise<HeightsState> {
  const start = checkHeights(state, variant === "ac3");
  if (!start.ok) throw new Error(`start state is invalid: ${start.error}`);
  let a = start.heights;
  for (const move of program) {
    a = await applyMove(variant, move, a, context.rng);
    for (let i = 0; i < a.length; i++) {
      if (!Number.isFinite(a[i])) throw new Error(`${move.op} produced a non-finite height at ${i}`);
    }
  }
  return { heights: Array.from(normaliseMax(a)) };
}

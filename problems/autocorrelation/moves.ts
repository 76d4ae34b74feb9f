/**
 * Move grammars for C1, C2 and C3: numerical operators whose budgets are choices the policy
 * makes (iteration and restart counts, never wall time), from polishing moves of a few hundred
 * ms to optimisation runs of a minute at the tens of thousands of pieces the records use.
 * Continuous settings (step size, temperature, trust radius, noise) are jittered from the
 * rollout's own rng around the chosen grid value, so rollouts of one program from one parent
 * differ. Every move watches context.deadline and returns its best valid iterate when it passes.
 */
import { defineMoves, type MoveGrammar, type Program } from "../../lib/grammar.ts";
import { type MoveContext, pastDeadline } from "../../lib/problem.ts";
import type { Rng } from "../../lib/rng.ts";
import { adam, improves, normalise, type Parametrisation } from "./gradient.ts";
import { sequentialLp } from "./lp.ts";
import type { HeightsState } from "./state.ts";
import { checkHeights, evaluateVariant, MAX_PIECES, type Variant } from "./verifier.ts";

/** Largest piece count a resample may produce, per variant (the records use 65,536 and 50,000). */
export const RESAMPLE_MAX_PIECES: Record<Variant, number> = { ac1: 65_536, ac2: 100_000, ac3: 32_768 };

/** A grid value times 2^U(-1, 1): the grid picks the scale, the rollout's rng the exact value. */
export function jitter(value: number, rng: Rng): number {
  return value * 2 ** (2 * rng.next() - 1);
}

/**
 * The grammar of one variant: the positivity and the kinds of noise differ. C2 has no LP move and
 * no restart: within a rollout's 24 s a restart ladder reaches C2 0.90-0.92, below what 30 minutes
 * of refining one lineage reach (0.9357), and a 30-minute run with it, where 141 of 192 programs
 * restarted, ended at 0.9180 (seed 0). On C3 a restart found the run's best basin (1.4609, against
 * 1.4637 without the move).
 */
function movesOf(variant: Variant) {
  return defineMoves({
    name: variant,
    maxMoves: 3,
    omit: variant === "ac2" ? ["lp", "restart"] : [],
    operators: {
      adam: {
        description: variant === "ac2"
          ? "Adam ascent on the smooth ratio L2^2 / (L1 LSE(c)) (FFT gradient)"
          : "Adam on the log-sum-exp smoothed maximum of the autoconvolution (FFT gradient)",
        params: {
          iters: { choices: [100, 1000, 10000], description: "the budget (FFT pairs)" },
          lr: {
            choices: [1e-6, 1e-4, 0.003, 0.03, 0.1],
            description: "in units of the mean |height|, jittered x2^U(-1,1)",
          },
          temp: { choices: [1e-2, 1e-4, 1e-6, 1e-8], description: "relative softmax temperature, jittered" },
          anneal: { choices: [true, false], description: "cool from 30x temp" },
          param: {
            choices: (variant === "ac3" ? ["free"] : ["clip", "square"]) as readonly Parametrisation[],
            description: "positivity: clip to 0, or a = x^2",
          },
          patience: {
            choices: [0, 30, 300],
            description: "stalled this many iterations: lr / 10 from the best (0: never)",
          },
        },
      },
      lp: {
        description: "sequential LP on every near-tight convolution position, adaptive trust radius (HiGHS)",
        params: {
          iters: { choices: [5, 20, 100], description: "most LP solves; stops earlier when converged" },
          tight: { choices: [1e-3, 1e-5, 1e-7], description: "rows: positions this close to the max" },
          resolution: { choices: [32, 128, 512], description: "most variables (block-constant steps)" },
          radius: { choices: [1e-4, 1e-3, 1e-2], description: "initial trust radius, jittered" },
        },
      },
      basin: {
        description:
          "basin hopping: kick the best iterate (everywhere or one window), re-optimise with an annealed Adam, keep the best",
        params: {
          restarts: { choices: [2, 4, 8], description: "kicks: the move's budget" },
          iters: { choices: [1000, 3000, 10000, 30000], description: "Adam iterations per kick: its budget" },
          scale: {
            choices: [0.003, 0.01, 0.03, 0.1, 0.3],
            description: "kick size, mean |height| units, jittered",
          },
          lr: { choices: [0.003, 0.01, 0.03], description: "Adam step, mean |height| units, jittered" },
          temp: {
            choices: variant === "ac2" ? [1e-2, 1e-3, 1e-4] : [1e-3, 1e-4, 3e-5, 1e-5, 1e-6],
            description: "relative softmax temperature the annealing ends at, jittered",
          },
          kind: { choices: ["gaussian", "local"] },
        },
      },
      restart: {
        description:
          "fresh random functions (the parent is ignored): noisy annealed Adam on a few pieces each, then the best up x4 upsampling rounds, each re-optimised",
        params: {
          pieces: { choices: [40, 80, 160, 320, 640], description: "pieces of the fresh starts, jittered" },
          starts: {
            choices: [1, 8, 32, 128],
            description: "fresh starts, each optimised; the best goes up the ladder: the budget",
          },
          iters: {
            choices: [3000, 10000, 30000, 100000],
            description: "Adam iterations a stage: the budget",
          },
          lr: { choices: [0.01, 0.03, 0.1, 0.3], description: "Adam step, mean |height| units, jittered" },
          temp: { choices: [1e-3, 1e-4, 1e-5], description: "relative softmax temperature, jittered" },
          noise: { choices: [0, 1, 3], description: "gradient noise in units of its rms, decaying to 0" },
          ladder: { choices: [0, 1, 2], description: "x4 upsampling rounds after it (lr / 5, temp / 10)" },
        },
      },
      resample: {
        description: "up- or downsample the step function (x2 repeats each piece: the constant is unchanged)",
        params: {
          to: { choices: ["x2", "x1.5", "x0.5", "n600", "n2400", "n9600", "n30000"] },
          interp: { choices: ["constant", "linear"] },
        },
      },
      perturb: {
        description: "noise on the heights: everywhere, on a window, or one window zeroed/flipped",
        params: {
          kind: { choices: ["gaussian", "local", variant === "ac3" ? "flip" : "zero"] },
          scale: { choices: [0.003, 0.01, 0.03, 0.1, 0.3], description: "relative to mean |height|" },
        },
      },
    },
  });
}

const MOVES = { ac1: movesOf("ac1"), ac2: movesOf("ac2"), ac3: movesOf("ac3") };

export function grammarFor(variant: Variant): MoveGrammar {
  return MOVES[variant].grammar;
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

/** The exact constant of heights a (FFT), or NaN when they are not a valid state. */
function valueOf(variant: Variant, a: Float64Array): number {
  const e = evaluateVariant(variant, a);
  return e.valid && e.value !== null ? e.value : NaN;
}

/** Is `value` (NaN when invalid) a valid value better than `incumbent` (NaN: none yet)? */
function beats(variant: Variant, value: number, incumbent: number): boolean {
  return Number.isFinite(value) && (!Number.isFinite(incumbent) || improves(variant, value, incumbent));
}

export interface BasinOptions {
  readonly restarts: number;
  readonly iterations: number;
  readonly scale: number;
  /** Adam's step, separate from the kick: a kick of 0.1 re-optimised at a step of 0.1 never settles. */
  readonly learningRate: number;
  readonly temperature: number;
  readonly kind: "gaussian" | "local";
  readonly deadline?: number;
}

/**
 * Basin hopping from the start: each restart kicks the best so far and re-optimises it with an
 * Adam annealed from 30x its temperature; never worse. What escapes a C1 local optimum (692 pieces
 * at 1.5135268, 45 s of kicks on one core): kicks of 0.03-0.3 re-optimised for 3,000-30,000 steps
 * of 0.01 cooling to 1e-5..1e-4 reached 1.5127-1.5131; 1,000 steps, a fixed temperature, or
 * Adam's step tied to the kick (as before) found nothing.
 */
export function basinHop(
  variant: Variant,
  start: Float64Array,
  options: BasinOptions,
  rng: Rng,
): Float64Array {
  let best = normalise(start);
  const evaluationStarted = Date.now();
  let bestValue = valueOf(variant, best);
  // Under a deadline each restart's Adam stops early enough for the exact evaluation after it
  // (an FFT: tens of ms at 100,000 pieces, timed on the start) to end by the deadline, and a
  // restart needs time for at least one gradient (about as long) before it is started.
  const evaluationMs = Date.now() - evaluationStarted;
  const deadline = options.deadline === undefined ? undefined : options.deadline - evaluationMs;
  const signed = variant === "ac3";
  for (let r = 0; r < options.restarts; r++) {
    if (pastDeadline({ deadline: deadline === undefined ? undefined : deadline - evaluationMs })) break;
    const scale = jitter(options.scale, rng);
    const kicked = perturb(best, options.kind, scale, signed, rng);
    const out = adam(variant, kicked, {
      iterations: options.iterations,
      learningRate: jitter(options.learningRate, rng),
      temperature: jitter(options.temperature, rng),
      anneal: true,
      parametrisation: signed ? "free" : "clip",
      deadline,
    });
    const value = valueOf(variant, out);
    if (beats(variant, value, bestValue)) {
      best = out;
      bestValue = value;
    }
  }
  return best;
}

export interface RestartOptions {
  readonly pieces: number;
  /** Independent fresh starts of the first stage (default 1); the best one goes up the ladder. */
  readonly starts?: number;
  readonly iterations: number;
  readonly learningRate: number;
  readonly temperature: number;
  readonly noise: number;
  /** Rounds of x4 linear upsampling, each followed by Adam at lr / 5 and temp / 10 of the last. */
  readonly ladder: number;
  readonly deadline?: number;
}

/**
 * Fresh starts: heights U(0, 1) on `pieces` pieces, each run through a noisy annealed Adam, the
 * best of them then up a resolution ladder. What it is for: C2 from a random start (seed 1, one
 * core) reached 0.897 with noisy Adam at 140 pieces and 0.930 after two x4 rounds in 23 s, where
 * 30 min of moves on one lineage ended at 0.9357. C3's basins from a random start are spread
 * wide (200 pieces, 20,000 iterations, 0.8 s each, one core: median 1.484, best of 100 1.4572),
 * so many short starts find a better basin than one long one. Under a deadline the
 * time left is shared evenly between the stages left, and the first stage's share between its
 * starts.
 */
export function restartLadder(variant: Variant, options: RestartOptions, rng: Rng): Float64Array {
  const stages = 1 + options.ladder;
  const starts = Math.max(1, options.starts ?? 1);
  let learningRate = options.learningRate, temperature = options.temperature;
  const run = (start: Float64Array, noise: number, deadline: number | undefined) =>
    adam(variant, start, {
      iterations: options.iterations,
      learningRate,
      temperature,
      anneal: true,
      parametrisation: variant === "ac3" ? "free" : "clip",
      noise,
      rng,
      deadline,
    });
  const stageDeadline = (stage: number) =>
    options.deadline === undefined
      ? undefined
      : Date.now() + (options.deadline - Date.now()) / (stages - stage);
  // Stage 0: the best of the fresh starts.
  const firstDeadline = stageDeadline(0);
  let a: Float64Array = new Float64Array(0), bestValue = NaN;
  for (let k = 0; k < starts; k++) {
    const now = Date.now();
    if (k > 0 && firstDeadline !== undefined && now >= firstDeadline) break;
    const fresh = Float64Array.from({ length: Math.max(2, options.pieces) }, () => rng.next());
    const out = run(
      fresh,
      options.noise,
      firstDeadline === undefined ? undefined : now + (firstDeadline - now) / (starts - k),
    );
    const value = valueOf(variant, out);
    if (k === 0 || beats(variant, value, bestValue)) {
      a = out;
      bestValue = value;
    }
  }
  for (let stage = 1; stage < stages; stage++) {
    const m = targetPieces(variant, a.length, "x4");
    if (m === a.length) break;
    if (options.deadline !== undefined && Date.now() >= options.deadline) break;
    a = resample(a, m, "linear");
    learningRate /= 5;
    temperature /= 10;
    a = run(a, 0, stageDeadline(stage));
  }
  return a;
}

function applyMove(
  variant: Variant,
  move: Program[number],
  a: Float64Array,
  rng: Rng,
  deadline: number | undefined,
): Float64Array | Promise<Float64Array> {
  return MOVES[variant].dispatch<Float64Array | Promise<Float64Array>>(move, {
    adam: (p) =>
      adam(variant, a, {
        iterations: p.iters,
        learningRate: jitter(p.lr, rng),
        temperature: jitter(p.temp, rng),
        anneal: p.anneal,
        parametrisation: p.param,
        patience: p.patience,
        deadline,
      }),
    lp: (p) =>
      sequentialLp(a, {
        iterations: p.iters,
        tight: p.tight,
        resolution: p.resolution,
        radius: p.radius,
        signed: variant === "ac3",
        rng,
        deadline,
      }),
    basin: (p) =>
      basinHop(variant, a, {
        restarts: p.restarts,
        iterations: p.iters,
        scale: p.scale,
        learningRate: p.lr,
        temperature: p.temp,
        kind: p.kind,
        deadline,
      }, rng),
    restart: (p) =>
      restartLadder(variant, {
        pieces: Math.round(jitter(p.pieces, rng)),
        starts: p.starts,
        iterations: p.iters,
        learningRate: jitter(p.lr, rng),
        temperature: jitter(p.temp, rng),
        noise: p.noise,
        ladder: p.ladder,
        deadline,
      }, rng),
    resample: (p) => resample(a, targetPieces(variant, a.length, p.to), p.interp),
    perturb: (p) => perturb(a, p.kind, p.scale, variant === "ac3", rng),
  });
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
    // Out of time: the moves done so far stand (a is valid), the rest are skipped.
    if (pastDeadline(context)) break;
    a = await applyMove(variant, move, a, context.rng, context.deadline);
    for (let i = 0; i < a.length; i++) {
      if (!Number.isFinite(a[i])) throw new Error(`${move.op} produced a non-finite height at ${i}`);
    }
  }
  return { heights: Array.from(normaliseMax(a)) };
}

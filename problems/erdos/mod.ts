/**
 * The Erdős minimum overlap problem: find f on [0, 2] with values in [0, 1] and
 * integral 1 that minimises max_x ∫ f(t)(1 - f(t + x)) dt; the bound C5 is that
 * maximum for the best f. Here f is a step function with n equal pieces.
 */
import { z } from "zod";
import type { FullProblem } from "../../lib/problem.ts";
import type { Rng } from "../../lib/rng.ts";
import { erdosFeatures, FEATURE_NAMES } from "./features.ts";
import { erdosFigures } from "./figures.ts";
import { applyProgram, grammar } from "./moves.ts";
import { erdosParse, erdosPrompt } from "./prompt.ts";
import { erdosReference, REFERENCE_KEYS, type ReferenceName } from "./reference.ts";
import { type ErdosState, heightsKey, stateFromJSON } from "./state.ts";
import { projectCappedSimplex, verifierSafe } from "./projection.ts";
import { certifyOverlap, evaluateHeights, MAX_PIECES, MIN_PIECES, rescaleHeights } from "./verifier.ts";

export const ErdosOptionsSchema = z.object({
  /** Random initial states draw their piece count uniformly from [minPieces, maxPieces]. */
  minPieces: z.number().int().min(MIN_PIECES).max(MAX_PIECES).default(40),
  maxPieces: z.number().int().min(MIN_PIECES).max(MAX_PIECES).default(100),
  /** How many random initial states seed the archive. */
  initialCount: z.number().int().min(1).max(1000).default(8),
}).strict().refine((o) => o.minPieces <= o.maxPieces, { message: "minPieces must not exceed maxPieces" });

export type ErdosOptions = z.infer<typeof ErdosOptionsSchema>;

const WARM_STARTS = Object.keys(REFERENCE_KEYS) as ReferenceName[];

/** Paper-style random start: n ~ U{min..max}, heights 0.5 + U(-0.4, 0.4). */
function randomState(rng: Rng, options: ErdosOptions): ErdosState {
  const n = options.minPieces + rng.int(options.maxPieces - options.minPieces + 1);
  const heights = Array.from({ length: n }, () => 0.5 + rng.uniform(-0.4, 0.4));
  // Rescaled to sum n/2 a draw can exceed 1 (likelier for small n): then project it instead.
  return {
    heights: rescaleHeights({ heights }).ok
      ? heights
      : Array.from(verifierSafe(projectCappedSimplex(heights))),
  };
}

export const erdos: FullProblem<ErdosState, ErdosOptions> = {
  name: "erdos",
  title: "Erdős minimum overlap (upper bound on C5)",
  direction: "minimize",
  quantity: "C5",
  record: { value: 0.38085857485785823, source: "EinsteinArena leaderboard, 2026-08 (3,584 pieces)" },
  optionsSchema: ErdosOptionsSchema,
  warmStarts: WARM_STARTS,

  initialStates(rng, options, init = "random") {
    if (init === "random") {
      return Array.from({ length: options.initialCount }, () => randomState(rng, options));
    }
    if ((WARM_STARTS as string[]).includes(init)) {
      return [{ heights: [...erdosReference(init as ReferenceName).sequence] }];
    }
    throw new Error(`unknown erdos initial state "${init}"; valid: random, ${WARM_STARTS.join(", ")}`);
  },

  evaluate: evaluateHeights,
  certify(state) {
    const certified = certifyOverlap(state);
    if (!certified.valid || certified.value === null) throw new Error(`cannot certify: ${certified.error}`);
    return { method: "direct O(n^2) summation of every shift", value: certified.value };
  },

  grammar,
  featureNames: FEATURE_NAMES,
  features: erdosFeatures,
  apply: applyProgram,
  size: (state) => state.heights.length,
  prompt: erdosPrompt,
  parse: erdosParse,

  figures: erdosFigures,
  // Sized so the default `deno task run erdos` ends within 5 minutes on 2 cores.
  runDefaults: { steps: 150, groups: 8, groupSize: 8, minutes: 4.5, rolloutTimeoutSeconds: 15 },

  toJSON: (state) => ({ heights: [...state.heights] }),
  fromJSON: stateFromJSON,
  stateKey: (state) => heightsKey(state.heights),
};

export { certifyOverlap, evaluateHeights } from "./verifier.ts";
export { overlapCurve } from "./figures.ts";
export type { ErdosState } from "./state.ts";

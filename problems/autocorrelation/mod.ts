/**
 * The three autocorrelation inequalities, as three Problems sharing one verifier,
 * gradient, LP and move modules. f is a step function with n equal pieces on [-1/4, 1/4].
 *
 * - ac1: upper bound on C1, min over f >= 0 of max(f * f) / (int f)^2.
 * - ac2: lower bound on C2, max over f >= 0 of ||f * f||_2^2 / (||f * f||_1 ||f * f||_inf).
 * - ac3: upper bound on C3, as C1 but f may take either sign: |2n max(c)| / (sum a)^2 with the
 *   maximum of c itself. Not C3', which takes max |c| (best known 1.4688, a different constant).
 */
import { z } from "zod";
import { parseConstruct } from "../../lib/prompting.ts";
import { autocorrelationPrompt } from "./prompt.ts";
import type { FullProblem } from "../../lib/problem.ts";
import type { Rng } from "../../lib/rng.ts";
import { autocorrelationFeatures, FEATURE_NAMES } from "./features.ts";
import { convolutionSvg, functionSvg } from "./figures.ts";
import { applyProgram, grammarFor } from "./moves.ts";
import { autocorrelationReference, type ReferenceFile, referenceNames } from "./reference.ts";
import { heightsFromJSON, heightsKey, type HeightsState } from "./state.ts";
import { checkHeights, convolution, evaluateVariant, MAX_PIECES, type Variant } from "./verifier.ts";

export const AutocorrelationOptionsSchema = z.object({
  /** Random initial states draw their piece count uniformly from [minPieces, maxPieces]. */
  minPieces: z.number().int().min(2).max(MAX_PIECES).default(300),
  maxPieces: z.number().int().min(2).max(MAX_PIECES).default(600),
  /** How many random initial states seed the archive. */
  initialCount: z.number().int().min(1).max(1000).default(8),
}).strict().refine((o) => o.minPieces <= o.maxPieces, { message: "minPieces must not exceed maxPieces" });

export type AutocorrelationOptions = z.infer<typeof AutocorrelationOptionsSchema>;

/**
 * Above this n the O(n^2) certification (about 1.5 ns a term) would take over ~7 s. It covers the
 * 65,536 pieces of the 2026 C1 record: a claimed improvement there is ~1e-12, below FFT rounding.
 */
const DIRECT_CERTIFY_MAX = 65_536;

interface VariantSpec {
  readonly variant: Variant;
  readonly title: string;
  readonly quantity: string;
  readonly record: { readonly value: number; readonly source: string };
  readonly references: ReferenceFile;
  readonly runDefaults: Readonly<Record<string, unknown>>;
}

/** Paper-style random start: n ~ U{min..max}, heights U(0, 1). */
function randomState(rng: Rng, options: AutocorrelationOptions): HeightsState {
  const n = options.minPieces + rng.int(options.maxPieces - options.minPieces + 1);
  return { heights: Array.from({ length: n }, () => rng.next()) };
}

function autocorrelationProblem(spec: VariantSpec): FullProblem<HeightsState, AutocorrelationOptions> {
  const { variant } = spec;
  const warmStarts = referenceNames(spec.references);
  const grammar = grammarFor(variant);
  return {
    name: variant,
    title: spec.title,
    direction: variant === "ac2" ? "maximize" : "minimize",
    quantity: spec.quantity,
    record: spec.record,
    optionsSchema: AutocorrelationOptionsSchema,
    warmStarts,
    runDefaults: spec.runDefaults,

    initialStates(rng, options, init = "random") {
      if (init === "random") {
        return Array.from({ length: options.initialCount }, () => randomState(rng, options));
      }
      if (warmStarts.includes(init)) {
        return [{ heights: [...autocorrelationReference(spec.references, init).sequence] }];
      }
      throw new Error(`unknown ${variant} initial state "${init}"; valid: random, ${warmStarts.join(", ")}`);
    },

    evaluate: (state) => evaluateVariant(variant, state, "fft"),
    certify(state) {
      const direct = state.heights.length <= DIRECT_CERTIFY_MAX;
      const e = evaluateVariant(variant, state, direct ? "direct" : "fft");
      if (!e.valid || e.value === null) throw new Error(`cannot certify: ${e.error}`);
      return {
        method: direct ? "direct O(n^2) autoconvolution, compensated sums" : "FFT (n too large for direct)",
        value: e.value,
      };
    },

    grammar,
    featureNames: FEATURE_NAMES,
    features: (state, evaluation) => autocorrelationFeatures(variant, state, evaluation),
    apply: (program, state, context) => applyProgram(variant, program, state, context),
    size: (state) => state.heights.length,

    prompt: autocorrelationPrompt(variant),
    parse: parseConstruct,

    toJSON: (state) => ({ heights: [...state.heights] }),
    fromJSON: heightsFromJSON,
    stateKey: (state) => heightsKey(state.heights),

    figures(state) {
      const checked = checkHeights(state, variant === "ac3");
      if (!checked.ok) return [];
      const e = evaluateVariant(variant, state);
      const label = `${spec.quantity} = ${e.value}`;
      return [
        functionSvg(checked.heights, `f, ${checked.heights.length} pieces (${label})`),
        convolutionSvg(convolution(checked.heights, "fft"), "f * f with its maximum"),
      ];
    },
  };
}

/**
 * Shared run settings. Programs range from ~10 ms to minutes (the policy picks the budget: a
 * median of 0.5 s, a tail of 10-60 s when it resamples to 30,000 pieces and runs 10^4 Adam
 * iterations), so a 30 s rollout limit (moves stop at 24 s) keeps a step of 32 under minutes.
 */
const RUN_DEFAULTS = { steps: 60, groups: 4, groupSize: 8, minutes: 9, rolloutTimeoutSeconds: 30 } as const;

export const ac1 = autocorrelationProblem({
  variant: "ac1",
  title: "First autocorrelation inequality (upper bound on C1)",
  quantity: "C1",
  record: { value: 1.5027436492326163, source: "EinsteinArena (2026), 65,536 pieces" },
  references: "first_autocorrelation",
  runDefaults: RUN_DEFAULTS,
});

export const ac2 = autocorrelationProblem({
  variant: "ac2",
  title: "Second autocorrelation inequality (lower bound on C2)",
  quantity: "C2",
  record: { value: 0.963588, source: "EinsteinArena leaderboard (2026-08), no construction published" },
  references: "second_autocorrelation",
  runDefaults: RUN_DEFAULTS,
});

export const ac3 = autocorrelationProblem({
  variant: "ac3",
  title: "Third autocorrelation inequality, signed f (upper bound on C3)",
  quantity: "C3",
  record: { value: 1.4508066, source: "EinsteinArena leaderboard (2026-08), no construction published" },
  // The C1 constructions are non-negative, hence valid C3 states with the same value.
  references: "first_autocorrelation",
  runDefaults: RUN_DEFAULTS,
});

export { evaluateC1, evaluateC2, evaluateC3, evaluateVariant } from "./verifier.ts";
export type { HeightsState } from "./state.ts";

/**
 * The autocorrelation problems for the language-model route: statement, verifier source
 * and the current heights; the model's program maps the parent's heights to new ones.
 */
import type { Evaluation, PromptContext } from "../../lib/problem.ts";
import { composePrompt, heightsSummary, readSource } from "../../lib/prompting.ts";
import type { HeightsState } from "./state.ts";

type Variant = "ac1" | "ac2" | "ac3";

const COMMON = `f is a step function on [-1/4, 1/4] with n equal pieces of heights a_0..a_{n-1}; c = a * a is
the full discrete autoconvolution (length 2n - 1). Heights are clamped to the verifier's range and
the list must hold finite numbers (no booleans, NaN or infinities), at most 200,000 of them.`;

const STATEMENTS: Record<Variant, string> = {
  ac1: `# First autocorrelation inequality (upper bound on C1)

${COMMON} Heights must be non-negative (clamped to [0, 1000]) with sum at least 0.01.
C1 = 2n * max(c) / (sum a)^2. Lower is better (record 1.5027436).`,
  ac2: `# Second autocorrelation inequality (lower bound on C2)

${COMMON} Heights must be non-negative (clamped to [0, 1000]) with sum at least 0.01.
With y = [0, c_0, ..., c_{2n-2}, 0] on 2n + 1 equally spaced points over [-1/2, 1/2] (spacing
h = 1/(2n)): L2^2 = sum_j (h/3)(y_j^2 + y_j y_{j+1} + y_{j+1}^2), L1 = h * sum |c|, Linf = max |c|,
and C2 = L2^2 / (L1 * Linf). Higher is better (record 0.963588).`,
  ac3: `# Third autocorrelation inequality, signed f (upper bound on C3)

${COMMON} Heights may be negative (clamped to [-1000, 1000]).
C3 = |2n * max(c) / (sum a)^2|: the maximum of c itself, not of |c| (that would be C3').
Lower is better (record 1.4508066).`,
};

const QUANTITY: Record<Variant, string> = { ac1: "C1", ac2: "C2", ac3: "C3" };

const VERIFIER = readSource("./verifier.ts", import.meta.url);

export function autocorrelationPrompt(variant: Variant) {
  return (state: HeightsState, evaluation: Evaluation, context: PromptContext): string =>
    composePrompt(
      {
        statement: STATEMENTS[variant],
        verifierSource: VERIFIER,
        summary: heightsSummary(state.heights),
        stateType: "{ heights: number[] }",
        quantity: QUANTITY[variant],
        better: variant === "ac2" ? "higher" : "lower",
      },
      evaluation.value,
      context,
    );
}

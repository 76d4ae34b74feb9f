/**
 * Circle packing for the language-model route: statement, verifier source and the
 * current packing; the model's program maps the parent's packing to a new one.
 */
import type { Evaluation, PromptContext } from "../../lib/problem.ts";
import { composePrompt, readSource } from "../../lib/prompting.ts";
import type { CirclesState } from "./state.ts";

const VERIFIER = [readSource("./verifier.ts", import.meta.url), readSource("./exact.ts", import.meta.url)]
  .filter(Boolean).join("\n\n");

function summary(state: CirclesState): string {
  const total = state.radii.reduce((s, r) => s + r, 0);
  const shown = state.centers.slice(0, 8)
    .map(([x, y], i) => `(${x.toFixed(4)}, ${y.toFixed(4)}; r ${state.radii[i].toFixed(4)})`).join(", ");
  return `The current packing has ${state.radii.length} circles with sum of radii ${total.toFixed(6)}; ` +
    `the first: ${shown}${state.radii.length > 8 ? ", ..." : ""}. Your function receives all of them.`;
}

export function circlesPrompt(count: number, record: number) {
  const statement = `# Circle packing: ${count} circles in the unit square

Place ${count} circles (centres [x, y] and radii r) inside the unit square [0, 1]^2 without overlap,
maximising the sum of the radii. The check has zero tolerance: every circle must satisfy
r <= x, x + r <= 1, r <= y, y + r <= 1 exactly, and every pair must satisfy r_i + r_j <= distance
exactly (decided in exact arithmetic). Radii must be non-negative; the lists must have ${count} entries.
Higher is better (best known ${record}).`;
  return (state: CirclesState, evaluation: Evaluation, context: PromptContext): string =>
    composePrompt(
      {
        statement,
        verifierSource: VERIFIER,
        summary: summary(state),
        stateType: "{ centers: [number, number][]; radii: number[] }",
        quantity: "sum of radii",
        better: "higher",
      },
      evaluation.value,
      context,
    );
}

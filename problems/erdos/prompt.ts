/**
 * The Erdős problem for the language-model route: what the model is told (statement,
 * the verifier's source, the parent construction and the program that made it, a
 * target) and how its reply becomes a program for the sandbox.
 */
import type { Evaluation, ParsedProgram, PromptContext } from "../../lib/problem.ts";
import { composePrompt, CONSTRUCT, extractProgram, heightsSummary, readSource } from "../../lib/prompting.ts";
import type { ErdosState } from "./state.ts";

export const ENTRY = CONSTRUCT;

const STATEMENT = `# Erdős minimum overlap problem (upper bound on C5)

Find a step function f on [0, 2] with n equal pieces, heights h_0..h_{n-1}, values in [0, 1] and
integral 1, that minimises C5 = max over shifts k of (2/n) * sum_i h_{i+k} * (1 - h_i).
Lower is better. The verifier first rescales the heights so that sum(h) = n/2 (integral 1); after
rescaling every height must lie in [0, 1] exactly, or the construction is invalid. n may be
anything from 2 to 100000 (a few hundred to a few thousand pieces is typical of good constructions).`;

const VERIFIER = readSource("./verifier.ts", import.meta.url);

export function erdosPrompt(state: ErdosState, evaluation: Evaluation, context: PromptContext): string {
  return composePrompt(
    {
      statement: STATEMENT,
      verifierSource: VERIFIER,
      summary: heightsSummary(state.heights),
      stateType: "{ heights: number[] }",
      quantity: "C5",
      better: "lower",
    },
    evaluation.value,
    context,
  );
}

export function erdosParse(text: string): ParsedProgram {
  return extractProgram(text, ENTRY);
}

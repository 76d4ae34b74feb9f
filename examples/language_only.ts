/**
 * A problem for a language model only (prompt, parse and the verifier; no move grammar): eight numbers
 * in [0, 1], as far apart as possible. The best smallest gap is 1/7.
 */
import { invalid, parseConstruct, type ProblemDefinition, rewardFor, z } from "ttt-discover/kit";

const Numbers = z.array(z.number().min(0).max(1)).length(8);
const smallestGap = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.min(...s.slice(1).map((x, i) => x - s[i]));
};

export const spread: ProblemDefinition<number[]> = {
  name: "spread",
  direction: "maximize",
  quantity: "smallest gap",
  initialStates: (rng) => [Array.from({ length: 8 }, () => rng.next())],
  evaluate(json) { // the verifier: recomputes the gap from the numbers the program returned
    const parsed = Numbers.safeParse(json);
    if (!parsed.success) return invalid(parsed.error.message);
    const gap = smallestGap(parsed.data);
    return gap > 0
      ? { valid: true, value: gap, reward: rewardFor("maximize", gap) }
      : invalid("two coincide");
  },
  toJSON: (xs) => xs,
  fromJSON: (json) => Numbers.parse(json),
  prompt: (xs, evaluation, context) =>
    [
      "Place 8 numbers in [0, 1] so that the smallest gap between any two is as large as possible.",
      `The current numbers: ${JSON.stringify(xs)} (smallest gap ${evaluation.value}).`,
      context.target === undefined ? "" : `The best so far: ${context.target}.`,
      "Answer with one ```typescript code block that defines",
      "`export function construct(parent: number[]): number[]`, which returns the 8 new numbers.",
    ].join("\n"),
  parse: parseConstruct,
};

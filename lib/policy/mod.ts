/** Builds the policy a run configuration asks for. */
import type { RunConfig } from "../config.ts";
import type { Problem } from "../problem.ts";
import { BuiltinPolicy } from "./builtin.ts";
import type { Policy } from "./policy.ts";

export function createPolicy(config: RunConfig, problem: Problem): Policy {
  switch (config.policy) {
    case "builtin":
      return new BuiltinPolicy({
        grammar: problem.grammar,
        featureDim: problem.featureDim,
        hidden: config.hidden,
        seed: config.seed,
      });
  }
}

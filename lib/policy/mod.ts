/** Builds the policy a run configuration asks for. */
import type { RunConfig } from "../config.ts";
import type { Problem } from "../problem.ts";
import { BuiltinPolicy } from "./builtin.ts";
import { LlamaCppPolicy } from "./llamacpp.ts";
import type { Policy } from "./policy.ts";

export async function createPolicy(config: RunConfig, problem: Problem): Promise<Policy> {
  switch (config.policy) {
    case "builtin":
      return new BuiltinPolicy({
        grammar: problem.grammar,
        featureDim: problem.featureDim,
        hidden: config.hidden,
        seed: config.seed,
      });
    case "llamacpp": {
      const modelPath = config.modelPath ?? config.model;
      if (!modelPath) throw new Error("--policy llamacpp needs --model PATH.gguf");
      return await LlamaCppPolicy.create({
        modelPath,
        contextSize: config.contextSize,
        threads: config.threads,
        maxTokens: config.maxTokens,
      });
    }
    default:
      throw new Error(`policy ${config.policy} is not available yet`);
  }
}

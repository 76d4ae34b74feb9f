/** Builds the policy a run configuration asks for. */
import type { RunConfig } from "../config.ts";
import type { Problem } from "../problem.ts";
import { BuiltinPolicy } from "./builtin.ts";
import { LlamaCppPolicy } from "./llamacpp.ts";
import { OpenAIPolicy } from "./openai.ts";
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
    case "openai": {
      if (!config.model) throw new Error("--policy openai needs --model NAME");
      const keyVar = config.apiKeyEnv ?? "OPENAI_API_KEY";
      return new OpenAIPolicy({
        baseUrl: config.baseUrl ?? Deno.env.get("OPENAI_BASE_URL") ?? "https://api.openai.com/v1",
        // Local servers take any key; the SDK insists on one.
        apiKey: Deno.env.get(keyVar) ?? "none",
        model: config.model,
        api: config.api,
        maxTokens: config.maxTokens,
        reasoningEffort: config.reasoningEffort,
        concurrency: config.concurrency,
        requestTimeoutMs: config.requestTimeoutSeconds * 1000,
        maxRetries: config.maxRetries,
        inputUsdPerMTok: config.inputUsdPerMTok,
        outputUsdPerMTok: config.outputUsdPerMTok,
      });
    }
    case "tinker":
      // The service works in token ids; a tokenizer for the base model is not wired to the CLI yet.
      throw new Error(
        "--policy tinker needs a tokenizer for the base model, which the command line cannot load yet; " +
          "build TinkerPolicy.create({ ..., tokenizer }) from lib/policy/tinker/policy.ts in code",
      );
  }
}

/** Builds the policy a run configuration asks for. */
import { join } from "node:path";
import { operatorNames, type RunConfig } from "../config.ts";
import { featureDim, type Problem } from "../problem.ts";
import { requireBuiltin } from "../problem_module.ts";
import { requireDoors, SEARCH_FEATURE_NAMES } from "../search_features.ts";
import { BuiltinPolicy } from "./builtin.ts";
import { LlamaCppPolicy } from "./llamacpp.ts";
import { OpenAIPolicy } from "./openai.ts";
import type { Policy } from "./policy.ts";
import { loadGgufTokenizer } from "./tinker/gguf_tokenizer.ts";
import { TinkerPolicy } from "./tinker/policy.ts";

/** Tinker's hosted service; self-hosted servers that speak the same routes work by --base-url. */
const TINKER_SERVICE_URL = "https://tinker.thinkingmachines.dev/services/tinker-prod";

/** The policy snapshot in a run directory's checkpoint.json (or in that file, named directly). */
export function readPolicySnapshot(path: string): unknown {
  const file = path.endsWith(".json") ? path : join(path, "checkpoint.json");
  let text: string;
  try {
    text = Deno.readTextFileSync(file);
  } catch (error) {
    const why = error instanceof Deno.errors.NotFound ? "no such file" : String(error);
    throw new Error(`--prior-from ${path}: cannot read ${file} (${why}); give a run directory`);
  }
  let checkpoint: unknown;
  try {
    checkpoint = JSON.parse(text);
  } catch {
    throw new Error(`--prior-from ${path}: ${file} is not JSON`);
  }
  const policy = (checkpoint as { policy?: { kind?: unknown } } | null)?.policy;
  if (policy?.kind !== "builtin") {
    throw new Error(`--prior-from ${path}: ${file} holds no built-in policy (a run of --policy builtin)`);
  }
  return policy;
}

/** The built-in policy's input size for a run: the problem's features, plus the search features if on. */
export function builtinFeatureDim(problem: Problem, config: Pick<RunConfig, "searchFeatures">): number {
  return featureDim(problem) + (config.searchFeatures ? SEARCH_FEATURE_NAMES.length : 0);
}

/** How many networks the built-in policy holds for a run: a second writes from doors with --door-network. */
export function builtinNetworks(config: Pick<RunConfig, "doorNetwork">): number {
  return config.doorNetwork ? 2 : 1;
}

export async function createPolicy(config: RunConfig, problem: Problem): Promise<Policy> {
  switch (config.policy) {
    case "builtin": {
      const policy = new BuiltinPolicy({
        grammar: requireBuiltin(problem).grammar,
        featureDim: builtinFeatureDim(problem, config),
        hidden: config.hidden,
        seed: config.seed,
        optimizer: config.optimizer,
        priorSkew: config.priorSkew,
        uniformMix: config.uniformMix,
        uniformOperators: config.uniformMoves,
        uniformParameters: operatorNames(config.uniformParams),
        heldShare: operatorNames(config.holdShare),
        networks: builtinNetworks(config),
      });
      if (config.doorNetwork) requireDoors(problem, "--door-network");
      if (config.followThrough !== "") {
        requireDoors(problem, "--follow-through");
        try {
          policy.network.operatorMask(config.followThrough.split(","));
        } catch (e) {
          throw new Error(`--follow-through: ${(e as Error).message}`);
        }
      }
      if (config.priorFrom !== undefined) {
        const from = config.priorFrom;
        await policy.adopt(readPolicySnapshot(from)).catch((error) => {
          throw new Error(`--prior-from ${from}: ${error instanceof Error ? error.message : error}`);
        });
      }
      return policy;
    }
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
    case "tinker": {
      if (!config.model) throw new Error("--policy tinker needs --model BASE_MODEL (e.g. Qwen/Qwen3-8B)");
      if (!config.tokenizer) {
        throw new Error(
          "--policy tinker needs --tokenizer PATH.gguf, a GGUF file of the base model (read for its " +
            "tokenizer only: the service works in token ids)",
        );
      }
      const keyVar = config.apiKeyEnv ?? "TINKER_API_KEY";
      const baseUrl = config.baseUrl ?? Deno.env.get("TINKER_BASE_URL") ?? TINKER_SERVICE_URL;
      return await TinkerPolicy.create({
        baseUrl,
        apiKey: tinkerKey(baseUrl, keyVar),
        // With training off the reference is never asked for; with --kl 0 it is not needed.
        klCoef: config.train ? config.klCoef : 0,
        requestTimeoutMs: config.requestTimeoutSeconds * 1000,
        maxRetries: config.maxRetries,
        baseModel: config.model,
        loraRank: config.loraRank,
        maxTokens: config.maxTokens,
        tokenizer: await loadGgufTokenizer(config.tokenizer),
      });
    }
  }
}

/**
 * The API key: from the environment; a self-hosted server (any URL but the hosted service's) that
 * checks no keys gets the placeholder "tml-dummy", as its documentation has users set.
 */
export function tinkerKey(baseUrl: string, keyVar: string): string {
  const key = Deno.env.get(keyVar);
  if (key) return key;
  if (baseUrl.replace(/\/+$/, "") === TINKER_SERVICE_URL) {
    throw new Error(
      `the Tinker service needs an API key: set ${keyVar} (or name another variable with --api-key-env)`,
    );
  }
  return "tml-dummy";
}

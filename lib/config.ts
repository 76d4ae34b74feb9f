/**
 * The run configuration: every knob of a discovery, validated once with zod and
 * written to config.json so the run can be reproduced or resumed exactly.
 */
import { z } from "zod";
import { REUSE_RULES } from "./archive.ts";

/** Share of the rollout time limit that moves may spend before returning their best iterate. */
export const DEADLINE_SHARE = 0.8;

export const OBJECTIVES = ["entropic", "fixed-beta", "expected"] as const;
export const CREDITS = ["score", "improvement"] as const;
export const POLICIES = ["builtin", "openai", "tinker", "llamacpp"] as const;
/** OpenAI-compatible request shapes: chat messages or a raw completion prompt. */
export const APIS = ["chat", "completions"] as const;
export const REASONING_EFFORTS = ["minimal", "low", "medium", "high"] as const;

/** The longest wait a timer can honour: setTimeout fires at once for delays over 2^31 - 1 ms. */
export const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);
export const TIMER_MESSAGE = `longer than a timer can wait (at most ${MAX_TIMER_SECONDS} s)`;

export const RunConfigSchema = z.object({
  problem: z.string().min(1),
  /**
   * The module that exports the problem, for a problem outside problems/mod.ts: an absolute URL, so
   * `--resume` and every worker load the same file (lib/problem_module.ts). A relative path given to
   * discover() is resolved against the working directory before it is recorded.
   */
  problemModule: z.string().min(1).optional(),
  /** Problem-specific options, validated by the problem's own schema. */
  problemOptions: z.record(z.string(), z.unknown()).default({}),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
  /** Budgets: the run stops at whichever comes first. */
  steps: z.number().int().positive().default(50),
  maxRollouts: z.number().int().positive().optional(),
  minutes: z.number().positive().optional(),
  groups: z.number().int().positive().default(8),
  groupSize: z.number().int().min(2).default(64),
  reuse: z.enum(REUSE_RULES).default("puct"),
  exploration: z.number().nonnegative().default(1.0),
  archiveSize: z.number().int().positive().default(1000),
  objective: z.enum(OBJECTIVES).default("entropic"),
  fixedBeta: z.number().positive().default(2),
  /** A rollout's credit in its group: its reward, or its gain over its parent (lib/objective.ts). */
  credit: z.enum(CREDITS).default("score"),
  /** false = search only: the policy is never updated (the paper's "no TTT" baseline). */
  train: z.boolean().default(true),
  klCoef: z.number().nonnegative().default(0.1),
  temperature: z.number().positive().default(1.0),
  /** Raise the temperature while groups come back flat, relax it after (lib/exploration.ts). */
  temperatureControl: z.boolean().default(true),
  learningRate: z.number().positive().optional(),
  policy: z.enum(POLICIES).default("builtin"),
  hidden: z.number().int().positive().default(32),
  init: z.string().default("random"),
  /** Worker threads for rollouts; 0 runs them in the main thread. Defaults to one per core. */
  workers: z.number().int().min(0).max(256).optional(),
  rolloutTimeoutSeconds: z.number().positive().max(MAX_TIMER_SECONDS, TIMER_MESSAGE).default(120),
  /**
   * Equal effort (built-in route): every rollout spends this many seconds, repeating its program on
   * its best state until the time is up, so a cheap program and a costly one cost the same and the
   * policy is rewarded for progress per second, not per rollout. Must fit in the rollout time limit.
   */
  effortSeconds: z.number().positive().max(MAX_TIMER_SECONDS, TIMER_MESSAGE).optional(),

  // Language-model policies (openai, tinker, llamacpp); the built-in policy ignores these.
  /** Server root, e.g. http://127.0.0.1:8000/v1; default: OPENAI_BASE_URL / TINKER_BASE_URL or the service's. */
  baseUrl: z.url().optional(),
  /** Model name (openai, tinker base model) or GGUF file path (llamacpp). */
  model: z.string().min(1).optional(),
  /** GGUF file for llamacpp (default: `model`). */
  modelPath: z.string().min(1).optional(),
  /** Tinker: a GGUF file of the base model, read for its tokenizer only (the service works in token ids). */
  tokenizer: z.string().min(1).optional(),
  /** Environment variable holding the API key (default OPENAI_API_KEY / TINKER_API_KEY). */
  apiKeyEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).optional(),
  api: z.enum(APIS).default("chat"),
  /** Sampled tokens per attempt (sent as max_completion_tokens for reasoning models). */
  maxTokens: z.number().int().positive().default(4096),
  reasoningEffort: z.enum(REASONING_EFFORTS).optional(),
  /** Stop cleanly, after a finished step, before spending more than this. */
  maxCostUsd: z.number().positive().optional(),
  /** Prices per million tokens, for cost accounting. */
  inputUsdPerMTok: z.number().nonnegative().default(0),
  outputUsdPerMTok: z.number().nonnegative().default(0),
  /** Requests in flight at once. */
  concurrency: z.number().int().positive().max(1024).default(8),
  requestTimeoutSeconds: z.number().positive().max(MAX_TIMER_SECONDS, TIMER_MESSAGE).default(600),
  maxRetries: z.number().int().nonnegative().max(20).default(6),
  /** Tinker: LoRA rank of the trained adapter. */
  loraRank: z.number().int().positive().default(32),
  /** llamacpp: context window in tokens (prompt + completion); long prompts keep their end. */
  contextSize: z.number().int().positive().default(4096),
  /** llamacpp: CPU threads (default: one per core). */
  threads: z.number().int().positive().optional(),
  /** Budget for a prompt, in characters; the problem cuts long parts to fit. */
  promptChars: z.number().int().positive().default(60_000),
  /** V8 heap cap for sandboxed programs. */
  sandboxHeapMiB: z.number().int().positive().default(1024),
}).strict();

export type RunConfigInput = z.input<typeof RunConfigSchema>;
export type RunConfig = z.output<typeof RunConfigSchema>;

/** Per-problem defaults sit between the global defaults and what the user says. */
export function resolveConfig(
  input: RunConfigInput,
  problemDefaults: Partial<RunConfigInput> = {},
): RunConfig {
  const merged = { ...problemDefaults, ...stripUndefined(input) };
  return RunConfigSchema.refine(
    (c) => c.effortSeconds === undefined || c.effortSeconds <= DEADLINE_SHARE * c.rolloutTimeoutSeconds,
    {
      message:
        `effortSeconds must fit in the rollout time limit (at most ${DEADLINE_SHARE} x rolloutTimeoutSeconds)`,
      path: ["effortSeconds"],
    },
  ).parse(merged);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * The run configuration: every knob of a discovery, validated once with zod and
 * written to config.json so the run can be reproduced or resumed exactly.
 */
import { z } from "zod";
import { REUSE_RULES, TIE_VISITS, type TieVisits } from "./archive.ts";
import { checkedValue, type FlagSpec } from "./flags.ts";

/** Share of the rollout time limit that moves may spend before returning their best iterate. */
export const DEADLINE_SHARE = 0.8;

export const OBJECTIVES = ["entropic", "fixed-beta", "expected", "none"] as const;
export const CREDITS = ["score", "improvement", "record"] as const;
export const POLICIES = ["builtin", "openai", "tinker", "llamacpp"] as const;
export const OPTIMIZERS = ["adam", "sgd"] as const;
/** OpenAI-compatible request shapes: chat messages or a raw completion prompt. */
export const APIS = ["chat", "completions"] as const;
export const REASONING_EFFORTS = ["minimal", "low", "medium", "high"] as const;

/** The longest wait a timer can honour: setTimeout fires at once for delays over 2^31 - 1 ms. */
export const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);
export const TIMER_MESSAGE = `longer than a timer can wait (at most ${MAX_TIMER_SECONDS} s)`;

/** Operator names, comma-separated ("" for none); the grammar checks the names when a run starts. */
/** The names in an operator-list setting (`--uniform-params`, `--hold-share`, ...); "" names none. */
export function operatorNames(list: string): string[] {
  return list === "" ? [] : list.split(",");
}

const OperatorList = z.string().regex(
  /^([A-Za-z0-9_-]+(,[A-Za-z0-9_-]+)*)?$/,
  "a comma-separated list of operator names",
).default("");

/**
 * Every setting of a run, checked (strictly: an unknown key is an error) by resolveConfig. Its
 * fields are documented on RunConfig, which must stay its output type (checked below).
 */
export const RunConfigSchema = z.object({
  problem: z.string().min(1),
  problemModule: z.string().min(1).optional(),
  problemOptions: z.record(z.string(), z.unknown()).default({}),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
  // Budgets: the run stops at whichever comes first.
  steps: z.number().int().positive().default(50),
  maxRollouts: z.number().int().positive().optional(),
  minutes: z.number().positive().optional(),
  groups: z.number().int().positive().default(8),
  groupSize: z.number().int().min(2).default(64),
  doorGroupSize: z.number().int().min(2).optional(),
  reuse: z.enum(REUSE_RULES).default("puct"),
  exploration: z.number().nonnegative().default(1.0),
  archiveSize: z.number().int().positive().default(1000),
  tieVisits: z.enum(TIE_VISITS).default("fresh"),
  objective: z.enum(OBJECTIVES).default("entropic"),
  fixedBeta: z.number().positive().default(2),
  credit: z.enum(CREDITS).default("score"),
  creditHorizon: z.number().int().nonnegative().max(1000).default(0),
  train: z.boolean().default(true),
  trainAfter: z.number().int().nonnegative().default(0),
  klCoef: z.number().nonnegative().default(0.1),
  entropyBonus: z.number().nonnegative().max(10).default(0),
  temperature: z.number().positive().default(1.0),
  temperatureControl: z.boolean().default(true),
  learningRate: z.number().positive().optional(),
  optimizer: z.enum(OPTIMIZERS).default("adam"),
  priorSkew: z.number().nonnegative().max(10).default(0),
  uniformMix: z.number().nonnegative().lt(1).default(0),
  uniformMoves: z.boolean().default(false),
  uniformParams: OperatorList,
  holdShare: OperatorList,
  followThrough: OperatorList,
  searchFeatures: z.boolean().default(false),
  doorNetwork: z.boolean().default(false),
  priorFrom: z.string().min(1).optional(),
  policy: z.enum(POLICIES).default("builtin"),
  hidden: z.number().int().positive().default(32),
  init: z.string().default("random"),
  workers: z.number().int().min(0).max(256).optional(),
  rolloutTimeoutSeconds: z.number().positive().max(MAX_TIMER_SECONDS, TIMER_MESSAGE).default(120),
  effortSeconds: z.number().positive().max(MAX_TIMER_SECONDS, TIMER_MESSAGE).optional(),

  // Language-model policies (openai, tinker, llamacpp); the built-in policy ignores these.
  baseUrl: z.url().optional(),
  model: z.string().min(1).optional(),
  modelPath: z.string().min(1).optional(),
  tokenizer: z.string().min(1).optional(),
  apiKeyEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).optional(),
  api: z.enum(APIS).default("chat"),
  maxTokens: z.number().int().positive().default(4096),
  reasoningEffort: z.enum(REASONING_EFFORTS).optional(),
  maxCostUsd: z.number().positive().optional(),
  inputUsdPerMTok: z.number().nonnegative().default(0),
  outputUsdPerMTok: z.number().nonnegative().default(0),
  concurrency: z.number().int().positive().max(1024).default(8),
  requestTimeoutSeconds: z.number().positive().max(MAX_TIMER_SECONDS, TIMER_MESSAGE).default(600),
  maxRetries: z.number().int().nonnegative().max(20).default(6),
  loraRank: z.number().int().positive().default(32),
  contextSize: z.number().int().positive().default(4096),
  threads: z.number().int().positive().optional(),
  promptChars: z.number().int().positive().default(60_000),
  sandboxHeapMiB: z.number().int().positive().default(1024),
}).strict();

/**
 * A run configuration as a run uses it (and config.json records it): every default filled in.
 * resolveConfig checks the values (ranges, whole numbers, ...); `deno task run --help` lists the
 * flag of each field.
 */
export interface RunConfig {
  /** The problem: a registered name (problems/registry.json), or the path or URL of its module. */
  problem: string;
  /**
   * The module that exports the problem, for a problem not in the registry (problems/registry.json,
   * lib/problem_module.ts): an absolute URL, so `--resume` and every worker load the same file. A
   * relative path given to discover() is resolved against the working directory before it is recorded.
   */
  problemModule?: string;
  /** Problem-specific options, validated by the problem's own optionsSchema (default none). */
  problemOptions: Record<string, unknown>;
  /** Random seed (default 0): a run is reproducible from it for any worker count. */
  seed: number;
  /** Budget: training steps (default the problem's, else 50). The run stops at the first budget spent. */
  steps: number;
  /** Budget: total rollouts. */
  maxRollouts?: number;
  /** Budget: wall-clock minutes; a step that would overrun it is not started. */
  minutes?: number;
  /** Start states per step (default the problem's, else 8). */
  groups: number;
  /** Rollouts per start state (default the problem's, else 64; at least 2). */
  groupSize: number;
  /**
   * Rollouts per start state at a new size (a door: more or fewer pieces than its parent), so the
   * rare doors get more tries without more for every polish (default `groupSize`; at least 2).
   */
  doorGroupSize?: number;
  /** How start states are drawn from the archive (default "puct"). */
  reuse: "puct" | "greedy" | "epsilon" | "none";
  /** Exploration constant of the "puct" rule (default 1). */
  exploration: number;
  /** States the archive keeps (default 1000; initial states are always kept). */
  archiveSize: number;
  /**
   * PUCT: visits a child starts with when its reward ties its parent's: none (default "fresh"), one,
   * or its parent's count, so re-representations of one construction need not flood the search.
   */
  tieVisits: TieVisits;
  /** How rewards become advantages (default "entropic"; lib/objective.ts). */
  objective: (typeof OBJECTIVES)[number];
  /** Beta of the "fixed-beta" objective (default 2). */
  fixedBeta: number;
  /** A rollout's credit in its group: its reward, its gain over its parent, or over the run's best (default "score"). */
  credit: (typeof CREDITS)[number];
  /**
   * 0 (default, the paper's): a rollout is credited at once with its own reward. K > 0: with the best
   * reward its lineage reached within K steps (lib/lineage.ts), its group trained K steps late.
   */
  creditHorizon: number;
  /** false = search only: the policy is never updated (the paper's "no TTT" baseline; default true). */
  train: boolean;
  /** Steps searched with the initial policy before the first update (default 0: train from step 0). */
  trainAfter: number;
  /** KL penalty toward the initial policy (default 0.1); 0 turns it off. */
  klCoef: number;
  /**
   * Entropy bonus (default 0): each token's advantage gains lambda * (mean logp - logp), which pulls
   * the policy toward uniform over its choices rather than toward the initial policy.
   */
  entropyBonus: number;
  /** Sampling temperature (default 1). */
  temperature: number;
  /** Raise the temperature while groups come back flat, relax it after (default true; lib/exploration.ts). */
  temperatureControl: boolean;
  /** Learning rate (default: the policy's): Adam's, or how far a typical sgd step moves each weight. */
  learningRate?: number;
  /**
   * How the built-in policy steps (default "adam"): "sgd" moves it in proportion to the step's
   * gradient, in units of the run's median gradient norm, so one large gain moves it further than a
   * step of small ones (lib/policy/scaled_sgd.ts). Language-model policies train with Adam only.
   */
  optimizer: (typeof OPTIMIZERS)[number];
  /**
   * Standard deviation of the built-in policy's random initial preferences, one per choice of every
   * decision (default 0: it starts uniform over the grammar). Above 0 it starts with opinions, as a
   * pretrained model does, drawn from the run's seed: the setting in which to ask whether training
   * corrects a prior that is wrong for the problem.
   */
  priorSkew: number;
  /** Built-in policy: share of every decision drawn uniformly, a floor under each choice (default 0). */
  uniformMix: number;
  /** Built-in policy: every operator choice uniform and untrained, only parameters learned (default false). */
  uniformMoves: boolean;
  /**
   * Built-in policy: operators (comma-separated) whose parameters are drawn uniformly and never
   * trained (default "": none).
   */
  uniformParams: string;
  /**
   * Built-in policy: operators (comma-separated) whose joint chance of being written is held at its
   * uniform share and never trained; training learns only which of them, and which of the rest
   * (default "": none).
   */
  holdShare: string;
  /**
   * Built-in policy: the only operators (comma-separated) a program may write from a state at a new
   * size (`Problem.size` differs from its parent's: resampled or rebuilt), so a door is polished,
   * not undone (default "": any operator anywhere).
   */
  followThrough: string;
  /**
   * Built-in policy only: the policy also sees where a start state stands in the search
   * (lib/search_features.ts): its lineage's gain over 4 moves, visits, gain over its parent, gap to the
   * best, whether it is at a new size.
   */
  searchFeatures: boolean;
  /**
   * Built-in policy only: programs from a state at a new size (a door) are written by a second
   * network, trained only on those groups, so the few door groups of a run are not outweighed by the
   * many groups that polish (default false: one network writes every program).
   */
  doorNetwork: boolean;
  /**
   * A run directory (or its checkpoint.json) whose trained built-in policy becomes this run's
   * initial policy and KL reference: to ask whether what one run learned is worth anything to the
   * next, or to go on learning across runs. Its grammar and network size must match.
   */
  priorFrom?: string;
  /** What writes the programs (default "builtin"). */
  policy: "builtin" | "openai" | "tinker" | "llamacpp";
  /** Hidden units of the built-in policy's network (default 32). */
  hidden: number;
  /** Initial states: "random" (the default), or a warm start the problem names. */
  init: string;
  /** Worker threads for rollouts; 0 runs them in the main thread. Defaults to one per core. */
  workers?: number;
  /** Wall-clock limit in seconds for one generated program or rollout (default 120). */
  rolloutTimeoutSeconds: number;
  /**
   * Equal effort (built-in route): every rollout spends this many seconds, repeating its program on
   * its best state until the time is up, so a cheap program and a costly one cost the same and the
   * policy is rewarded for progress per second, not per rollout. Must fit in the rollout time limit.
   */
  effortSeconds?: number;
  /** Server root, e.g. http://127.0.0.1:8000/v1; default: OPENAI_BASE_URL / TINKER_BASE_URL or the service's. */
  baseUrl?: string;
  /** Model name (openai, tinker base model) or GGUF file path (llamacpp). */
  model?: string;
  /** GGUF file for llamacpp (default: `model`). */
  modelPath?: string;
  /** Tinker: a GGUF file of the base model, read for its tokenizer only (the service works in token ids). */
  tokenizer?: string;
  /** Environment variable holding the API key (default OPENAI_API_KEY / TINKER_API_KEY). */
  apiKeyEnv?: string;
  /** OpenAI-compatible request shape: chat messages (the default) or a raw completion prompt. */
  api: "chat" | "completions";
  /** Sampled tokens per attempt (default 4096; sent as max_completion_tokens for reasoning models). */
  maxTokens: number;
  /** Reasoning effort, for openai reasoning models. */
  reasoningEffort?: "minimal" | "low" | "medium" | "high";
  /** Stop cleanly, after a finished step, before spending more than this many USD. */
  maxCostUsd?: number;
  /** USD per million prompt tokens, for cost accounting (default 0). */
  inputUsdPerMTok: number;
  /** USD per million completion tokens, for cost accounting (default 0). */
  outputUsdPerMTok: number;
  /** Requests in flight at once (default 8). */
  concurrency: number;
  /** Seconds before a request is abandoned and retried (default 600). */
  requestTimeoutSeconds: number;
  /** Retries of a failed request before the run stops (default 6). */
  maxRetries: number;
  /** Tinker: LoRA rank of the trained adapter (default 32). */
  loraRank: number;
  /** llamacpp: context window in tokens, prompt and completion (default 4096); long prompts keep their end. */
  contextSize: number;
  /** llamacpp: CPU threads (default: half the cores). */
  threads?: number;
  /** Budget for a prompt, in characters (default 60000); the problem cuts long parts to fit. */
  promptChars: number;
  /** V8 heap cap of a sandboxed program, in MiB (default 1024). */
  sandboxHeapMiB: number;
}

/**
 * A run configuration as given (to discover, runDiscovery or resolveConfig): every field but
 * `problem` may be left out for its default. The fields are RunConfig's.
 */
export interface RunConfigInput extends Partial<RunConfig> {
  /** The problem: a registered name (problems/registry.json), or the path or URL of its module. */
  problem: string;
}

/** True when A and B are the same type (not merely assignable either way). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
/** Every field of an object type in one object type, so an interface compares with zod's mapped types. */
type Fields<T> = { [K in keyof T]: T[K] };
// RunConfig and RunConfigInput are written out for readers (and `deno doc`); these lines stop them
// drifting from the schema: a field added, dropped or retyped in one but not the other fails to type-check.
const _runConfigIsSchemaOutput: Same<Fields<RunConfig>, Fields<z.output<typeof RunConfigSchema>>> = true;
const _runConfigInputIsSchemaInput: Same<Fields<RunConfigInput>, Fields<z.input<typeof RunConfigSchema>>> =
  true;

// ---------------------------------------------------------------------------------------------
// The command line: one flag per field

/** Where a flag appears in --help. */
export type FlagSection = "budget" | "method" | "language" | "run";

/** How one configuration field is written on the command line. */
export interface ConfigFlag extends FlagSpec {
  readonly section: FlagSection;
  /**
   * What --help gives as the default instead of the schema's, e.g. "the problem's, else 50"; the
   * schema's default (or choices, for an enum) is shown otherwise.
   */
  readonly defaultText?: string;
}

/** The fields the problem argument sets (a registered name, or the path or URL of a module). */
export const PROBLEM_ARGUMENT = "problem argument";

/**
 * Every field of RunConfigSchema and its flag, in --help order. lib/cli.ts builds its parser and
 * --help from this table and checks each value with the field's own schema, so a field added to the
 * schema without a flag here does not type-check. A switch (no `value`) flips a field's default
 * (`--no-train` turns training off, `--search-features` turns the features on).
 */
export const CONFIG_FLAGS: {
  readonly [K in keyof RunConfig]-?: K extends "problem" | "problemModule" ? typeof PROBLEM_ARGUMENT
    : ConfigFlag;
} = {
  problem: PROBLEM_ARGUMENT,
  problemModule: PROBLEM_ARGUMENT,
  steps: {
    flag: "steps",
    value: "N",
    section: "budget",
    help: "training steps",
    defaultText: "the problem's, else 50",
  },
  maxRollouts: { flag: "rollouts", value: "N", section: "budget", help: "total rollouts" },
  minutes: {
    flag: "minutes",
    value: "M",
    section: "budget",
    help: "wall-clock budget; a step that would overrun it is not started",
  },
  groups: {
    flag: "groups",
    value: "N",
    section: "method",
    help: "start states per step",
    defaultText: "the problem's, else 8",
  },
  groupSize: {
    flag: "group-size",
    value: "N",
    section: "method",
    help: "rollouts per start state",
    defaultText: "the problem's, else 64",
  },
  doorGroupSize: {
    flag: "door-group-size",
    value: "N",
    section: "method",
    help: "rollouts per start state at a new size (a door: more or fewer pieces than its parent), so doors " +
      "get more tries without more for every polish; needs a problem with a size",
    defaultText: "--group-size",
  },
  reuse: {
    flag: "reuse",
    value: "RULE",
    section: "method",
    help: "how start states are drawn from the archive",
  },
  exploration: {
    flag: "exploration",
    value: "C",
    section: "method",
    help: "exploration constant of --reuse puct",
  },
  archiveSize: { flag: "archive-size", value: "N", section: "method", help: "states the archive keeps" },
  tieVisits: {
    flag: "tie-visits",
    value: "RULE",
    section: "method",
    help: "--reuse puct: visits a child starts with when it ties its parent (the same construction " +
      "re-represented, e.g. resampled finer, or barely moved by a polish): fresh (0, the paper's), one, " +
      "or parent (its parent's)",
  },
  objective: {
    flag: "objective",
    value: "KIND",
    section: "method",
    help: "how rewards become advantages: entropic (the paper's), fixed-beta, expected, or none " +
      "(an ablation: no reward signal, only the KL and entropy terms move the policy)",
  },
  fixedBeta: { flag: "fixed-beta", value: "B", section: "method", help: "beta of --objective fixed-beta" },
  credit: {
    flag: "credit",
    value: "KIND",
    section: "method",
    help: "score (a rollout's reward), improvement (its gain over its parent) or record (its gain " +
      "over the run's best when the step began)",
  },
  creditHorizon: {
    flag: "credit-horizon",
    value: "K",
    section: "method",
    help: "credit a rollout with the best reward its lineage (it and the states built on it) reached " +
      "within K steps, training its group K steps late; 0 (default) credits its own reward at once",
  },
  train: { flag: "no-train", section: "method", help: "never update the policy (test-time search only)" },
  trainAfter: {
    flag: "train-after",
    value: "K",
    section: "method",
    help: "first update after step K: earlier steps search with the initial policy, as --no-train does",
  },
  klCoef: {
    flag: "kl",
    value: "LAMBDA",
    section: "method",
    help: "KL penalty toward the initial policy; 0 turns it off, as a Tinker server without " +
      "base-model logprobs (e.g. SkyRL tx) needs",
  },
  entropyBonus: {
    flag: "entropy",
    value: "LAMBDA",
    section: "method",
    help: "entropy bonus: pulls the policy toward uniform over its choices (the KL term pulls " +
      "toward the initial policy), so moves the initial policy rarely writes keep being tried",
  },
  learningRate: {
    flag: "lr",
    value: "RATE",
    section: "method",
    help: "learning rate: Adam's, or with --optimizer sgd how far a typical step moves each weight",
    defaultText: "the policy's",
  },
  optimizer: {
    flag: "optimizer",
    value: "KIND",
    section: "method",
    help: "sgd (built-in policy only) steps in proportion to the gradient, in units of the run's " +
      "median gradient norm, so one large gain moves the policy further than many small ones",
  },
  priorSkew: {
    flag: "prior-skew",
    value: "S",
    section: "method",
    help: "built-in policy only: start with random preferences of standard deviation S on every " +
      "choice (logits), as a pretrained model has opinions, instead of uniform",
  },
  priorFrom: {
    flag: "prior-from",
    value: "DIR",
    section: "method",
    help: "built-in policy only: start from the policy an earlier run trained (its run directory) " +
      "instead of a fresh one; it is also the KL reference",
  },
  uniformMix: {
    flag: "uniform-mix",
    value: "M",
    section: "method",
    help: "built-in policy only: draw a share M (0 to < 1) of every decision uniformly instead of from " +
      "the policy, so training cannot starve a move that only pays now and then",
  },
  uniformMoves: {
    flag: "uniform-moves",
    section: "method",
    help: "built-in policy only: choose every move (and the program's length) uniformly and train only " +
      "the moves' parameters, so training cannot learn to stop writing a move that pays off later",
  },
  uniformParams: {
    flag: "uniform-params",
    value: "OPS",
    section: "method",
    help: "built-in policy only: draw the parameters of these operators (comma-separated, e.g. " +
      "restart,resample,perturb) uniformly and never train them; with --uniform-moves only the other " +
      "moves' parameters are learned",
  },
  holdShare: {
    flag: "hold-share",
    value: "OPS",
    section: "method",
    help: "built-in policy only: hold the chance that a move is one of these operators (comma-separated, " +
      "e.g. resample,restart) at its uniform share and never train it; training still learns which of " +
      "them and which of the rest, so it cannot learn to stop opening doors",
  },
  followThrough: {
    flag: "follow-through",
    value: "OPS",
    section: "method",
    help:
      "built-in policy only: from a state at a new size (more or fewer pieces than its parent, e.g. resampled), " +
      "write only these operators (comma-separated, e.g. adam,lp,basin), so a door is polished " +
      "rather than undone; needs a problem with a size",
  },
  searchFeatures: {
    flag: "search-features",
    section: "method",
    help: "built-in policy only: the policy also sees where a start state stands in the search (its " +
      "lineage's gain over 4 moves, visits, gain over its parent, gap to the best, whether it is at a new " +
      "size), to learn when to open a door and how to polish one",
  },
  doorNetwork: {
    flag: "door-network",
    section: "method",
    help:
      "built-in policy only: programs from a state at a new size (a door) are written by a second network, " +
      "trained only on those groups, so the rare door groups learn their own moves instead of being outweighed " +
      "by the groups that polish; needs a problem with a size",
  },
  temperature: { flag: "temperature", value: "T", section: "method", help: "sampling temperature" },
  temperatureControl: {
    flag: "no-temperature-control",
    section: "method",
    help: "keep the temperature fixed (by default it rises while groups come back flat)",
  },
  policy: { flag: "policy", value: "NAME", section: "method", help: "what writes the programs" },
  hidden: {
    flag: "hidden",
    value: "N",
    section: "method",
    help: "hidden units of the built-in policy's network",
  },
  init: {
    flag: "init",
    value: "NAME",
    section: "method",
    help: "initial states: random, or a warm start the problem names",
  },
  problemOptions: {
    flag: "option",
    value: "KEY=VALUE",
    section: "method",
    multiple: true,
    help: "a problem option (repeatable; VALUE is read as JSON when it parses)",
  },
  rolloutTimeoutSeconds: {
    flag: "program-timeout",
    value: "S",
    section: "method",
    help: "wall-clock limit for one generated program or rollout",
  },
  effortSeconds: {
    flag: "effort",
    value: "S",
    section: "method",
    help: "equal effort: every built-in rollout spends S seconds, repeating its program on its best " +
      "state, so programs compete on progress per second",
  },
  model: {
    flag: "model",
    value: "NAME",
    section: "language",
    help: "model name (openai), base model (tinker), or GGUF file path (llamacpp)",
  },
  modelPath: {
    flag: "model-path",
    value: "FILE",
    section: "language",
    help: "GGUF file to load (llamacpp)",
    defaultText: "--model",
  },
  baseUrl: {
    flag: "base-url",
    value: "URL",
    section: "language",
    help: "server root",
    defaultText: "$OPENAI_BASE_URL / $TINKER_BASE_URL, else the service's",
  },
  apiKeyEnv: {
    flag: "api-key-env",
    value: "VAR",
    section: "language",
    help: "environment variable holding the key",
    defaultText: "OPENAI_API_KEY / TINKER_API_KEY",
  },
  api: { flag: "api", value: "KIND", section: "language", help: "request shape (openai)" },
  maxTokens: { flag: "max-tokens", value: "N", section: "language", help: "sampled tokens per attempt" },
  reasoningEffort: {
    flag: "reasoning-effort",
    value: "E",
    section: "language",
    help: "openai reasoning models",
  },
  maxCostUsd: {
    flag: "max-cost-usd",
    value: "X",
    section: "language",
    help: "stop cleanly, after a finished step, before spending more than X",
  },
  inputUsdPerMTok: {
    flag: "price-in",
    value: "X",
    section: "language",
    help: "USD per million prompt tokens, for cost accounting",
  },
  outputUsdPerMTok: {
    flag: "price-out",
    value: "X",
    section: "language",
    help: "USD per million completion tokens",
  },
  concurrency: { flag: "concurrency", value: "N", section: "language", help: "requests in flight at once" },
  requestTimeoutSeconds: {
    flag: "request-timeout",
    value: "S",
    section: "language",
    help: "seconds before a request is abandoned and retried",
  },
  maxRetries: {
    flag: "max-retries",
    value: "N",
    section: "language",
    help: "retries of a failed request before the run stops",
  },
  promptChars: {
    flag: "prompt-chars",
    value: "N",
    section: "language",
    help: "budget for a prompt in characters; the problem cuts long parts to fit",
  },
  loraRank: {
    flag: "lora-rank",
    value: "N",
    section: "language",
    help: "LoRA rank of the trained adapter (tinker)",
  },
  tokenizer: {
    flag: "tokenizer",
    value: "FILE",
    section: "language",
    help: "a GGUF file of the base model, read for its tokenizer (tinker)",
  },
  contextSize: {
    flag: "context-size",
    value: "N",
    section: "language",
    help: "context window in tokens (llamacpp)",
  },
  threads: {
    flag: "threads",
    value: "N",
    section: "language",
    help: "CPU threads for the model (llamacpp)",
    defaultText: "half the cores",
  },
  seed: { flag: "seed", value: "N", section: "run", help: "random seed" },
  workers: {
    flag: "workers",
    value: "N",
    section: "run",
    help: "rollout worker threads; 0 runs rollouts in this thread",
    defaultText: "one per core",
  },
  sandboxHeapMiB: {
    flag: "sandbox-heap",
    value: "MIB",
    section: "run",
    help: "V8 heap cap of a sandboxed program, in MiB",
  },
};

/** The field's schema without its default or optional wrapper, and its default if it has one. */
function fieldSchema(field: keyof RunConfig): { schema: z.ZodType; defaultValue?: unknown } {
  let schema = RunConfigSchema.shape[field] as z.ZodType;
  let defaultValue: unknown;
  while (schema instanceof z.ZodDefault || schema instanceof z.ZodOptional) {
    if (schema instanceof z.ZodDefault) defaultValue = schema.def.defaultValue;
    schema = schema.unwrap() as z.ZodType;
  }
  return { schema, defaultValue };
}

/** A field's --help text: its choices (for an enum), what it does, and its default. */
export function configFlagHelp(field: keyof RunConfig): string {
  const spec = CONFIG_FLAGS[field];
  if (spec === PROBLEM_ARGUMENT) return "";
  const { schema, defaultValue } = fieldSchema(field);
  const choices = schema instanceof z.ZodEnum ? (schema.options as string[]).join("|") : "";
  const text = [choices, spec.help].filter(Boolean).join(": ");
  if (spec.defaultText !== undefined) return `${text} (default: ${spec.defaultText})`;
  // An empty default (an operator list that names none) says nothing worth printing.
  const shown = spec.value !== undefined && defaultValue !== undefined && defaultValue !== "" &&
    typeof defaultValue !== "object";
  return shown ? `${text} (default ${defaultValue})` : text;
}

/** Values of parsed flags, as node's parseArgs returns them. */
export type FlagValues = Readonly<Record<string, string | boolean | string[] | undefined>>;

/**
 * The configuration fields the flags set, each value checked by its field's schema (a UsageError
 * names the flag: "--steps 0: Too small: expected number to be >0"). The problem argument and
 * `--option` are read by the command line itself.
 */
export function configFromFlags(values: FlagValues): Partial<RunConfigInput> {
  const config: Record<string, unknown> = {};
  for (const [field, spec] of Object.entries(CONFIG_FLAGS) as [keyof RunConfig, ConfigFlag | string][]) {
    if (typeof spec === "string" || spec.multiple) continue;
    const raw = values[spec.flag];
    if (raw === undefined || raw === false) continue;
    const { schema, defaultValue } = fieldSchema(field);
    config[field] = spec.value === undefined ? !defaultValue : checkedValue(spec.flag, schema, String(raw));
  }
  return config as Partial<RunConfigInput>;
}

/** The flag that sets a configuration field, for messages (`effortSeconds` -> `--effort`). */
export function flagOf(field: string): string | undefined {
  const spec = (CONFIG_FLAGS as Record<string, ConfigFlag | string>)[field];
  return spec === undefined || typeof spec === "string" ? undefined : `--${spec.flag}`;
}

/** RunConfigSchema with the checks that span fields. */
const ResolvedConfigSchema = RunConfigSchema.refine(
  (c) => c.effortSeconds === undefined || c.effortSeconds <= DEADLINE_SHARE * c.rolloutTimeoutSeconds,
  {
    message:
      `effortSeconds must fit in the rollout time limit (at most ${DEADLINE_SHARE} x rolloutTimeoutSeconds)`,
    path: ["effortSeconds"],
  },
).refine((c) => c.optimizer === "adam" || c.policy === "builtin", {
  message: "only the built-in policy has the sgd optimizer (language-model services train with Adam)",
  path: ["optimizer"],
}).refine((c) => c.priorSkew === 0 || c.policy === "builtin", {
  message: "only the built-in policy takes a prior skew (a language model brings its own prior)",
  path: ["priorSkew"],
}).refine((c) => c.uniformMix === 0 || c.policy === "builtin", {
  message: "only the built-in policy takes a uniform mix (a language model samples its own tokens)",
  path: ["uniformMix"],
}).refine((c) => !c.uniformMoves || c.policy === "builtin", {
  message: "only the built-in policy takes --uniform-moves (a language model writes its own programs)",
  path: ["uniformMoves"],
}).refine((c) => c.uniformParams === "" || c.policy === "builtin", {
  message: "only the built-in policy takes --uniform-params (a language model writes its own programs)",
  path: ["uniformParams"],
}).refine((c) => c.holdShare === "" || c.policy === "builtin", {
  message: "only the built-in policy takes --hold-share (a language model writes its own programs)",
  path: ["holdShare"],
}).refine((c) => c.holdShare === "" || !c.uniformMoves, {
  message:
    "--hold-share does nothing with --uniform-moves, which already draws every operator choice uniformly",
  path: ["holdShare"],
}).refine((c) => c.followThrough === "" || c.policy === "builtin", {
  message: "only the built-in policy takes --follow-through (a language model writes its own programs)",
  path: ["followThrough"],
}).refine((c) => !c.searchFeatures || c.policy === "builtin", {
  message: "only the built-in policy takes search features (a language model reads its prompt)",
  path: ["searchFeatures"],
}).refine((c) => !c.doorNetwork || c.policy === "builtin", {
  message: "only the built-in policy takes --door-network (a language model writes its own programs)",
  path: ["doorNetwork"],
}).refine((c) => c.priorFrom === undefined || c.policy === "builtin", {
  message: "only the built-in policy starts from an earlier run's policy",
  path: ["priorFrom"],
}).refine((c) => c.priorFrom === undefined || c.priorSkew === 0, {
  message: "a policy taken from an earlier run brings its own prior: drop --prior-skew",
  path: ["priorFrom"],
});

/**
 * A run configuration that does not hold. The message is one line naming each wrong field and its
 * flag: `invalid run configuration: steps (--steps): Too small: expected number to be >0`.
 */
export class ConfigError extends Error {
  /** Always "ConfigError". */
  override name = "ConfigError";
  /** What is wrong, one issue per field (zod's issues), for a caller that wants them one by one. */
  readonly issues: readonly ConfigIssue[];
  /** The error of these issues. */
  constructor(issues: readonly ConfigIssue[]) {
    super(`invalid run configuration: ${issues.map(describeIssue).join("; ")}`);
    this.issues = issues;
  }
}

/** One thing wrong with a run configuration. */
export interface ConfigIssue {
  /** Where: the field, e.g. `["steps"]`; empty for the configuration as a whole. */
  readonly path: readonly PropertyKey[];
  /** What is wrong, in zod's words. */
  readonly message: string;
}

function describeIssue(issue: ConfigIssue): string {
  const field = issue.path.join(".");
  const flag = flagOf(String(issue.path[0] ?? ""));
  return `${field || "config"}${flag ? ` (${flag})` : ""}: ${issue.message}`;
}

/**
 * The configuration a run uses: the input over the problem's defaults over the global ones. Throws
 * ConfigError (one readable line) when a value is wrong.
 */
export function resolveConfig(
  input: RunConfigInput,
  problemDefaults: Partial<RunConfigInput> = {},
): RunConfig {
  const checked = ResolvedConfigSchema.safeParse({ ...problemDefaults, ...stripUndefined(input) });
  if (!checked.success) throw new ConfigError(checked.error.issues);
  return checked.data;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

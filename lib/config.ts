/**
 * The run configuration: every knob of a discovery, validated once with zod and
 * written to config.json so the run can be reproduced or resumed exactly.
 */
import { z } from "zod";
import { REUSE_RULES } from "./archive.ts";

export const OBJECTIVES = ["entropic", "fixed-beta", "expected"] as const;
export const POLICIES = ["builtin"] as const;

export const RunConfigSchema = z.object({
  problem: z.string().min(1),
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
  /** false = search only: the policy is never updated (the paper's "no TTT" baseline). */
  train: z.boolean().default(true),
  klCoef: z.number().nonnegative().default(0.1),
  temperature: z.number().positive().default(1.0),
  learningRate: z.number().positive().optional(),
  policy: z.enum(POLICIES).default("builtin"),
  hidden: z.number().int().positive().default(32),
  init: z.string().default("random"),
  /** Worker threads for rollouts; 0 runs them in the main thread. Defaults to one per core. */
  workers: z.number().int().min(0).max(256).optional(),
  rolloutTimeoutSeconds: z.number().positive().default(120),
}).strict();

export type RunConfigInput = z.input<typeof RunConfigSchema>;
export type RunConfig = z.output<typeof RunConfigSchema>;

/** Per-problem defaults sit between the global defaults and what the user says. */
export function resolveConfig(
  input: RunConfigInput,
  problemDefaults: Partial<RunConfigInput> = {},
): RunConfig {
  const merged = { ...problemDefaults, ...stripUndefined(input) };
  return RunConfigSchema.parse(merged);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

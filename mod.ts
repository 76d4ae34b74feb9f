/**
 * TTT-Discover toolkit: test-time reinforcement learning for open problems.
 *
 * ```ts
 * import { discover } from "./mod.ts";
 * for await (const step of discover({ config: { problem: "erdos", steps: 5 } })) {
 *   console.log(step.step, step.best.value);
 * }
 * ```
 */
export { archiveRows, discover } from "./lib/loop.ts";
export type { BestState, DiscoverOptions, RunSummary, StepReport } from "./lib/loop.ts";
export type { Executor, ExecutorSpec, ExecutorStatus } from "./lib/executor.ts";
export { resolveConfig, type RunConfig, type RunConfigInput, RunConfigSchema } from "./lib/config.ts";
export { Archive, type ArchiveEntry, type ArchiveOptions, type ReuseRule } from "./lib/archive.ts";
export * from "./lib/objective.ts";
export type * from "./lib/policy/policy.ts";
export { BuiltinPolicy } from "./lib/policy/builtin.ts";
export { createPolicy } from "./lib/policy/mod.ts";
export * from "./lib/grammar.ts";
export type { Direction, Evaluation, Problem } from "./lib/problem.ts";
export { Rng } from "./lib/rng.ts";
export type { AttemptRow, StateRow, StepRow } from "./lib/records.ts";
export * from "./lib/store.ts";
export * from "./lib/plot.ts";
export { ATTEMPT_COLUMNS, frameToRows, STATE_COLUMNS, STEP_COLUMNS } from "./lib/tables.ts";
export { loadProblem, problemNames } from "./lib/problem_module.ts";
export * from "./lib/ablation.ts";

/**
 * TTT-Discover: test-time reinforcement learning for open problems. What a user runs, reads, plots
 * and defines; the method's internals (the run store, the move grammar's tokens, the policies) stay
 * in lib/.
 *
 * Run a discovery and get its summary (with `out`, the run directory also holds the Parquet tables,
 * best.json and report.svg):
 *
 * ```ts
 * import { runDiscovery } from "./mod.ts";
 * const summary = await runDiscovery({ config: { problem: "erdos", steps: 5 }, out: "runs" });
 * console.log(summary.best.value, summary.stoppedBy, summary.runDir);
 * ```
 *
 * Watch it step by step, then plot a run from its tables:
 *
 * ```ts
 * import { discover, progressPlot, readRunTables } from "./mod.ts";
 * for await (const step of discover({ config: { problem: "erdos", steps: 5 }, out: "runs" })) {
 *   console.log(step.step, step.best.value);
 * }
 * const svg = progressPlot(readRunTables("runs/erdos/<run-id>").steps);
 * ```
 *
 * A problem of your own is one module (README, "Your own problem"); its types, `rewardFor` and zod
 * are here and, lighter for rollout workers, in `ttt-discover/kit`.
 *
 * @module
 */

// Run
export { discover } from "./lib/loop.ts";
export type { BestState, DiscoverOptions, RunSummary, StepReport } from "./lib/loop.ts";
export { runDiscovery, type RunDiscoveryOptions } from "./lib/discovery.ts";
export {
  ConfigError,
  type ConfigIssue,
  resolveConfig,
  type RunConfig,
  type RunConfigInput,
} from "./lib/config.ts";
export type { Executor, ExecutorSpec, ExecutorStatus } from "./lib/executor.ts";
export type { RolloutResult, RolloutTask } from "./lib/rollout.ts";
export type { PolicyUsage } from "./lib/policy/policy.ts";
export { loadProblem, problemNames } from "./lib/problem_module.ts";

// Define a problem: the kit (lib/kit.ts) that problem modules import as `ttt-discover/kit`, with z
// exported as a value below (a re-export of zod's namespace would make its whole API part of this one).
export * from "./lib/kit.ts";
import { z as zod } from "zod";
/** zod (https://zod.dev), for a problem's options schema and state codec. */
export const z: typeof zod = zod;

// Read a run
export { archiveRows } from "./lib/loop.ts";
export type { ArchivedState, ArchiveView } from "./lib/archive.ts";
export { type BestRecord, readRunTables, RunStoreError, type RunTables } from "./lib/store.ts";
export type { AttemptRow, StateRow, StepRow } from "./lib/records.ts";
export {
  ATTEMPT_COLUMNS,
  type ColumnKind,
  frameToRows,
  type RunTable,
  STATE_COLUMNS,
  STEP_COLUMNS,
  type TableSpec,
} from "./lib/tables.ts";

// Plot
export {
  ablationPlot,
  archiveTreePlot,
  type CurveRow,
  display,
  Plot,
  type PlotOptions,
  type ProgressOptions,
  progressPlot,
  renderPlot,
  stackFigures,
  type SvgDisplay,
} from "./lib/plot.ts";
export { REPORT_FILE, runReport } from "./lib/report.ts";

// Ablations
export {
  type AblationOptions,
  type ComputeWorth,
  computeWorth,
  type CurvePoint,
  mannWhitneyP,
  pairedFinalDifferences,
  type PairedGap,
  pairedGapByStep,
  type PolicyConditioning,
  policyConditioning,
  readCurves,
  runAblation,
  type RunActivity,
  runActivity,
  sampleSd,
  seedsForPairedTest,
  signTestP,
  summarise,
  summaryMarkdown,
  type SummaryRow,
  totalVariation,
  type Variant,
  VARIANTS,
  wilcoxonSignedRankP,
} from "./lib/ablation.ts";

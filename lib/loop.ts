/**
 * discover(): the TTT-Discover loop as an async generator of step reports.
 *
 *   select (archive rule) -> generate (policy samples a group per start state)
 *   -> evaluate (workers run the programs, the verifier scores them)
 *   -> update (entropic advantages, KL shaping, one Adam step) -> repeat.
 *
 * Every random choice derives from (seed, step, group, rollout), so a run is
 * reproducible for any worker count, and a resumed run continues the same stream.
 */
import { Archive, type ArchiveEntry, type ArchiveView, type Candidate } from "./archive.ts";
import {
  ConfigError,
  resolveConfig,
  type RunConfig,
  type RunConfigInput,
  RunConfigSchema,
} from "./config.ts";
import {
  creditedRewards,
  entropyShapedAdvantages,
  groupAdvantages,
  klShapedAdvantages,
} from "./objective.ts";
import { DEFAULT_EXPLORATION, flatGroupShare, nextTemperature } from "./exploration.ts";
import { createPolicy } from "./policy/mod.ts";
import {
  type Datum,
  DEFAULT_ADAM,
  type Policy,
  type PolicyContext,
  type PolicyUsage,
  type SampledSequence,
} from "./policy/policy.ts";
import { defineProblem, type Evaluation, type Problem, type ProblemDefinition } from "./problem.ts";
import type { AttemptRow, StateRow, StepRow } from "./records.ts";
import { deriveSeed, Rng } from "./rng.ts";
import type { RolloutResult } from "./rollout.ts";
import { createRoute, type Route, routeKindFor, type RouteRollout } from "./route.ts";
import {
  checkProblem,
  isModuleSpecifier,
  isRegistered,
  loadProblem,
  loadProblemModule,
  moduleUrl,
} from "./problem_module.ts";
import type { Executor, ExecutorSpec, ExecutorStatus } from "./executor.ts";
import { type BestRecord, newRunId, type ResumedRun, RunStore, RunStoreError } from "./store.ts";
import { z } from "zod";
import { join } from "node:path";
import { encodeJson } from "./json.ts";
import { REPORT_FILE, runReport } from "./report.ts";
import { LineageLedger, type PendingGroup } from "./lineage.ts";
import { ancestorReward, newSize, requireDoors, searchFeatures } from "./search_features.ts";

/** Stream labels for deriveSeed, so no two uses of the seed share a stream. */
const STREAM = { init: 1, select: 2, sample: 3, rollout: 4 } as const;

/** What discover() runs, where it writes, and who watches. */
export interface DiscoverOptions {
  /** What to run; not needed with `resume`, which reads the run's own config.json. */
  readonly config?: RunConfigInput;
  /**
   * A problem object not in the registry (e.g. defined in a notebook); config.problem
   * must be its name. Its rollouts run in-process (`workers: 0`) unless `problemModule`
   * names a module that exports it, which worker threads then import.
   */
  // deno-lint-ignore no-explicit-any
  readonly problem?: ProblemDefinition<any, any>;
  /**
   * The module that exports the problem (a path, read against the working directory, or a URL, e.g.
   * `new URL("./my_problem.ts", import.meta.url)`). Without `problem`, the problem is loaded from it
   * (the one called config.problem, or its only one). Recorded in config.json, so a resume finds it.
   * `config.problem` may name the module itself: `{ problem: "./my_problem.ts" }`.
   */
  readonly problemModule?: string | URL;
  /** Where run directories go (`<out>/<problem>/<run-id>`); omit to keep the run in memory. */
  readonly out?: string;
  /** Continue the run in this directory instead of starting one. */
  readonly resume?: string;
  /** Stops the run cleanly after the current step. */
  readonly signal?: AbortSignal;
  /**
   * Where rollouts run (lib/executor.ts): this machine's worker threads when omitted, or worker
   * processes on any machine through NATS (`"nats://host:4222"`). Not a setting of the run: results
   * are the same wherever rollouts run. An Executor object given here stays the caller's to close.
   */
  readonly executor?: ExecutorSpec | Executor;
  /** Sees every rollout as it finishes (progress displays), with where rollouts run now. */
  readonly onRollout?: (done: number, total: number, executor?: ExecutorStatus) => void;
}

/** The best state a run has found. */
export interface BestState {
  /** Its verified value (the published quantity). */
  readonly value: number;
  /** Its reward. */
  readonly reward: number;
  /** The step that found it (0 for an initial state). */
  readonly step: number;
  /** Its id in the archive. */
  readonly stateId: number;
  /** The construction as JSON. */
  readonly state: unknown;
}

/** What discover() yields after each step. */
export interface StepReport {
  /** The step (0-based). */
  readonly step: number;
  /** Its row of steps.parquet. */
  readonly row: StepRow;
  /** Its rollouts, as rows of attempts.parquet. */
  readonly attempts: readonly AttemptRow[];
  /** The best state so far. */
  readonly best: BestState;
  /** The archive after this step (archiveRows gives its rows, archiveTreePlot draws it). */
  readonly archive: ArchiveView;
  /** The run's resolved configuration. */
  readonly config: RunConfig;
  /** The run directory, when the run has one. */
  readonly runDir?: string;
}

/** What a finished discovery returns (runDiscovery's result; a `for await` loop does not see it). */
export interface RunSummary {
  /** The run's resolved configuration. */
  readonly config: RunConfig;
  /** The best state found. */
  readonly best: BestState;
  /** The best value recomputed by the problem's independent check, and the check's name. */
  readonly certified?: { readonly method: string; readonly value: number };
  /** Every step's row, a resumed run's earlier steps included. */
  readonly steps: readonly StepRow[];
  /** The run directory (with report.svg), when the run has one. */
  readonly runDir?: string;
  /** The budget that ended the run, or the signal that stopped it. */
  readonly stoppedBy: "steps" | "rollouts" | "time" | "signal" | "cost";
  /** Tokens and money a language-model backend spent (absent for the built-in policy). */
  readonly usage?: PolicyUsage;
}

interface LoopState {
  completedSteps: number;
  rollouts: number;
  elapsedMs: number;
  best: BestState;
  /** The next step's sampling temperature (lib/exploration.ts). */
  temperature: number;
  /** Groups waiting for their lineage credit (`--credit-horizon K > 0`), else undefined. */
  ledger?: LineageLedger;
}

/**
 * Runs a discovery: yields a StepReport after each step and returns the RunSummary (runDiscovery
 * returns it for you). With `out`, every step is committed to a run directory that `resume` continues
 * and that holds report.svg when the run ends. A wrong configuration throws ConfigError before
 * anything is written.
 */
export async function* discover(options: DiscoverOptions): AsyncGenerator<StepReport, RunSummary> {
  const { config, problem, policy, archive, loop, steps, resumedStore, routeSnapshot } = await prepareRun(
    options,
  );
  // Workers start before anything is written, so a problem they cannot load leaves no run behind.
  let route: Route;
  try {
    route = await createRoute(config, problem, config.problemModule, options.executor);
  } catch (e) {
    await policy.close?.();
    resumedStore?.release();
    throw e;
  }
  route.restore(routeSnapshot);
  let store = resumedStore;
  let stoppedBy: RunSummary["stoppedBy"] = "steps";
  let ended = false;
  try {
    if (!store && options.out) {
      const id = newRunId(problem.name, config.seed);
      store = await RunStore.createNew(join(options.out, problem.name), id, {
        ...config,
        versions: versions(),
      });
    }
    const startedAt = performance.now() - loop.elapsedMs;
    let lastStepCost: number | undefined;
    while (loop.completedSteps < config.steps) {
      if (config.maxRollouts !== undefined && loop.rollouts >= config.maxRollouts) {
        stoppedBy = "rollouts";
        break;
      }
      // A step that would overrun the time budget is not started.
      const lastStepMs = steps.at(-1)?.totalMs ?? 0;
      if (lastStepMs > budgetLeftMs(config, startedAt)) {
        stoppedBy = "time";
        break;
      }
      if (options.signal?.aborted) {
        stoppedBy = "signal";
        break;
      }
      // Like the time budget: a step whose cost would overrun the cap is not started.
      const spent = policy.usage?.().costUsd ?? 0;
      if (config.maxCostUsd !== undefined && spent + (lastStepCost ?? 0) > config.maxCostUsd) {
        stoppedBy = "cost";
        break;
      }
      const report = await runStep({
        config,
        problem,
        policy,
        archive,
        route,
        loop,
        store,
        options,
        startedAt,
      });
      lastStepCost = (policy.usage?.().costUsd ?? 0) - spent;
      steps.push(report.row);
      yield report;
    }
    ended = true;
  } finally {
    await route.close();
    await policy.close?.();
    // The run directory's lock (lib/store.ts) goes with a run that failed or was abandoned.
    if (!ended) store?.release();
  }
  const certified = problem.certify?.(problem.fromJSON(loop.best.state));
  if (store) {
    try {
      await store.writeText("best.json", encodeJson(bestRecord(problem, loop.best, certified), true));
      await store.finish();
      // After the tables are final: a figure that fails cannot cost the run its data.
      await store.writeText(REPORT_FILE, runReport(problem, steps, loop.best));
    } finally {
      store.release();
    }
  }
  return {
    config,
    best: loop.best,
    certified,
    steps,
    runDir: store?.dir,
    stoppedBy,
    usage: policy.usage?.(),
  };
}

/** Budget fields a resumed run may change; everything else comes from its config.json. */
const BUDGET_FIELDS = ["steps", "minutes", "maxRollouts", "maxCostUsd"] as const;

/** Resolves the configuration and builds (or restores) the policy, archive and loop state. */
async function prepareRun(options: DiscoverOptions) {
  const resumed = options.resume ? await RunStore.open(options.resume) : undefined;
  try {
    return await prepareOpened(options, resumed);
  } catch (e) {
    resumed?.store.release();
    throw e;
  }
}

async function prepareOpened(options: DiscoverOptions, resumed: ResumedRun | undefined) {
  if (!resumed && !options.config) throw new Error("discover needs a config, or a run directory to resume");
  let config: RunConfig;
  if (resumed) {
    const budget = Object.fromEntries(
      BUDGET_FIELDS.filter((k) => options.config?.[k] !== undefined).map((k) => [k, options.config![k]]),
    );
    // The stored settings must hold on their own: a damaged config.json is refused, never defaulted.
    const stored = RunConfigSchema.safeParse(withoutVersions(resumed.config));
    if (!stored.success) {
      throw new RunStoreError(
        `${join(resumed.store.dir, "config.json")} is not a valid run configuration ` +
          `(${z.prettifyError(stored.error).replaceAll("\n", " ")}); resume refuses to guess`,
      );
    }
    config = resolveConfig({ ...stored.data, ...budget } as RunConfigInput);
  } else {
    // A problem given by its module is loaded (and checked) here, before anything is written.
    const input = options.config!;
    requireProblemField(input);
    const { problem, module } = await findProblem(options, input.problem, input.problemModule);
    config = resolveConfig(
      {
        ...input,
        problem: isModuleSpecifier(input.problem) ? problem.name : input.problem,
        problemModule: module,
      },
      problem.runDefaults,
    );
  }
  let { problem } = await findProblem(options, config.problem, config.problemModule);
  if (problem.name !== config.problem) {
    throw new Error(`config.problem is "${config.problem}" but the problem given is "${problem.name}"`);
  }
  if (!await isRegistered(problem)) {
    const where = config.problemModule ? `problem module ${config.problemModule}` : "the problem given";
    problem = checkProblem(problem, `${where} ("${problem.name}")`, routeKindFor(config.policy));
  }
  if (config.doorGroupSize !== undefined) requireDoors(problem, "--door-group-size");
  // A resumed run's checkpoint holds its policy, which replaces the initial one: the --prior-from
  // file is not read again (it may have moved since the run began).
  const policy = await createPolicy(resumed ? { ...config, priorFrom: undefined } : config, problem);
  // A backend that can check its server does so now, before step 0 and before a run directory exists.
  const preflight = (policy as { preflight?: () => Promise<void> }).preflight;
  if (preflight) {
    try {
      await preflight.call(policy);
    } catch (e) {
      await policy.close?.();
      throw e;
    }
  }
  if (resumed) {
    const { archive, loop, route } = await restoreRun(resumed, policy, config);
    return {
      config,
      problem,
      policy,
      archive,
      loop,
      steps: [...resumed.steps],
      resumedStore: resumed.store,
      routeSnapshot: route,
    };
  }
  const archive = new Archive({
    rule: config.reuse,
    exploration: config.exploration,
    maxSize: config.archiveSize,
    tieVisits: config.tieVisits,
  });
  const problemOptions = problem.optionsSchema.parse(config.problemOptions);
  const seeds = problem.initialStates(
    new Rng(deriveSeed(config.seed, STREAM.init)),
    problemOptions,
    config.init,
  );
  const loop: LoopState = {
    completedSteps: 0,
    rollouts: 0,
    elapsedMs: 0,
    best: await seedArchive(problem, archive, seeds),
    temperature: config.temperature,
    ledger: config.creditHorizon > 0 ? new LineageLedger(config.creditHorizon) : undefined,
  };
  return {
    config,
    problem,
    policy,
    archive,
    loop,
    steps: [] as StepRow[],
    resumedStore: undefined,
    routeSnapshot: undefined as unknown,
  };
}

/**
 * The run's problem and its module URL: the problem object given, else the module's (from the options,
 * the configuration, or config.problem naming a module itself), else the registry's.
 */
/**
 * The field that names the problem must hold before the problem (and so its defaults) can be found.
 * An untyped caller may leave it out: that is a ConfigError like any other wrong setting, naming
 * every wrong field, not a lookup of the problem "undefined".
 */
function requireProblemField(input: RunConfigInput): void {
  const checked = RunConfigSchema.shape.problem.safeParse(input.problem);
  if (checked.success) return;
  // Without the problem's defaults: they come after the user's settings, so cannot mend a wrong one.
  if (typeof input === "object" && input !== null) resolveConfig(input);
  throw new ConfigError(
    checked.error.issues.map((issue) => ({ ...issue, path: ["problem", ...issue.path] })),
  );
}

async function findProblem(
  options: DiscoverOptions,
  name: string,
  module: string | undefined,
): Promise<{ problem: Problem; module?: string }> {
  const spec = options.problemModule ?? module ?? (isModuleSpecifier(name) ? name : undefined);
  const url = spec === undefined ? undefined : moduleUrl(spec);
  if (options.problem) return { problem: defineProblem(options.problem), module: url };
  if (url) {
    return { problem: await loadProblemModule(url, isModuleSpecifier(name) ? undefined : name), module: url };
  }
  return { problem: await loadProblem(name) };
}

/** Evaluates the seeds and puts the valid ones in the archive; returns the best. */
async function seedArchive(problem: Problem, archive: Archive, seeds: unknown[]): Promise<BestState> {
  let best: BestState | undefined;
  for (const seed of seeds) {
    const json = problem.toJSON(seed);
    const evaluation = await problem.evaluate(json);
    if (!evaluation.valid) throw new Error(`initial state is invalid: ${evaluation.error}`);
    const id = archive.addInitial({
      key: problem.stateKey(seed),
      state: json,
      value: evaluation.value!,
      reward: evaluation.reward,
      valid: true,
    });
    if (id >= 0 && (!best || evaluation.reward > best.reward)) {
      best = { value: evaluation.value!, reward: evaluation.reward, step: 0, stateId: id, state: json };
    }
  }
  if (!best) throw new Error(`${problem.name} produced no initial states`);
  return best;
}

interface StepContext {
  readonly config: RunConfig;
  readonly problem: Problem;
  readonly policy: Policy;
  readonly archive: Archive;
  readonly route: Route;
  readonly loop: LoopState;
  readonly store?: RunStore;
  readonly options: DiscoverOptions;
  readonly startedAt: number;
}

/**
 * One step, in named phases: choose starts -> sample programs -> run rollouts -> credit -> update
 * the policy -> record (archive, best, attempts) -> commit to the store. Each phase is a function of
 * its inputs (and the step's seed), so it can be tested alone.
 */
async function runStep(ctx: StepContext): Promise<StepReport> {
  const { config, policy, archive, loop } = ctx;
  const step = loop.completedSteps;
  const t0 = performance.now();
  const { starts, contexts, sizes } = await chooseStarts(ctx, step);
  const t1 = performance.now();
  const groups = await samplePrograms(config, policy, contexts, step, loop.temperature, sizes);
  const t2 = performance.now();
  const { results, programs } = await runRollouts(ctx, step, starts, groups);
  const t3 = performance.now();
  const bestBefore = loop.best.reward;
  const credit = creditGroups(config, starts, groups, contexts, results, bestBefore);
  let update = { kl: NaN, loss: NaN };
  if (!loop.ledger) update = await updatePolicy(config, policy, credit.data, step);
  const { attempts, row } = recordStep(ctx, step, { starts, groups, results, programs, credit, ...update });
  if (loop.ledger) {
    // Lineage credit: this step's groups wait; those sampled K steps ago are credited and trained now.
    loop.ledger.record(
      pendingGroups(config, starts, groups, contexts, attempts, bestBefore),
      (id) => archive.ancestors(id),
    );
    const matured = lineageCredit(config, loop.ledger, loop.ledger.mature(step));
    ({ kl: row.kl, loss: row.loss } = await updatePolicy(config, policy, matured.data, step));
    row.beta = meanBeta(matured.betas);
  }
  const t4 = performance.now();
  Object.assign(row, { selectMs: t1 - t0, sampleMs: t2 - t1, evaluateMs: t3 - t2, updateMs: t4 - t3 });
  if (ctx.store) {
    const now = performance.now();
    row.totalMs = now - t0;
    row.elapsedMs = now - ctx.startedAt;
    loop.elapsedMs = row.elapsedMs;
    row.storeMs = await commitStep(ctx, row, attempts);
  }
  const end = performance.now();
  row.totalMs = end - t0;
  row.elapsedMs = end - ctx.startedAt;
  loop.elapsedMs = row.elapsedMs;
  return { step, row, attempts, best: loop.best, archive, config, runDir: ctx.store?.dir };
}

/**
 * Phase 1: the step's start states (the archive's rule, the step's own seed), each with its policy
 * context and its group's size (`--door-group-size` at a state at a new size, else `--group-size`).
 */
export async function chooseStarts(
  ctx: Pick<StepContext, "config" | "problem" | "archive" | "route" | "loop">,
  step: number,
): Promise<{ starts: ArchiveEntry[]; contexts: PolicyContext[]; sizes: number[] }> {
  const { config, problem, archive, loop } = ctx;
  const starts = archive.select(config.groups, new Rng(deriveSeed(config.seed, STREAM.select, step)));
  const contexts: PolicyContext[] = [];
  const sizes: number[] = [];
  for (const s of starts) {
    const evaluation: Evaluation = await problem.evaluate(s.state);
    let context = ctx.route.context(s, evaluation, loop.best.value);
    const parent = archive.get(s.parentId);
    const resized = newSize(problem, s.state, parent?.state);
    // A state at a new size (a door, or a rebuild) is followed through: its programs write only
    // the named operators, polishes, so none undoes it (--follow-through).
    if (resized && config.followThrough !== "") {
      context = { ...context, operators: config.followThrough.split(",") };
    }
    // A door's programs come from the policy's own network for doors (--door-network).
    if (resized && config.doorNetwork) context = { ...context, network: 1 };
    if (config.searchFeatures) {
      const rewardOf = (id: number) => archive.get(id)?.reward;
      const standing = {
        ...s,
        parentReward: parent?.reward,
        ancestorReward: ancestorReward(archive.ancestors(s.id), rewardOf),
        bestReward: loop.best.reward,
        resized,
      };
      context = { ...context, features: [...context.features ?? [], ...searchFeatures(standing)] };
    }
    contexts.push(context);
    sizes.push(resized ? config.doorGroupSize ?? config.groupSize : config.groupSize);
  }
  return { starts, contexts, sizes };
}

/** Phase 2: one group of programs per start state (`sizes[g]` of them, default --group-size), each group from its own seed. */
export async function samplePrograms(
  config: RunConfig,
  policy: Policy,
  contexts: readonly PolicyContext[],
  step: number,
  temperature: number,
  sizes: readonly number[] = contexts.map(() => config.groupSize),
): Promise<SampledSequence[][]> {
  const groups: SampledSequence[][] = [];
  for (let g = 0; g < contexts.length; g++) {
    groups.push(
      await policy.sample(contexts[g], sizes[g], {
        temperature,
        seed: deriveSeed(config.seed, STREAM.sample, step, g),
        maxTokens: config.maxTokens,
      }),
    );
  }
  return groups;
}

/** Milliseconds left of the run's time budget (--minutes), Infinity without one. */
function budgetLeftMs(config: RunConfig, startedAt: number): number {
  return config.minutes === undefined ? Infinity : config.minutes * 60_000 - (performance.now() - startedAt);
}

/**
 * Phase 3: every program run from its start state by the route (in parallel), each rollout with
 * its own seed, none past the end of the run's time budget.
 */
export async function runRollouts(
  ctx: Pick<StepContext, "config" | "route" | "options" | "startedAt">,
  step: number,
  starts: readonly ArchiveEntry[],
  groups: readonly SampledSequence[][],
): Promise<RouteRollout> {
  const { config } = ctx;
  let finished = 0;
  const total = groups.reduce((s, g) => s + g.length, 0);
  const left = budgetLeftMs(config, ctx.startedAt);
  const endsBy = Number.isFinite(left) ? Date.now() + left : undefined;
  return await ctx.route.run(
    starts,
    groups,
    (g, r) => deriveSeed(config.seed, STREAM.rollout, step, g, r),
    () => ctx.options.onRollout?.(++finished, total, ctx.route.status?.()),
    endsBy,
  );
}

/** What phase 4 credits: each group's rewards as credited, every sequence's advantage, the training data. */
export interface StepCredit {
  readonly groupRewards: number[][];
  /** Per rollout, in task order; NaN for groups without signal (all rewards equal). */
  readonly sequenceAdvantages: number[];
  readonly betas: number[];
  readonly data: { context: PolicyContext; seq: SampledSequence; advantage: number }[];
}

/**
 * Phase 4: each group's rewards credited (config.credit) and turned into advantages
 * (config.objective). `bestReward` is the run's best when the step began: the baseline of
 * `--credit record` (without it, the best of the step's starts: a lower bound).
 */
export function creditGroups(
  config: RunConfig,
  starts: readonly { readonly reward: number }[],
  groups: readonly (readonly SampledSequence[])[],
  contexts: readonly PolicyContext[],
  results: readonly RolloutResult[],
  bestReward = Math.max(...starts.map((s) => s.reward)),
): StepCredit {
  // Each group's rewards as credited, once: the advantages and the flat-group share both read them.
  const groupRewards = byGroup(results, groups).map((slice, g) =>
    creditedRewards(
      slice.map((r) => r.evaluation.reward),
      creditBaseline(config, starts[g].reward, bestReward),
      config.credit,
    )
  );
  return advantagesOf(config, groupRewards, groups, contexts);
}

/** What `--credit improvement` (the parent's reward) and `record` (the run's best) measure gains from. */
function creditBaseline(config: RunConfig, startReward: number, bestReward: number): number {
  return config.credit === "record" ? Math.max(bestReward, startReward) : startReward;
}

/** Each group's credited rewards turned into advantages (config.objective); flat groups carry none. */
function advantagesOf(
  config: RunConfig,
  groupRewards: number[][],
  groups: readonly (readonly SampledSequence[])[],
  contexts: readonly PolicyContext[],
): StepCredit {
  const sequenceAdvantages: number[] = new Array(groups.reduce((n, g) => n + g.length, 0)).fill(NaN);
  const betas: number[] = [];
  const data: StepCredit["data"] = [];
  groups.forEach((group, g) => {
    const signal = groupAdvantages(groupRewards[g], config.objective, { fixedBeta: config.fixedBeta });
    if (!signal) return; // all rewards equal: no signal
    betas.push(signal.beta);
    group.forEach((seq, r) => {
      sequenceAdvantages[g * group.length + r] = signal.advantages[r];
      data.push({ context: contexts[g], seq, advantage: signal.advantages[r] });
    });
  });
  return { groupRewards, sequenceAdvantages, betas, data };
}

/**
 * Where each rollout lies in a step's flat (group, rollout) order: its group and its index in the
 * group. Groups may differ in size (`--door-group-size`).
 */
function groupPlaces(groups: readonly { readonly length: number }[]): { group: number; rollout: number }[] {
  return groups.flatMap((g, group) => Array.from({ length: g.length }, (_, rollout) => ({ group, rollout })));
}

/** A step's flat (group, rollout) list cut into its groups. */
function byGroup<T>(items: readonly T[], groups: readonly { readonly length: number }[]): T[][] {
  let start = 0;
  return groups.map((g) => items.slice(start, start += g.length));
}

/** The mean beta of an update's groups (steps.parquet's `beta`); NaN when no group carried signal. */
function meanBeta(betas: readonly number[]): number {
  return betas.length ? betas.reduce((a, b) => a + b, 0) / betas.length : NaN;
}

/** A step's groups as the lineage ledger keeps them until they are credited (`--credit-horizon`). */
function pendingGroups(
  config: RunConfig,
  starts: readonly ArchiveEntry[],
  groups: readonly (readonly SampledSequence[])[],
  contexts: readonly PolicyContext[],
  attempts: readonly AttemptRow[],
  bestReward: number,
): PendingGroup[] {
  return byGroup(attempts, groups).map((rows, g) => {
    const sequences = groups[g];
    return {
      step: rows[0].step,
      context: contexts[g],
      sequences,
      rewards: rows.map((a) => a.reward),
      childIds: rows.map((a) => a.childId),
      baseline: creditBaseline(config, starts[g].reward, bestReward),
    };
  });
}

/** Matured groups credited with their lineage rewards, as creditGroups credits a step's own. */
export function lineageCredit(
  config: RunConfig,
  ledger: LineageLedger,
  matured: readonly PendingGroup[],
): StepCredit {
  const groupRewards = matured.map((g) =>
    creditedRewards(ledger.lineageRewards(g), g.baseline, config.credit)
  );
  return advantagesOf(config, groupRewards, matured.map((g) => g.sequences), matured.map((g) => g.context));
}

/**
 * Phase 5: KL shaping and one optimiser step on the credited data (when the run trains and
 * `step` is past `trainAfter`).
 */
export async function updatePolicy(
  config: RunConfig,
  policy: Policy,
  data: StepCredit["data"],
  step: number,
): Promise<{ kl: number; loss: number }> {
  let kl = NaN, loss = NaN;
  if (config.train && step >= config.trainAfter && policy.trainable && data.length > 0) {
    // Without a KL term the reference is not asked for (a server may not have it) and the
    // step's kl is not measured: null in steps.parquet, not a misleading 0.
    const reference = config.klCoef > 0
      ? await policy.referenceLogprobs(data.map((d) => ({ context: d.context, tokens: d.seq.tokens })))
      : data.map((d) => d.seq.logprobs);
    const samplerLogprobs = data.map((d) => d.seq.logprobs);
    const shaped = klShapedAdvantages(
      data.map((d) => d.advantage),
      samplerLogprobs,
      reference,
      config.klCoef,
    );
    kl = config.klCoef > 0 ? shaped.meanDiff : NaN;
    const advantages = config.entropyBonus > 0
      ? entropyShapedAdvantages(shaped.advantages, samplerLogprobs, config.entropyBonus)
      : shaped.advantages;
    const batch: Datum[] = data.map((d, i) => ({
      context: d.context,
      tokens: d.seq.tokens,
      samplerLogprobs: d.seq.logprobs,
      advantages: advantages[i],
    }));
    loss = (await policy.forwardBackward(batch, "importance_sampling")).loss;
    await policy.optimStep({
      ...DEFAULT_ADAM,
      learningRate: config.learningRate ?? policy.defaultLearningRate ?? DEFAULT_ADAM.learningRate,
    });
  }
  return { kl, loss };
}

/**
 * Phase 6: the archive grows (one expansion per group; the best valid children join, labelled with
 * this step), the best so far, the step's attempts and its row (timings left to the caller), the
 * loop's counters and the next temperature.
 */
function recordStep(
  ctx: Pick<StepContext, "config" | "archive" | "route" | "loop">,
  step: number,
  outcome: {
    readonly starts: readonly ArchiveEntry[];
    readonly groups: readonly (readonly SampledSequence[])[];
    readonly results: readonly RolloutResult[];
    readonly programs: readonly string[];
    readonly credit: StepCredit;
    readonly kl: number;
    readonly loss: number;
  },
): { attempts: AttemptRow[]; row: StepRow } {
  const { config, archive, loop } = ctx;
  const { starts, groups, results, programs, credit } = outcome;
  // Each group's new archive ids, in the step's flat (group, rollout) order.
  const childIds = byGroup(results, groups).flatMap((slice, g) =>
    archive.expand(starts[g].id, slice.map(toCandidate), step)
  );
  ctx.route.remember(childIds);
  for (const [i, r] of results.entries()) {
    if (r.evaluation.valid && r.evaluation.reward > loop.best.reward) {
      loop.best = {
        value: r.evaluation.value!,
        reward: r.evaluation.reward,
        step,
        stateId: childIds[i],
        state: r.state,
      };
    }
  }

  const place = groupPlaces(groups);
  const attempts: AttemptRow[] = results.map((r, i) => ({
    step,
    group: place[i].group,
    rollout: place[i].rollout,
    parentId: starts[place[i].group].id,
    childId: childIds[i],
    valid: r.evaluation.valid,
    value: r.evaluation.valid ? r.evaluation.value! : NaN,
    reward: r.evaluation.reward,
    advantage: credit.sequenceAdvantages[i],
    error: r.evaluation.error ?? "",
    durationMs: r.durationMs,
    cutShort: r.cutShort ?? false,
    program: programs[i],
    tokens: groups[place[i].group][place[i].rollout].tokens.length,
  }));
  loop.completedSteps = step + 1;
  loop.rollouts += results.length;
  const stepTemperature = loop.temperature;
  const flatShare = flatGroupShare(credit.groupRewards);
  if (config.temperatureControl) {
    loop.temperature = nextTemperature(loop.temperature, flatShare, {
      ...DEFAULT_EXPLORATION,
      base: config.temperature,
    });
  }

  const validRewards = results.filter((r) => r.evaluation.valid).map((r) => r.evaluation.reward);
  const { betas } = credit;
  const row: StepRow = {
    step,
    rollouts: results.length,
    valid: validRewards.length,
    best: loop.best.value,
    stepBestReward: validRewards.length ? Math.max(...validRewards) : NaN,
    meanReward: results.reduce((s, r) => s + r.evaluation.reward, 0) / results.length,
    bestReward: loop.best.reward,
    beta: meanBeta(betas),
    kl: outcome.kl,
    loss: outcome.loss,
    archiveSize: archive.size,
    temperature: stepTemperature,
    flatGroups: flatShare,
    selectMs: 0,
    sampleMs: 0,
    evaluateMs: 0,
    updateMs: 0,
    storeMs: 0,
    totalMs: 0,
    elapsedMs: 0,
  };
  return { attempts, row };
}

/** Phase 7: the step's rows, the archive and a checkpoint, committed to the run store at once; returns its ms. */
async function commitStep(ctx: StepContext, row: StepRow, attempts: AttemptRow[]): Promise<number> {
  const { archive, loop, policy, problem } = ctx;
  const { ms } = await ctx.store!.commitStep({
    attempts,
    step: row,
    states: archiveRows(archive),
    best: bestRecord(problem, loop.best),
    checkpoint: {
      completedSteps: loop.completedSteps,
      archive: archive.snapshot(),
      policy: await policy.checkpoint(),
      loop: {
        rollouts: loop.rollouts,
        elapsedMs: loop.elapsedMs,
        best: loop.best,
        temperature: loop.temperature,
        route: ctx.route.snapshot(),
        lineage: loop.ledger?.snapshot(),
      },
    },
  });
  return ms;
}

function toCandidate(r: RolloutResult): Candidate {
  return {
    key: r.key ?? "",
    state: r.state,
    value: r.evaluation.value ?? NaN,
    reward: r.evaluation.reward,
    valid: r.evaluation.valid,
  };
}

/** The archive as state rows (what states.parquet holds), e.g. for plotting a live run. */
export function archiveRows(archive: ArchiveView): StateRow[] {
  return archive.all().map((e) => ({
    id: e.id,
    parentId: e.parentId,
    depth: e.depth,
    value: e.value,
    reward: e.reward,
    visits: e.visits,
    bestChildReward: Number.isFinite(e.bestChildReward) ? e.bestChildReward : NaN,
    step: e.step,
    initial: e.initial,
    state: JSON.stringify(e.state),
  }));
}

function bestRecord(
  problem: Problem,
  best: BestState,
  certified?: { method: string; value: number },
): BestRecord {
  return {
    problem: problem.name,
    quantity: problem.quantity,
    direction: problem.direction,
    value: best.value,
    reward: best.reward,
    stateId: best.stateId,
    step: best.step,
    certified,
    construction: best.state,
  };
}

async function restoreRun(
  resumed: ResumedRun,
  policy: Policy,
  config: RunConfig,
): Promise<{ archive: Archive; loop: LoopState; route: unknown }> {
  const cp = resumed.checkpoint;
  await policy.restore(cp.policy);
  const saved = cp.loop as {
    rollouts: number;
    elapsedMs: number;
    best: BestState;
    temperature?: number;
    route?: unknown;
    lineage?: unknown;
  };
  return {
    archive: Archive.restore(cp.archive),
    loop: {
      completedSteps: cp.completedSteps,
      rollouts: saved.rollouts,
      elapsedMs: saved.elapsedMs,
      best: saved.best,
      temperature: saved.temperature ?? config.temperature,
      ledger: config.creditHorizon > 0
        ? (saved.lineage === undefined
          ? new LineageLedger(config.creditHorizon)
          : LineageLedger.restore(config.creditHorizon, saved.lineage))
        : undefined,
    },
    route: saved.route,
  };
}

/** config.json carries the software versions beside the settings; they are not settings. */
function withoutVersions(config: Record<string, unknown>): Record<string, unknown> {
  const { versions: _, ...settings } = config;
  return settings;
}

function versions(): Record<string, string> {
  return { deno: Deno.version.deno, v8: Deno.version.v8, toolkit: "0.1.0" };
}

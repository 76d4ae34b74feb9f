/**
 * A route is how the loop turns a start state into what the policy conditions on, and
 * the policy's samples into verified new states. There are two:
 *
 *   builtin   context = problem.features(state); tokens -> a move-grammar program, applied
 *             to the state by rollout workers (lib/pool.ts) and verified there.
 *   language  context = { prompt: problem.prompt(state, ...) }; text -> problem.parse ->
 *             a program in the problem's language: a TypeScript construction function run in
 *             the permissionless sandbox with the state's JSON, or (problem.judge) a program the
 *             problem judges itself in its sandbox: a C++ solver on a case set, a C kernel
 *             against a baseline, a denoising function on the training split. What comes back
 *             is verified by problem.evaluate in this process. A value the program reports
 *             about itself is never read.
 *
 * The policy's kind picks the route, so the loop itself has one code path for both.
 */
import type { RunConfig } from "./config.ts";
import { decodeProgram, formatProgram } from "./grammar.ts";
import type { PolicyContext, SampledSequence } from "./policy/policy.ts";
import type { BuiltinParts, Evaluation, ParsedProgram, Problem } from "./problem.ts";
import { requireBuiltin } from "./problem_module.ts";
import { type Executor, type ExecutorSpec, type ExecutorStatus, openExecutor } from "./executor.ts";
import { invalid, type RolloutResult, type RolloutTask } from "./rollout.ts";
import { runDenoProgram } from "./sandbox/deno.ts";
import { cleanOutput } from "./sandbox/clean.ts";

export interface RouteStart {
  readonly id: number;
  /** The start state as JSON. */
  readonly state: unknown;
}

export interface RouteRollout {
  readonly results: RolloutResult[];
  /** The program of each attempt as text, for attempts.parquet. */
  readonly programs: string[];
}

export interface Route {
  readonly kind: "builtin" | "language";
  /** What the policy conditions on for a start state. */
  context(start: RouteStart, evaluation: Evaluation, bestValue: number): PolicyContext;
  /**
   * Runs every sampled sequence of every group on its group's start state. Results come back
   * in (group, rollout) order; `seedOf(g, r)` gives the rollout's random stream. `endsBy` (epoch
   * ms): the run's budget ends then, and built-in programs get no deadline past it (a language
   * model's program runs to its own time limit: cutting it would waste the tokens it cost).
   */
  run(
    starts: readonly RouteStart[],
    groups: readonly (readonly SampledSequence[])[],
    seedOf: (group: number, rollout: number) => number,
    onResult?: () => void,
    endsBy?: number,
  ): Promise<RouteRollout>;
  /** Tells the route which archive id each attempt's state received (-1 if none), in (group, rollout) order. */
  remember(childIds: readonly number[]): void;
  /** What the route must carry across a resume (undefined when nothing). */
  snapshot(): unknown;
  restore(snapshot: unknown): void;
  /** Where rollouts run now: workers and rollouts in flight (for progress displays). */
  status?(): ExecutorStatus;
  close(): void | Promise<void>;
}

/** The language-model policies; everything else takes the built-in route. */
export function routeKindFor(policy: RunConfig["policy"]): Route["kind"] {
  return policy === "builtin" ? "builtin" : "language";
}

/**
 * The route for a run. `executor` says where built-in rollouts run (lib/executor.ts): this
 * machine's threads by default, or worker processes through NATS; a spec given as an Executor
 * object stays the caller's to close.
 */
export async function createRoute(
  config: RunConfig,
  problem: Problem,
  problemModule?: string,
  executor?: ExecutorSpec | Executor,
): Promise<Route> {
  if (routeKindFor(config.policy) !== "builtin") {
    if (executor !== undefined && executor !== "local") {
      throw new Error(
        `--executor runs built-in rollouts only; the "${config.policy}" policy's programs run in this ` +
          "machine's sandbox",
      );
    }
    return new LanguageRoute(config, problem);
  }
  const owned = typeof executor !== "object" || !("run" in executor);
  const opened = owned
    ? await openExecutor(executor as ExecutorSpec | undefined, {
      problem,
      problemModule,
      timeoutMs: config.rolloutTimeoutSeconds * 1000,
      threads: config.workers ?? navigator.hardwareConcurrency ?? 1,
    })
    : executor as Executor;
  const effortMs = config.effortSeconds === undefined ? undefined : config.effortSeconds * 1000;
  return new BuiltinRoute(requireBuiltin(problem), opened, owned, effortMs);
}

/** Move-grammar programs applied by rollout workers (what the loop always did). */
class BuiltinRoute implements Route {
  readonly kind = "builtin";

  constructor(
    private readonly problem: Problem & BuiltinParts,
    private readonly executor: Executor,
    private readonly owned: boolean,
    private readonly effortMs?: number,
  ) {}

  context(start: RouteStart, evaluation: Evaluation): PolicyContext {
    return { features: this.problem.features(this.problem.fromJSON(start.state), evaluation) };
  }

  async run(
    starts: readonly RouteStart[],
    groups: readonly (readonly SampledSequence[])[],
    seedOf: (group: number, rollout: number) => number,
    onResult?: () => void,
    endsBy?: number,
  ): Promise<RouteRollout> {
    const tasks: RolloutTask[] = [];
    const programs: string[] = [];
    groups.forEach((group, g) =>
      group.forEach((seq, r) => {
        const program = decodeProgram(this.problem.grammar, seq.tokens);
        programs.push(formatProgram(program));
        tasks.push({
          id: tasks.length,
          program,
          state: starts[g].state,
          seed: seedOf(g, r),
          effortMs: this.effortMs,
          endsBy,
        });
      })
    );
    const results = await this.executor.run(tasks, onResult);
    return { results, programs };
  }

  remember(): void {}
  snapshot(): unknown {
    return undefined;
  }
  restore(): void {}
  status(): ExecutorStatus {
    return this.executor.status();
  }
  async close(): Promise<void> {
    if (this.owned) await this.executor.close();
  }
}

/** How an archived state came about, for the next prompt from it. */
interface Provenance {
  readonly program: string;
  readonly valueBefore?: number;
  readonly output: string;
}

/** Programs cut from this long are recorded whole in attempts.parquet only up to here. */
const MAX_RECORDED_PROGRAM = 50_000;

/** Model-written TypeScript run in the sandbox; the parent verifies what comes back. */
class LanguageRoute implements Route {
  readonly kind = "language";
  private provenance = new Map<number, Provenance>();
  /** Provenance of this step's attempts until `remember` learns their archive ids. */
  private pending: (Provenance | undefined)[] = [];

  constructor(private readonly config: RunConfig, private readonly problem: Problem) {
    if (!problem.prompt || !problem.parse) {
      throw new Error(
        `problem "${problem.name}" has no prompt/parse, so the language-model policy "${config.policy}" ` +
          "cannot run it; use --policy builtin",
      );
    }
  }

  context(start: RouteStart, evaluation: Evaluation, bestValue: number): PolicyContext {
    const p = this.provenance.get(start.id);
    const record = this.problem.record?.value;
    const better = (
      a: number,
      b: number,
    ) => (this.problem.direction === "minimize" ? Math.min(a, b) : Math.max(a, b));
    const target = record === undefined ? bestValue : better(record, bestValue);
    const prompt = this.problem.prompt!(this.problem.fromJSON(start.state), evaluation, {
      parentProgram: p?.program,
      valueBefore: p?.valueBefore,
      parentOutput: p ? cleanOutput(p.output, 500) : undefined,
      target: Number.isFinite(target) ? target : undefined,
      maxChars: this.config.promptChars,
      timeoutSeconds: this.config.rolloutTimeoutSeconds,
    });
    return { prompt };
  }

  async run(
    starts: readonly RouteStart[],
    groups: readonly (readonly SampledSequence[])[],
    seedOf: (group: number, rollout: number) => number,
    onResult?: () => void,
  ): Promise<RouteRollout> {
    const jobs = groups.flatMap((group, g) => group.map((seq, r) => ({ g, seq, seed: seedOf(g, r) })));
    const results: RolloutResult[] = new Array(jobs.length);
    const programs: string[] = new Array(jobs.length);
    this.pending = new Array(jobs.length);
    const parentValues = await Promise.all(
      starts.map(async (s) => (await this.problem.evaluate(s.state)).value ?? undefined),
    );
    let next = 0;
    const worker = async () => {
      while (next < jobs.length) {
        const i = next++;
        const { g, seq, seed } = jobs[i];
        const r = seq.error !== undefined
          ? { result: { id: i, evaluation: invalid(seq.error), durationMs: 0 }, program: "" }
          : await this.attempt(i, seq.text ?? "", starts[g].state, parentValues[g], seed);
        results[i] = r.result;
        programs[i] = r.program;
        onResult?.();
      }
    };
    const parallel = Math.max(1, this.config.workers ?? navigator.hardwareConcurrency ?? 1);
    await Promise.all(Array.from({ length: Math.min(parallel, jobs.length) }, worker));
    return { results, programs };
  }

  private async attempt(
    id: number,
    text: string,
    state: unknown,
    valueBefore: number | undefined,
    seed: number,
  ): Promise<{ result: RolloutResult; program: string }> {
    const started = performance.now();
    const done = (evaluation: Evaluation, extra: Partial<RolloutResult> = {}): RolloutResult => ({
      id,
      evaluation,
      durationMs: performance.now() - started,
      ...extra,
    });
    let parsed;
    try {
      parsed = this.problem.parse!(text);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      return { result: done(invalid(message)), program: text.slice(0, MAX_RECORDED_PROGRAM) };
    }
    const program = parsed.source.slice(0, MAX_RECORDED_PROGRAM);
    const run = this.problem.judge
      ? await this.judged(parsed, state, seed)
      : await runDenoProgram(parsed.source, parsed.entry, state, {
        timeoutMs: this.config.rolloutTimeoutSeconds * 1000,
        heapMiB: this.config.sandboxHeapMiB,
      });
    if (!run.ok) {
      // A judge's errors say what failed ("compile error: ...", "case 3: timed out ..."); a construction's don't.
      const why = cleanOutput(run.error ?? "", 1000);
      return { result: done(invalid(this.problem.judge ? why : `program failed: ${why}`)), program };
    }
    // Whatever the program returned, checking it may fail but never ends the run.
    try {
      // The verifier sees exactly what the program returned; the state stored is its normal form.
      const evaluation = await this.problem.evaluate(run.value);
      if (!evaluation.valid) return { result: done(evaluation), program };
      let child: unknown;
      try {
        child = this.problem.fromJSON(run.value);
      } catch (e) {
        const message = cleanOutput(e instanceof Error ? e.message : String(e), 1000);
        return { result: done(invalid(`the returned construction does not load: ${message}`)), program };
      }
      const json = this.problem.toJSON(child);
      // What reaches a later prompt is cut and cleaned here, once.
      this.pending[id] = { program, valueBefore, output: cleanOutput(run.stdout, 2000) };
      return {
        result: done(await this.problem.evaluate(json), { state: json, key: this.problem.stateKey(child) }),
        program,
      };
    } catch (e) {
      const message = cleanOutput(e instanceof Error ? e.message : String(e), 1000);
      return { result: done(invalid(`the returned value could not be verified: ${message}`)), program };
    }
  }

  /** A program the problem judges itself (C++, C, a denoiser); its faults come back as errors. */
  private async judged(
    parsed: ParsedProgram,
    state: unknown,
    seed: number,
  ): Promise<{ ok: boolean; value?: unknown; error?: string; stdout: string }> {
    try {
      const r = await this.problem.judge!(parsed, this.problem.fromJSON(state), {
        timeoutMs: this.config.rolloutTimeoutSeconds * 1000,
        heapMiB: this.config.sandboxHeapMiB,
        seed,
      });
      if (r.error !== undefined || r.state === undefined) {
        return { ok: false, error: r.error ?? "the judge returned no state", stdout: r.output };
      }
      return { ok: true, value: r.state, stdout: r.output };
    } catch (e) {
      // A fault of the judge itself (not the program's) is still one invalid attempt, never the run's end.
      return { ok: false, error: `judge failed: ${e instanceof Error ? e.message : String(e)}`, stdout: "" };
    }
  }

  remember(childIds: readonly number[]): void {
    childIds.forEach((id, i) => {
      const p = this.pending[i];
      if (id >= 0 && p) this.provenance.set(id, p);
    });
    this.pending = [];
  }

  snapshot(): unknown {
    return { provenance: [...this.provenance.entries()] };
  }

  restore(snapshot: unknown): void {
    const entries = (snapshot as { provenance?: [number, Provenance][] } | undefined)?.provenance ?? [];
    this.provenance = new Map(entries);
  }

  close(): void {}
}

/**
 * A route is how the loop turns a start state into what the policy conditions on, and
 * the policy's samples into verified new states. There are two:
 *
 *   builtin   context = problem.features(state); tokens -> a move-grammar program, applied
 *             to the state by rollout workers (lib/pool.ts) and verified there.
 *   language  context = { prompt: problem.prompt(state, ...) }; text -> problem.parse ->
 *             a TypeScript program run in the permissionless sandbox with the state's JSON;
 *             what it returns is verified by problem.evaluate in this process. A value the
 *             program reports about itself is never read.
 *
 * The policy's kind picks the route, so the loop itself has one code path for both.
 */
import type { RunConfig } from "./config.ts";
import { decodeProgram, formatProgram } from "./grammar.ts";
import type { PolicyContext, SampledSequence } from "./policy/policy.ts";
import type { Evaluation, Problem } from "./problem.ts";
import { RolloutPool } from "./pool.ts";
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
   * in (group, rollout) order; `seedOf(g, r)` gives the rollout's random stream.
   */
  run(
    starts: readonly RouteStart[],
    groups: readonly (readonly SampledSequence[])[],
    seedOf: (group: number, rollout: number) => number,
    onResult?: () => void,
  ): Promise<RouteRollout>;
  /** Tells the route which archive id each attempt's state received (-1 if none). */
  remember(starts: readonly RouteStart[], groupSize: number, childIds: readonly number[]): void;
  /** What the route must carry across a resume (undefined when nothing). */
  snapshot(): unknown;
  restore(snapshot: unknown): void;
  close(): void;
}

/** The language-model policies; everything else takes the built-in route. */
export function routeKindFor(policy: RunConfig["policy"]): Route["kind"] {
  return policy === "builtin" ? "builtin" : "language";
}

export function createRoute(config: RunConfig, problem: Problem, problemModule?: string): Route {
  return routeKindFor(config.policy) === "builtin"
    ? new BuiltinRoute(config, problem, problemModule)
    : new LanguageRoute(config, problem);
}

/** Move-grammar programs applied by rollout workers (what the loop always did). */
class BuiltinRoute implements Route {
  readonly kind = "builtin";
  private readonly pool: RolloutPool;

  constructor(config: RunConfig, private readonly problem: Problem, problemModule?: string) {
    this.pool = new RolloutPool({
      problem,
      problemModule,
      size: config.workers ?? navigator.hardwareConcurrency ?? 1,
      timeoutMs: config.rolloutTimeoutSeconds * 1000,
    });
  }

  context(start: RouteStart, evaluation: Evaluation): PolicyContext {
    return { features: this.problem.features(this.problem.fromJSON(start.state), evaluation) };
  }

  async run(
    starts: readonly RouteStart[],
    groups: readonly (readonly SampledSequence[])[],
    seedOf: (group: number, rollout: number) => number,
    onResult?: () => void,
  ): Promise<RouteRollout> {
    const tasks: RolloutTask[] = [];
    const programs: string[] = [];
    groups.forEach((group, g) =>
      group.forEach((seq, r) => {
        const program = decodeProgram(this.problem.grammar, seq.tokens);
        programs.push(formatProgram(program));
        tasks.push({ id: tasks.length, program, state: starts[g].state, seed: seedOf(g, r) });
      })
    );
    const results = await this.pool.run(tasks, onResult);
    return { results, programs };
  }

  remember(): void {}
  snapshot(): unknown {
    return undefined;
  }
  restore(): void {}
  close(): void {
    this.pool.close();
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
    _seedOf: (group: number, rollout: number) => number,
    onResult?: () => void,
  ): Promise<RouteRollout> {
    const jobs = groups.flatMap((group, g) => group.map((seq) => ({ g, seq })));
    const results: RolloutResult[] = new Array(jobs.length);
    const programs: string[] = new Array(jobs.length);
    this.pending = new Array(jobs.length);
    const parentValues = starts.map((s) => this.problem.evaluate(s.state).value ?? undefined);
    let next = 0;
    const worker = async () => {
      while (next < jobs.length) {
        const i = next++;
        const { g, seq } = jobs[i];
        const r = seq.error !== undefined
          ? { result: { id: i, evaluation: invalid(seq.error), durationMs: 0 }, program: "" }
          : await this.attempt(i, seq.text ?? "", starts[g].state, parentValues[g]);
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
    const run = await runDenoProgram(parsed.source, parsed.entry, state, {
      timeoutMs: this.config.rolloutTimeoutSeconds * 1000,
      heapMiB: this.config.sandboxHeapMiB,
    });
    if (!run.ok) {
      return { result: done(invalid(`program failed: ${cleanOutput(run.error ?? "", 1000)}`)), program };
    }
    // Whatever the program returned, checking it may fail but never ends the run.
    try {
      // The verifier sees exactly what the program returned; the state stored is its normal form.
      const evaluation = this.problem.evaluate(run.value);
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
        result: done(this.problem.evaluate(json), { state: json, key: this.problem.stateKey(child) }),
        program,
      };
    } catch (e) {
      const message = cleanOutput(e instanceof Error ? e.message : String(e), 1000);
      return { result: done(invalid(`the returned value could not be verified: ${message}`)), program };
    }
  }

  remember(_starts: readonly RouteStart[], _groupSize: number, childIds: readonly number[]): void {
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

/**
 * One rollout of the built-in route: run a program on a start state, then verify
 * the result. The same function runs in a worker or in-process, so both paths give
 * bit-identical results.
 */
import type { Program } from "./grammar.ts";
import { type Evaluation, invalid, type Problem } from "./problem.ts";
import { requireBuiltin } from "./problem_module.ts";
import { Rng } from "./rng.ts";

export { invalid };

/** One rollout of the built-in route, as the loop hands it to an Executor: a program to run on a start state. */
export interface RolloutTask {
  /** Its index in the step; the result carries it back. */
  readonly id: number;
  /** The moves to apply, in order. */
  readonly program: Program;
  /** The start state as JSON. */
  readonly state: unknown;
  /** Seed of the rollout's random stream (see MoveContext.rng). */
  readonly seed: number;
  /** Epoch ms by which the program must return (see MoveContext.deadline). */
  readonly deadline?: number;
  /**
   * Epoch ms at which the run's time budget (--minutes) ends, by the coordinator's clock: the
   * executor never sets a deadline past it, so the last step of a run ends with its budget
   * instead of overrunning it by a rollout time limit.
   */
  readonly endsBy?: number;
  /**
   * Equal effort: spend this many ms, repeating the program on the best state so far (config
   * effortSeconds). The number of repeats depends on the machine, so such a rollout is not
   * bit-reproducible.
   */
  readonly effortMs?: number;
}

/** What one rollout gave: the new state and its verified evaluation, or an invalid evaluation saying why not. */
export interface RolloutResult {
  /** The task's id. */
  readonly id: number;
  /** The new state as JSON, when the program ran. */
  readonly state?: unknown;
  /** The new state's key (the problem's stateKey) when it is valid, for deduplication in the archive. */
  readonly key?: string;
  /** The verifier's verdict on the new state (invalid, with the error, when the rollout failed). */
  readonly evaluation: Evaluation;
  /** Wall time of the rollout, in milliseconds. */
  readonly durationMs: number;
  /** The program was still running at its deadline, so its moves returned early. */
  readonly cutShort?: boolean;
}

export async function runRollout(problem: Problem, task: RolloutTask): Promise<RolloutResult> {
  const started = performance.now();
  const done = (r: Omit<RolloutResult, "id" | "durationMs">): RolloutResult => ({
    id: task.id,
    durationMs: performance.now() - started,
    ...r,
  });
  const deadline = task.effortMs === undefined
    ? task.deadline
    : Math.min(task.deadline ?? Infinity, Date.now() + task.effortMs);
  const rng = new Rng(task.seed);
  /** The program once from `from`; the verifier sees the state exactly as it will be stored: through JSON. */
  const attempt = async (from: unknown) => {
    const state = await requireBuiltin(problem).apply(task.program, from, { rng, deadline });
    const json = problem.toJSON(state);
    return { state, json, evaluation: await problem.evaluate(json) };
  };
  let best: Awaited<ReturnType<typeof attempt>>;
  try {
    best = await attempt(problem.fromJSON(task.state));
  } catch (e) {
    return done({ evaluation: invalid(`move failed: ${e instanceof Error ? e.message : String(e)}`) });
  }
  // Equal effort: the program again, from the best state so far, until the effort is spent. A
  // repeat that throws ends the effort; the best state found before it stands.
  while (task.effortMs !== undefined && Date.now() < deadline!) {
    const next = await attempt(best.state).catch(() => undefined);
    if (next === undefined) break;
    if (
      next.evaluation.valid && (!best.evaluation.valid || next.evaluation.reward > best.evaluation.reward)
    ) {
      best = next;
    }
  }
  // Under equal effort reaching the deadline is the plan, not a cut.
  const cutShort = task.effortMs === undefined && task.deadline !== undefined && Date.now() >= task.deadline;
  return done({
    state: best.json,
    key: best.evaluation.valid ? problem.stateKey(best.state) : undefined,
    evaluation: best.evaluation,
    cutShort,
  });
}

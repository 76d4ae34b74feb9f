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
  let child: unknown;
  let json: unknown;
  let evaluation: Evaluation;
  try {
    const rng = new Rng(task.seed);
    child = await requireBuiltin(problem).apply(task.program, problem.fromJSON(task.state), {
      rng,
      deadline,
    });
    // The verifier sees the state exactly as it will be stored: through JSON.
    json = problem.toJSON(child);
    evaluation = await problem.evaluate(json);
    // Equal effort: the program again, from the best state so far, until the effort is spent.
    while (task.effortMs !== undefined && Date.now() < deadline!) {
      const next = await requireBuiltin(problem).apply(task.program, child, { rng, deadline });
      const nextJson = problem.toJSON(next);
      const nextEvaluation = await problem.evaluate(nextJson);
      if (nextEvaluation.valid && (!evaluation.valid || nextEvaluation.reward > evaluation.reward)) {
        [child, json, evaluation] = [next, nextJson, nextEvaluation];
      }
    }
  } catch (e) {
    return done({ evaluation: invalid(`move failed: ${e instanceof Error ? e.message : String(e)}`) });
  }
  // Under equal effort reaching the deadline is the plan, not a cut.
  const cutShort = task.effortMs === undefined && task.deadline !== undefined && Date.now() >= task.deadline;
  return done({
    state: json,
    key: evaluation.valid ? problem.stateKey(child) : undefined,
    evaluation,
    cutShort,
  });
}

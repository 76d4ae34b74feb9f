/**
 * One rollout of the built-in route: run a program on a start state, then verify
 * the result. The same function runs in a worker or in-process, so both paths give
 * bit-identical results.
 */
import type { Program } from "./grammar.ts";
import type { Evaluation, Problem } from "./problem.ts";
import { Rng } from "./rng.ts";

export interface RolloutTask {
  readonly id: number;
  readonly program: Program;
  /** The start state as JSON. */
  readonly state: unknown;
  readonly seed: number;
  /** Epoch ms by which the program must return (see MoveContext.deadline). */
  readonly deadline?: number;
}

export interface RolloutResult {
  readonly id: number;
  /** The new state as JSON, when the program ran. */
  readonly state?: unknown;
  readonly key?: string;
  readonly evaluation: Evaluation;
  readonly durationMs: number;
  /** The program was still running at its deadline, so its moves returned early. */
  readonly cutShort?: boolean;
}

export function invalid(error: string): Evaluation {
  return { valid: false, value: null, reward: 0, error };
}

export async function runRollout(problem: Problem, task: RolloutTask): Promise<RolloutResult> {
  const started = performance.now();
  const done = (r: Omit<RolloutResult, "id" | "durationMs">): RolloutResult => ({
    id: task.id,
    durationMs: performance.now() - started,
    ...r,
  });
  let child: unknown;
  try {
    const start = problem.fromJSON(task.state);
    child = await problem.apply(task.program, start, { rng: new Rng(task.seed), deadline: task.deadline });
  } catch (e) {
    return done({ evaluation: invalid(`move failed: ${e instanceof Error ? e.message : String(e)}`) });
  }
  // The verifier sees the state exactly as it will be stored: through JSON.
  const cutShort = task.deadline !== undefined && Date.now() >= task.deadline;
  const json = problem.toJSON(child);
  const evaluation = problem.evaluate(json);
  return done({
    state: json,
    key: evaluation.valid ? problem.stateKey(child) : undefined,
    evaluation,
    cutShort,
  });
}

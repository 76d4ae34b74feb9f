/**
 * Where rollouts run. The loop hands a step's rollouts to an Executor and gets their results
 * back in task order; it never knows which one it has:
 *
 *   local (default)  worker threads of this process (lib/pool.ts)
 *   nats             worker processes on any machine, through a NATS JetStream work queue
 *                    (lib/nats/executor.ts; `deno task worker --nats URL` on each machine)
 *
 * A rollout's result depends only on its task (program, start state, seed), never on where it
 * ran, so a run is row-for-row the same with either.
 */
import type { RolloutResult, RolloutTask } from "./rollout.ts";
import type { Problem } from "./problem.ts";

/** Where rollouts run now, for progress displays. */
export interface ExecutorStatus {
  /** This machine's worker threads, or worker processes through NATS. */
  readonly kind: "local" | "nats";
  /** What can take this run's rollouts now: local threads, or live worker processes of the run's code. */
  readonly workers: number;
  /** Rollouts being worked on now (for NATS: as the workers last reported, across every run they serve). */
  readonly inFlight: number;
}

/** Runs rollouts somewhere and returns their results; the loop never knows where. */
export interface Executor {
  /**
   * Runs every task and returns the results in task order; `onResult` sees each as it lands.
   * A rollout that fails (time limit, crash, lost worker) is an invalid result with its reason;
   * the promise rejects only when no rollout can run at all (e.g. no worker is alive).
   */
  run(tasks: readonly RolloutTask[], onResult?: (r: RolloutResult) => void): Promise<RolloutResult[]>;
  /** Where rollouts run now. */
  status(): ExecutorStatus;
  /** Stops the workers (or the connection); the executor runs nothing more. */
  close(): void | Promise<void>;
}

/** What an executor needs to know about the rollouts it will run. */
export interface RolloutJob {
  readonly problem: Problem;
  /** A module exporting the problem, for problems outside the registry (see PoolOptions). */
  readonly problemModule?: string;
  /** Wall-clock limit for one rollout. */
  readonly timeoutMs: number;
  /** Local worker threads (the local executor only). */
  readonly threads: number;
}

/**
 * Where a run's rollouts go, as `discover({ executor })` and `--executor` take it: omitted or
 * "local" for this machine's threads; a NATS URL (`nats://host:4222`, `tls://...`, with optional
 * `?ack_wait=30&max_deliver=4&no_worker=60`) or the NATS executor's options for worker processes.
 */
export type ExecutorSpec = string | { readonly nats: string } & Record<string, unknown>;

/** Opens the executor a spec names for a job (connects, checks the server, pins the code). */
export async function openExecutor(spec: ExecutorSpec | undefined, job: RolloutJob): Promise<Executor> {
  if (spec === undefined || spec === "local") {
    const { RolloutPool } = await import("./pool.ts");
    const { moduleOfProblem } = await import("./problem_module.ts");
    const pool = new RolloutPool({
      problem: job.problem,
      // Worker threads import the problem's module: the user's, or the registry's for its own problems.
      problemModule: job.problemModule ?? await moduleOfProblem(job.problem),
      size: job.threads,
      timeoutMs: job.timeoutMs,
    });
    // Every thread must load the problem before step 0: a run whose workers cannot fails now, unwritten.
    try {
      await pool.started();
    } catch (e) {
      pool.close();
      throw e;
    }
    return pool;
  }
  const { NatsExecutor, parseExecutorSpec } = await import("./nats/executor.ts");
  return await NatsExecutor.connect(parseExecutorSpec(spec), job);
}

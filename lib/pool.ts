/**
 * Runs rollouts in parallel on worker threads. Results come back in task order and
 * depend only on each task's seed, so a run is reproducible for any worker count.
 * A rollout that exceeds its time limit takes its worker down with it; the worker is
 * replaced and the rollout is recorded as invalid.
 */
import { invalid, type RolloutResult, type RolloutTask, runRollout } from "./rollout.ts";
import type { WorkerRequest } from "./worker.ts";
import type { Problem } from "./problem.ts";
import type { Executor, ExecutorStatus } from "./executor.ts";
import { loadedFrom, moduleUrl } from "./problem_module.ts";
import { DEADLINE_SHARE } from "./config.ts";

export interface PoolOptions {
  /** The problem (in-process only, unless it was loaded from a module or `problemModule` names one). */
  readonly problem: Problem;
  /** Worker threads; 0 runs rollouts in this thread (slower, but easy to debug). */
  readonly size: number;
  /** Wall-clock limit for one rollout. */
  readonly timeoutMs: number;
  /**
   * URL of a module that exports the problem, for a problem not loaded from one (e.g. one a notebook
   * or a test imports from its own file): workers import it to find the problem. A relative path is
   * read against the working directory. Default: the module the problem was loaded from.
   */
  readonly problemModule?: string;
}

interface Slot {
  worker: Worker;
  /** Settles when the worker has loaded its problem: start-up never counts against a rollout. */
  ready: Promise<void>;
}

/** What a worker sends back: once "ready" (or the reason it cannot start), then one result a task. */
export type WorkerReply =
  | { readonly type: "ready" }
  | { readonly type: "failed"; readonly error: string }
  | { readonly type: "result"; readonly result: RolloutResult };

export class RolloutPool implements Executor {
  private readonly slots: Slot[] = [];
  /** Slots with no rollout, and the rollouts waiting for one (first come, first served). */
  private readonly idle: Slot[] = [];
  private readonly waiting: ((slot: Slot) => void)[] = [];
  /** In-process rollouts (size 0) run one after another: the tail of that chain. */
  private inProcess: Promise<unknown> = Promise.resolve();
  private busy = 0;
  readonly problem: Problem;
  /** The problem module as an absolute URL (workers live in lib/, where a relative path means something else). */
  private readonly module?: string;

  constructor(private readonly options: PoolOptions) {
    this.problem = options.problem;
    this.module = options.problemModule === undefined
      ? loadedFrom(this.problem)
      : moduleUrl(options.problemModule);
    if (options.size > 0 && !this.module) {
      throw new Error(
        `problem "${this.problem.name}" was not loaded from a module, so worker threads cannot load it: ` +
          "run it in-process with workers: 0, give the module that exports it, or register it",
      );
    }
    for (let i = 0; i < options.size; i++) this.slots.push(this.spawn());
    this.idle.push(...this.slots);
  }

  private spawn(): Slot {
    const module = this.module!;
    const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
    const ready = new Promise<void>((resolve, reject) => {
      worker.onmessage = (e: MessageEvent<WorkerReply>) => {
        if (e.data.type === "ready") resolve();
        else if (e.data.type === "failed") reject(new Error(`worker could not start: ${e.data.error}`));
      };
      worker.onerror = (e: ErrorEvent) => {
        e.preventDefault();
        reject(new Error(`worker could not start: ${e.message}`));
      };
    });
    ready.catch(() => {}); // reported by the task that waits on it
    worker.postMessage(
      {
        type: "init",
        problem: this.problem.name,
        module,
      } satisfies WorkerRequest,
    );
    return { worker, ready };
  }

  /**
   * Resolves once every worker thread has loaded the problem; rejects with one message naming the
   * problem and its module when one cannot (the loop calls this before step 0, so such a run fails
   * at once and writes nothing, instead of recording every rollout as invalid).
   */
  async started(): Promise<void> {
    const settled = await Promise.allSettled(this.slots.map((slot) => slot.ready));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed) {
      const why = (failed.reason as Error).message
        .replace(/^worker could not start: /, "")
        .replace(/^problem module \S+ (does not load: )?/, "");
      throw new Error(
        `worker threads cannot load problem "${this.problem.name}"` +
          (this.module ? ` from ${this.module}` : "") + `: ${why}`,
      );
    }
  }

  /** Runs every task; `onResult` sees each result as it lands (for progress displays). */
  run(tasks: readonly RolloutTask[], onResult?: (r: RolloutResult) => void): Promise<RolloutResult[]> {
    // Tasks take free threads in task order; results depend only on each task, never on the thread.
    return Promise.all(tasks.map(async (task) => {
      const result = await this.runOne(task);
      onResult?.(result);
      return result;
    }));
  }

  /**
   * Runs one task on the next free thread (or in this thread, after the ones before it, when the
   * pool has none), under `timeoutMs` (default: the pool's limit). Concurrent calls share the threads.
   */
  async runOne(task: RolloutTask, timeoutMs = this.options.timeoutMs): Promise<RolloutResult> {
    this.busy++;
    try {
      if (this.slots.length === 0) {
        const mine = this.inProcess.then(() => runRollout(this.problem, this.withDeadline(task, timeoutMs)));
        this.inProcess = mine.catch(() => {});
        return await mine;
      }
      const slot = this.idle.shift() ?? await new Promise<Slot>((resolve) => this.waiting.push(resolve));
      try {
        return await this.runOn(slot, task, timeoutMs);
      } finally {
        const next = this.waiting.shift();
        if (next) next(slot);
        else this.idle.push(slot);
      }
    } finally {
      this.busy--;
    }
  }

  status(): ExecutorStatus {
    return { kind: "local", workers: Math.max(1, this.slots.length), inFlight: this.busy };
  }

  private async runOn(slot: Slot, task: RolloutTask, timeoutMs: number): Promise<RolloutResult> {
    try {
      await slot.ready;
    } catch (e) {
      return { id: task.id, evaluation: invalid((e as Error).message), durationMs: 0 };
    }
    // This task's worker: a failure replaces slot.worker, and the replacement must keep its handlers.
    const worker = slot.worker;
    return new Promise((resolve) => {
      const started = performance.now();
      const finish = (result: RolloutResult) => {
        clearTimeout(timer);
        worker.onmessage = null;
        worker.onerror = null;
        resolve(result);
      };
      const fail = (error: string) => {
        // The worker may be stuck or broken: replace it so later rollouts are unaffected.
        finish({ id: task.id, evaluation: invalid(error), durationMs: performance.now() - started });
        worker.terminate();
        Object.assign(slot, this.spawn());
      };
      const timer = setTimeout(
        () => fail(`rollout timed out after ${(timeoutMs / 1000).toFixed(1)} s`),
        timeoutMs,
      );
      worker.onmessage = (e: MessageEvent<WorkerReply>) => {
        if (e.data.type === "result") finish(e.data.result);
      };
      worker.onerror = (e: ErrorEvent) => {
        e.preventDefault();
        fail(`worker crashed: ${e.message}`);
      };
      worker.postMessage({ type: "task", task: this.withDeadline(task, timeoutMs) } satisfies WorkerRequest);
    });
  }

  /**
   * The deadline a program's moves see, set when the rollout starts: 80% of the time limit,
   * leaving the rest for the verifier and the trip back, so a long move returns its best
   * iterate instead of the whole rollout being killed.
   */
  private withDeadline(task: RolloutTask, timeoutMs: number): RolloutTask {
    return { ...task, deadline: Math.min(Date.now() + DEADLINE_SHARE * timeoutMs, task.endsBy ?? Infinity) };
  }

  close(): void {
    for (const slot of this.slots) slot.worker.terminate();
    this.slots.length = 0;
    this.idle.length = 0;
  }
}

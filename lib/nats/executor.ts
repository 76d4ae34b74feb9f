/**
 * The NATS executor: a run's side of remote rollouts. Each step's rollouts go into a JetStream
 * work queue; worker processes on any machine (`deno task worker --nats URL`, lib/nats/worker.ts)
 * take them, run them in the same threads, sandboxes and limits as local workers, and write each
 * result create-if-absent into a key-value bucket, which this side watches.
 *
 * - At least once, counted once: a worker that dies leaves its rollouts unacknowledged, and the
 *   server hands them to another worker after the lease (ack wait), which running workers keep
 *   extending; the first result written for a rollout's key is the only one.
 * - A rollout that no worker finishes in `maxDeliver` deliveries is recorded invalid with that
 *   reason (the server's max-deliveries advisory), and the step goes on.
 * - When no worker of this run's code is alive for `noWorkerMs`, the step fails with a sentence
 *   that says so (and names connected workers of other code), rather than waiting forever.
 * - What a worker reports is checked (zod) and its verdict recomputed here by the problem's
 *   verifier; a malformed or disagreeing result is an invalid attempt with the reason.
 */
import { hostname } from "node:os";
import { z } from "zod";
import { connect, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import { jetstream, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import type { Executor, ExecutorStatus, RolloutJob } from "../executor.ts";
import { invalid, type RolloutResult, type RolloutTask } from "../rollout.ts";
import { isRegistered } from "../problem_module.ts";
import { type NatsExecutorOptions, redact } from "./spec.ts";
export { type NatsExecutorOptions, NatsExecutorOptionsSchema, parseExecutorSpec } from "./spec.ts";
import {
  connectError,
  connectionOptions,
  ensureQueue,
  type Heartbeat,
  HEARTBEAT_ROOT,
  HeartbeatSchema,
  LIVE_MS,
  maxDeliveriesAdvisory,
  openResults,
  openRuns,
  PING_SUBJECT,
  PROTOCOL,
  type ResultMessage,
  ResultMessageSchema,
  RESULTS_BUCKET,
  RUN_BEAT_MS,
  sourceHash,
  STREAM,
  type TaskMessage,
  taskSubject,
} from "./protocol.ts";

interface LiveWorker {
  readonly heartbeat: Heartbeat;
  readonly seen: number;
}

interface Pending {
  readonly index: number;
  readonly task: RolloutTask;
  readonly deliver: (result: RolloutResult) => void;
}

export class NatsExecutor implements Executor {
  private readonly session = crypto.randomUUID().replaceAll("-", "").slice(0, 16);
  private batch = 0;
  private readonly pending = new Map<string, Pending>();
  /** Stream sequence of each task in flight, for the max-deliveries advisory. */
  private readonly sequences = new Map<number, string>();
  private readonly workers = new Map<string, LiveWorker>();
  private readonly subscriptions: Subscription[] = [];
  private watcher?: { stop(): void };
  private aliveTimer?: ReturnType<typeof setInterval>;
  private closed = false;

  private constructor(
    private readonly options: NatsExecutorOptions,
    private readonly job: RolloutJob,
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly kv: KV,
    private readonly runs: KV,
    readonly hash: string,
  ) {}

  /** Connects, checks that the server has JetStream, pins this run's code, and starts listening. */
  static async connect(options: NatsExecutorOptions, job: RolloutJob): Promise<NatsExecutor> {
    const problem = job.problem;
    if (!job.problemModule && !await isRegistered(problem)) {
      throw new Error(
        `problem "${problem.name}" is not in the registry, so remote workers cannot load it: give the ` +
          "module that exports it (problemModule, and `--problem-module` to each worker) or register it",
      );
    }
    const hash = await sourceHash(job.problemModule);
    let nc: NatsConnection;
    try {
      nc = await connect({
        ...connectionOptions(options.nats),
        name: `ttt-run ${hostname()} ${Deno.pid}`,
        timeout: options.connectSeconds * 1000,
        maxReconnectAttempts: -1,
      });
    } catch (e) {
      throw connectError(options.nats, e);
    }
    try {
      const jsm = await ensureQueue(nc, options.nats, hash, {
        ackWaitMs: options.ackWaitSeconds * 1000,
        maxDeliver: options.maxDeliver,
      });
      const kv = await openResults(nc);
      const runs = await openRuns(nc);
      const executor = new NatsExecutor(options, job, nc, jetstream(nc), jsm, kv, runs, hash);
      await executor.listen();
      return executor;
    } catch (e) {
      await nc.close().catch(() => {});
      throw e;
    }
  }

  private async listen(): Promise<void> {
    // Workers run this session's rollouts only while this key is fresh (lib/nats/protocol.ts).
    const alive = () => this.runs.put(this.session, JSON.stringify({ host: hostname(), pid: Deno.pid }));
    await alive();
    this.aliveTimer = setInterval(() => alive().catch(() => {}), RUN_BEAT_MS);
    this.subscriptions.push(this.nc.subscribe(`${HEARTBEAT_ROOT}.hb.>`, {
      callback: (_err, msg) => {
        const beat = HeartbeatSchema.safeParse(safeJson(msg.data));
        if (beat.success) this.workers.set(beat.data.id, { heartbeat: beat.data, seen: Date.now() });
      },
    }));
    this.subscriptions.push(this.nc.subscribe(maxDeliveriesAdvisory(this.hash), {
      callback: (_err, msg) => {
        const advisory = z.object({ stream_seq: z.number(), deliveries: z.number() }).loose()
          .safeParse(safeJson(msg.data));
        if (advisory.success) this.givenUp(advisory.data.stream_seq, advisory.data.deliveries);
      },
    }));
    const watcher = await this.kv.watch({ key: `${this.session}.>`, ignoreDeletes: true });
    this.watcher = watcher;
    (async () => {
      for await (const entry of watcher) {
        if (entry.operation !== "PUT") continue;
        const pending = this.pending.get(entry.key);
        if (!pending) continue; // a late duplicate of a finished batch
        this.pending.delete(entry.key);
        pending.deliver(await this.accept(pending, entry.value));
      }
    })().catch(() => {});
    await this.nc.flush();
    // Workers answer at once, so the first step already knows who is there.
    this.nc.publish(PING_SUBJECT, "");
    await this.nc.flush();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  /** A rollout that used up its deliveries: recorded invalid (create-if-absent, like any result). */
  private givenUp(sequence: number, deliveries: number): void {
    const key = this.sequences.get(sequence);
    if (!key || !this.pending.has(key)) return;
    const pending = this.pending.get(key)!;
    const message: ResultMessage = {
      protocol: PROTOCOL,
      key,
      worker: "run",
      result: {
        id: pending.task.id,
        evaluation: {
          valid: false,
          value: null,
          reward: 0,
          error: `no worker finished this rollout in ${deliveries} deliveries (each worker that took it ` +
            "stopped or lost its connection before writing a result)",
        },
        durationMs: 0,
      },
    };
    this.kv.create(key, JSON.stringify(message)).catch(() => {}); // a worker's result may have won
    this.jsm.streams.deleteMessage(STREAM, sequence).catch(() => {});
  }

  /** A result from the bucket, checked and re-verified, as the loop takes it. */
  private async accept(pending: Pending, data: Uint8Array): Promise<RolloutResult> {
    const { task } = pending;
    const fail = (why: string): RolloutResult => ({ id: task.id, evaluation: invalid(why), durationMs: 0 });
    const parsed = ResultMessageSchema.safeParse(safeJson(data));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return fail(
        `malformed result from a worker (${data.length} bytes; ${
          issue.path.join(".") || "message"
        }: ${issue.message})`,
      );
    }
    const { result, worker } = parsed.data;
    if (result.id !== task.id) {
      return fail(`malformed result from worker ${worker}: it answers task ${result.id}`);
    }
    const theirs = result.evaluation;
    const base = { id: task.id, durationMs: result.durationMs, cutShort: result.cutShort };
    if (result.state === undefined) {
      if (theirs.valid) return fail(`worker ${worker} reported a valid result without a state`);
      return { ...base, evaluation: theirs };
    }
    if (!this.options.verify) return { ...base, state: result.state, key: result.key, evaluation: theirs };
    let here;
    try {
      here = await this.job.problem.evaluate(result.state);
    } catch (e) {
      return fail(`the verifier failed on worker ${worker}'s state: ${e instanceof Error ? e.message : e}`);
    }
    const agree = here.valid === theirs.valid &&
      (!here.valid || (here.value === theirs.value && here.reward === theirs.reward));
    if (!agree) {
      return fail(
        `worker ${worker} reported ${verdict(theirs)} but the verifier here gives ${verdict(here)}`,
      );
    }
    if (here.valid && !result.key) return fail(`worker ${worker} reported a valid state without its key`);
    return { ...base, state: result.state, key: here.valid ? result.key : undefined, evaluation: theirs };
  }

  run(tasks: readonly RolloutTask[], onResult?: (r: RolloutResult) => void): Promise<RolloutResult[]> {
    if (this.closed) return Promise.reject(new Error("the NATS executor is closed"));
    const batch = this.batch++;
    const prefix = `${this.session}.${batch}`;
    const results: RolloutResult[] = new Array(tasks.length);
    if (tasks.length === 0) return Promise.resolve(results);
    const maxPayload = this.nc.info?.max_payload ?? 1 << 20;
    return new Promise<RolloutResult[]>((resolve, reject) => {
      let left = tasks.length;
      let noWorkerSince: number | undefined;
      let ended = false;
      // Set once every task is out; `end` may run before that (every task too large).
      const timer: { watchdog?: ReturnType<typeof setInterval> } = {};
      const end = (error?: Error) => {
        if (ended) return;
        ended = true;
        clearInterval(timer.watchdog);
        for (const key of this.pending.keys()) if (key.startsWith(`${prefix}.`)) this.pending.delete(key);
        for (const [seq, key] of this.sequences) if (key.startsWith(`${prefix}.`)) this.sequences.delete(seq);
        // Results are read: they go, and so do tasks no worker took (a failed step's).
        this.purge(prefix, !!error);
        if (error) reject(error);
        else resolve(results);
      };
      const deliver = (index: number) => (result: RolloutResult) => {
        if (ended || results[index]) return;
        results[index] = result;
        onResult?.(result);
        if (--left === 0) end();
      };
      const encoder = new TextEncoder();
      tasks.forEach((task, index) => {
        const key = `${prefix}.${index}`;
        const pending: Pending = { index, task, deliver: deliver(index) };
        const message: TaskMessage = {
          protocol: PROTOCOL,
          key,
          hash: this.hash,
          problem: this.job.problem.name,
          timeoutMs: this.job.timeoutMs,
          task: {
            id: task.id,
            program: task.program as TaskMessage["task"]["program"],
            state: task.state,
            seed: task.seed,
          },
        };
        const data = encoder.encode(JSON.stringify(message));
        if (data.length > maxPayload - 1024) {
          pending.deliver({
            id: task.id,
            durationMs: 0,
            evaluation: invalid(
              `the rollout's task is ${data.length} bytes, over what the NATS server takes in one message ` +
                `(max_payload ${maxPayload}): raise max_payload on the server`,
            ),
          });
          return;
        }
        this.pending.set(key, pending);
        this.js.publish(taskSubject(this.hash, this.session), data, { msgID: key })
          .then((ack) => {
            if (this.pending.has(key)) this.sequences.set(ack.seq, key);
          })
          .catch((e) =>
            end(
              new Error(`could not queue rollouts on ${redact(this.options.nats)}: ${(e as Error).message}`),
            )
          );
      });
      if (left === 0) return end(); // nothing went out (every task too large)
      timer.watchdog = setInterval(() => {
        if (this.nc.isClosed()) {
          return end(new Error(`the connection to ${redact(this.options.nats)} closed`));
        }
        if (this.status().workers > 0) {
          noWorkerSince = undefined;
          return;
        }
        noWorkerSince ??= Date.now();
        if (Date.now() - noWorkerSince >= this.options.noWorkerSeconds * 1000) end(this.noWorkerError());
      }, 250);
    });
  }

  private purge(prefix: string, tasksToo: boolean): void {
    const quiet = () => {};
    this.jsm.streams.purge(`KV_${RESULTS_BUCKET}`, { filter: `$KV.${RESULTS_BUCKET}.${prefix}.>` }).catch(
      quiet,
    );
    if (tasksToo) {
      this.jsm.streams.purge(STREAM, { filter: taskSubject(this.hash, this.session) }).catch(quiet);
    }
  }

  private noWorkerError(): Error {
    const url = redact(this.options.nats);
    const others = [...this.live()].filter((w) => w.hash !== this.hash);
    const lines = [
      `no rollout worker for this run has been live for ${this.options.noWorkerSeconds} s on ${url}; ` +
      `start one on any machine with the same checkout: deno task worker --nats ${url}` +
      (this.job.problemModule ? ` --problem-module ${this.job.problemModule}` : ""),
    ];
    if (others.length > 0) {
      lines.push(
        `${others.length} worker(s) are connected but run other code, so they never take this run's rollouts ` +
          `(this run: source ${this.hash}, deno ${Deno.version.deno}, toolkit protocol ${PROTOCOL}):`,
        ...others.map((w) =>
          `  ${w.id} on ${w.host}: source ${w.hash}, deno ${w.deno}, toolkit ${w.toolkit}, protocol ${w.protocol}` +
          (w.problemModule ? `, --problem-module ${w.problemModule}` : "")
        ),
        "update their checkout (and Deno) to this run's, or start them with the same --problem-module",
      );
    }
    return new Error(lines.join("\n"));
  }

  private *live(): Iterable<Heartbeat> {
    const now = Date.now();
    for (const [id, w] of this.workers) {
      if (now - w.seen > LIVE_MS) this.workers.delete(id);
      else yield w.heartbeat;
    }
  }

  status(): ExecutorStatus {
    let workers = 0, inFlight = 0;
    for (const w of this.live()) {
      if (w.hash !== this.hash) continue;
      workers++;
      inFlight += w.busy;
    }
    return { kind: "nats", workers, inFlight };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.aliveTimer);
    this.watcher?.stop();
    for (const s of this.subscriptions) s.unsubscribe();
    await Promise.allSettled([
      this.jsm.streams.purge(STREAM, { filter: taskSubject(this.hash, this.session) }),
      this.jsm.streams.purge(`KV_${RESULTS_BUCKET}`, { filter: `$KV.${RESULTS_BUCKET}.${this.session}.>` }),
      this.runs.purge(this.session),
    ]);
    await this.nc.close().catch(() => {});
  }
}

function verdict(e: { valid: boolean; value: number | null; reward: number; error?: string }): string {
  return e.valid ? `value ${e.value} (reward ${e.reward})` : `invalid (${e.error ?? "no reason"})`;
}

function safeJson(data: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(data));
  } catch {
    return undefined;
  }
}

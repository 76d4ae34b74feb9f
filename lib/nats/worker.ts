/**
 * `deno task worker --nats URL [--concurrency N] [--problem-module FILE]`: a rollout worker
 * process for runs started with `--executor URL` on any machine. It takes rollouts from the
 * JetStream work queue of its own code (source hash, lib/nats/protocol.ts), runs each on a worker
 * thread with the same deadline, time limit and sandboxes as a local run (lib/pool.ts), and writes
 * the result create-if-absent into the results bucket, then acknowledges the rollout. While a
 * rollout runs it extends its lease, so only a worker that stops (or is killed) loses it, and
 * then to another worker. Ctrl-C or SIGTERM hands rollouts in progress straight back.
 */
import { hostname } from "node:os";
import { parseArgs } from "node:util";
import { z } from "zod";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { type Consumer, jetstream, type JetStreamManager, type JsMsg } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import { RolloutPool } from "../pool.ts";
import { invalid, type RolloutResult } from "../rollout.ts";
import type { Problem } from "../problem.ts";
import { loadProblemModule, registeredProblems } from "../problem_module.ts";
import {
  connectError,
  connectionOptions,
  consumerName,
  ensureQueue,
  type Heartbeat,
  HEARTBEAT_MS,
  heartbeatSubject,
  isAlreadyWritten,
  isProblem,
  moduleUrl,
  openResults,
  openRuns,
  PING_SUBJECT,
  PROTOCOL,
  redact,
  type ResultMessage,
  RUN_TTL_MS,
  sourceHash,
  STREAM,
  TaskMessageSchema,
  TOOLKIT_VERSION,
} from "./protocol.ts";

export interface WorkerOptions {
  /** The NATS server, e.g. nats://host:4222 (credentials: see connectionOptions). */
  readonly nats: string;
  /** Rollouts at once (worker threads). */
  readonly concurrency: number;
  /** A module exporting problems outside the registry (a path or URL). */
  readonly problemModule?: string;
  /** Name in heartbeats and results (default host-pid-random). */
  readonly id?: string;
  /** Where progress lines go (default: stderr). */
  readonly log?: (line: string) => void;
}

/** A worker process's connection, pull loop and threads. */
export class NatsWorker {
  private busy = 0;
  private stopping = false;
  private readonly inFlight = new Set<JsMsg>();
  private readonly pools = new Map<string, RolloutPool>();
  private leaseMs = 10_000;
  private readonly timers: ReturnType<typeof setInterval>[] = [];
  private slotFreed?: () => void;
  private loop?: Promise<void>;
  /** Runs seen alive, until when (a look-up per run every few seconds, not per rollout). */
  private readonly aliveRuns = new Map<string, number>();
  /** Rollouts this worker finished (a result written, or found already written). */
  done = 0;

  private constructor(
    private readonly options: WorkerOptions,
    readonly id: string,
    readonly hash: string,
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly kv: KV,
    private readonly runs: KV,
    private readonly problems: Map<string, Problem>,
  ) {}

  static async start(options: WorkerOptions): Promise<NatsWorker> {
    const module = options.problemModule ? moduleUrl(options.problemModule) : undefined;
    const problems = new Map<string, Problem>(Object.entries(await registeredProblems()));
    if (module) {
      const exports = await import(module) as Record<string, unknown>;
      const found = Object.values(exports).filter(isProblem);
      if (found.length === 0) throw new Error(`${options.problemModule} exports no problem`);
      // Loaded through the contract's check, which also remembers the module for the worker threads.
      for (const p of found) problems.set(p.name, await loadProblemModule(module, p.name));
    }
    const hash = await sourceHash(module);
    const id = options.id ?? `${hostname()}-${Deno.pid}-${crypto.randomUUID().slice(0, 4)}`;
    let nc: NatsConnection;
    try {
      nc = await connect({
        ...connectionOptions(options.nats),
        name: `ttt-worker ${id}`,
        timeout: 5000,
        maxReconnectAttempts: -1,
      });
    } catch (e) {
      throw connectError(options.nats, e);
    }
    try {
      const jsm = await ensureQueue(nc, options.nats, hash);
      const kv = await openResults(nc);
      const runs = await openRuns(nc);
      const worker = new NatsWorker(
        { ...options, problemModule: module },
        id,
        hash,
        nc,
        jsm,
        kv,
        runs,
        problems,
      );
      await worker.begin();
      return worker;
    } catch (e) {
      await nc.close().catch(() => {});
      throw e;
    }
  }

  private log(line: string): void {
    (this.options.log ?? ((l: string) => console.error(l)))(`worker ${this.id}: ${line}`);
  }

  private async begin(): Promise<void> {
    await this.refreshLease();
    const beat = () => {
      const heartbeat: Heartbeat = {
        protocol: PROTOCOL,
        id: this.id,
        host: hostname(),
        pid: Deno.pid,
        hash: this.hash,
        toolkit: TOOLKIT_VERSION,
        deno: Deno.version.deno,
        concurrency: this.options.concurrency,
        busy: this.busy,
        problemModule: this.options.problemModule,
      };
      if (!this.nc.isClosed()) this.nc.publish(heartbeatSubject(this.hash), JSON.stringify(heartbeat));
    };
    beat();
    this.timers.push(setInterval(beat, HEARTBEAT_MS));
    this.nc.subscribe(PING_SUBJECT, { callback: () => beat() });
    this.timers.push(setInterval(() => this.refreshLease().catch(() => {}), 10_000));
    const consumer = await jetstream(this.nc).consumers.get(STREAM, consumerName(this.hash));
    this.loop = this.pull(consumer);
    this.log(
      `serving ${redact(this.options.nats)} with ${this.options.concurrency} slot(s), source ${this.hash}` +
        (this.options.problemModule ? `, problems of ${this.options.problemModule}` : ""),
    );
  }

  /** Extends a rollout's lease three times per ack wait (the run sets the ack wait). */
  private async refreshLease(): Promise<void> {
    const info = await this.jsm.consumers.info(STREAM, consumerName(this.hash));
    this.leaseMs = Math.max(100, Math.min(10_000, (info.config.ack_wait ?? 30e9) / 1e6 / 3));
  }

  private async pull(consumer: Consumer): Promise<void> {
    while (!this.stopping) {
      if (this.busy >= this.options.concurrency) {
        await new Promise<void>((resolve) => (this.slotFreed = resolve));
        continue;
      }
      let msg: JsMsg | null;
      try {
        msg = await consumer.next({ expires: 2000 });
      } catch (e) {
        if (this.stopping) break;
        this.log(`cannot take rollouts (${(e as Error).message}); retrying`);
        await new Promise((r) => setTimeout(r, 1000));
        // The consumer may have gone (e.g. removed by hand): make it again.
        await ensureQueue(this.nc, this.options.nats, this.hash).catch(() => {});
        continue;
      }
      if (!msg) continue;
      if (this.stopping) {
        msg.nak();
        break;
      }
      this.busy++;
      this.inFlight.add(msg);
      this.handle(msg).finally(() => {
        this.inFlight.delete(msg);
        this.busy--;
        this.slotFreed?.();
        this.slotFreed = undefined;
      });
    }
  }

  private async handle(msg: JsMsg): Promise<void> {
    const lease = setInterval(() => msg.working(), this.leaseMs);
    try {
      const key = msg.headers?.get("Nats-Msg-Id") ?? "";
      let text = "";
      try {
        text = new TextDecoder("utf-8", { fatal: true }).decode(msg.data);
      } catch { /* not text: the schema says so below */ }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch { /* idem */ }
      const parsed = TaskMessageSchema.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const why = `malformed rollout task (${issue.path.join(".") || "message"}: ${issue.message})`;
        this.log(why);
        if (!/^[-\w.=/]+$/.test(key)) {
          msg.term(why); // nothing to answer to
          return;
        }
        await this.answer(msg, key, { id: 0, evaluation: invalid(why), durationMs: 0 });
        return;
      }
      const task = parsed.data;
      let result: RolloutResult;
      if (!(await this.runAlive(task.key.split(".")[0]))) {
        // Its run crashed or was killed: skipped, with a result saying so in case the run is only cut off.
        result = {
          id: task.task.id,
          durationMs: 0,
          evaluation: invalid(
            `skipped by worker ${this.id}: the run that queued it has not been seen for ${
              RUN_TTL_MS / 1000
            } s`,
          ),
        };
      } else if (task.hash !== this.hash) {
        result = {
          id: task.task.id,
          durationMs: 0,
          evaluation: invalid(
            `worker ${this.id} refuses a rollout of source ${task.hash}: it runs source ${this.hash}`,
          ),
        };
      } else {
        const pool = this.poolFor(task.problem);
        result = pool ? await pool.runOne(task.task, task.timeoutMs) : {
          id: task.task.id,
          durationMs: 0,
          evaluation: invalid(`worker ${this.id} does not know problem "${task.problem}"`),
        };
      }
      if (this.stopping) return; // handed back by stop(); another worker redoes it
      await this.answer(msg, task.key, result);
    } catch (e) {
      if (this.stopping) return;
      this.log(`a rollout failed here and goes back to the queue: ${(e as Error).message}`);
      msg.nak(1000);
    } finally {
      clearInterval(lease);
    }
  }

  private async runAlive(session: string): Promise<boolean> {
    if ((this.aliveRuns.get(session) ?? 0) > Date.now()) return true;
    const entry = await this.runs.get(session);
    const alive = entry !== null && entry.operation === "PUT";
    if (alive) this.aliveRuns.set(session, Date.now() + 5_000);
    else this.log(`skips a rollout of run ${session}, which is gone`);
    return alive;
  }

  private poolFor(name: string): RolloutPool | undefined {
    let pool = this.pools.get(name);
    if (!pool) {
      const problem = this.problems.get(name);
      if (!problem) return undefined;
      pool = new RolloutPool({
        problem, // loaded from its module (the registry's or --problem-module), which the threads import
        size: this.options.concurrency,
        timeoutMs: 120_000,
      });
      this.pools.set(name, pool);
    }
    return pool;
  }

  /** Writes a result (create-if-absent: a second delivery's result never counts), then acks. */
  private async answer(msg: JsMsg, key: string, result: RolloutResult): Promise<void> {
    const message = (r: RolloutResult): ResultMessage => ({
      protocol: PROTOCOL,
      key,
      worker: this.id,
      result: {
        id: r.id,
        ...(r.state !== undefined ? { state: r.state } : {}),
        ...(r.key !== undefined ? { key: r.key } : {}),
        evaluation: {
          valid: r.evaluation.valid,
          value: r.evaluation.value,
          reward: r.evaluation.reward,
          ...(r.evaluation.error !== undefined ? { error: r.evaluation.error } : {}),
        },
        durationMs: r.durationMs,
        ...(r.cutShort ? { cutShort: true } : {}),
      },
    });
    let data = new TextEncoder().encode(JSON.stringify(message(result)));
    const maxPayload = this.nc.info?.max_payload ?? 1 << 20;
    if (data.length > maxPayload - 1024) {
      const why = `the result is ${data.length} bytes, over what the NATS server takes in one message ` +
        `(max_payload ${maxPayload}): raise max_payload on the server or keep states smaller`;
      this.log(why);
      data = new TextEncoder().encode(
        JSON.stringify(message({ id: result.id, durationMs: result.durationMs, evaluation: invalid(why) })),
      );
    }
    try {
      await this.kv.create(key, data);
    } catch (e) {
      if (!isAlreadyWritten(e)) throw e;
      // Another delivery of this rollout wrote first: that result is the one that counts.
    }
    msg.ack();
    this.done++;
  }

  /** Stops taking rollouts; those in progress go straight back to the queue for other workers. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.slotFreed?.();
    for (const t of this.timers) clearInterval(t);
    for (const msg of this.inFlight) msg.nak();
    for (const pool of this.pools.values()) pool.close();
    await this.nc.flush().catch(() => {});
    await this.loop?.catch(() => {});
    await this.nc.close().catch(() => {});
  }

  /** Resolves when the connection closes for good. */
  get closed(): Promise<void> {
    return this.nc.closed().then(() => {});
  }
}

const USAGE = `Usage: deno task worker --nats URL [options]

Takes rollouts of runs started with \`deno task run <problem> --executor URL\` and runs them here.

  --nats URL             the NATS server (nats://host:4222, tls://host:4222; nats://user:pass@host,
                         nats://token@host, or NATS_TOKEN, NATS_USER/NATS_PASSWORD, NATS_CREDS,
                         NATS_NKEY; TLS files in NATS_TLS_CA, NATS_TLS_CERT, NATS_TLS_KEY)
  --concurrency N        rollouts at once, one worker thread each (default: one per core)
  --problem-module FILE  a module exporting problems outside the registry (the run must name
                         the same module)
  --name NAME            this worker's name in heartbeats and results (default host-pid-xxxx)
  --help                 this text

A worker only takes rollouts of runs whose code (source hash: the rollout modules, npm versions
and Deno version) is the same as its own.`;

const ArgsSchema = z.object({
  nats: z.string({ error: "--nats URL is required" }).min(1),
  concurrency: z.coerce.number().int().min(1).max(256).default(navigator.hardwareConcurrency ?? 1),
  "problem-module": z.string().min(1).optional(),
  name: z.string().regex(/^[-\w.]+$/, "letters, digits, '-', '_' and '.' only").optional(),
});

export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    const parsed = parseArgs({
      args: argv,
      options: {
        nats: { type: "string" },
        concurrency: { type: "string" },
        "problem-module": { type: "string" },
        name: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    });
    if (parsed.values.help) {
      console.log(USAGE);
      return 0;
    }
    const checked = ArgsSchema.safeParse(parsed.values);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      throw new Error(`${issue.path.length ? `--${issue.path.join(".")}: ` : ""}${issue.message}`);
    }
    values = checked.data;
  } catch (e) {
    console.error(`error: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  let worker: NatsWorker;
  try {
    worker = await NatsWorker.start({
      nats: values.nats,
      concurrency: values.concurrency,
      problemModule: values["problem-module"],
      id: values.name,
    });
  } catch (e) {
    console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
  const stop = () => worker.stop();
  for (const signal of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(signal, stop);
  await worker.closed;
  console.error(`worker ${worker.id}: stopped after ${worker.done} rollout(s)`);
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));

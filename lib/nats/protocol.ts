/**
 * What a run and its remote workers agree on: names on the NATS server, message shapes (checked
 * with zod on arrival), the code they must share (a source hash), and how to connect.
 *
 *   tasks      stream TTT_ROLLOUTS (work queue, explicit acks), subject
 *              ttt.rollouts.<source hash>.<session>; one durable pull consumer per source hash,
 *              so a worker only ever receives rollouts of the code it runs.
 *   results    key-value bucket ttt_results, key <session>.<batch>.<task>, written
 *              create-if-absent: a redelivered rollout cannot count twice.
 *   liveness   workers publish a heartbeat on ttt.workers.<source hash> every second.
 */
import { createHash } from "node:crypto";
import { relative, resolve } from "node:path";
import { fileURLToPath as fromFileUrl, pathToFileURL } from "node:url";
import { z } from "zod";
import {
  type Authenticator,
  type ConnectionOptions,
  credsAuthenticator,
  type NatsConnection,
  nkeyAuthenticator,
} from "@nats-io/transport-node";
import { AckPolicy, type JetStreamManager, RetentionPolicy, StorageType } from "@nats-io/jetstream";
import { ProgramSchema } from "../grammar.ts";
import type { Problem } from "../problem.ts";
import { problemRegistry } from "../problem_module.ts";
import { DEFAULT_QUEUE, type QueueSettings, redact } from "./spec.ts";
export { redact } from "./spec.ts";

/** Bumped whenever a message shape changes; part of the source hash too. */
export const PROTOCOL = 1;
export const TOOLKIT_VERSION = "0.1.0";

export const STREAM = "TTT_ROLLOUTS";
export const SUBJECT_ROOT = "ttt.rollouts";
export const RESULTS_BUCKET = "ttt_results";
export const HEARTBEAT_ROOT = "ttt.workers";
export const HEARTBEAT_MS = 1000;
/** A run asks here, and every worker answers with a heartbeat at once. */
export const PING_SUBJECT = "ttt.workers.ping";
/** A worker is live while its last heartbeat is younger than this. */
export const LIVE_MS = 3500;

export const taskSubject = (hash: string, session: string) => `${SUBJECT_ROOT}.${hash}.${session}`;
export const consumerName = (hash: string) => `ttt-workers-${hash}`;
export const heartbeatSubject = (hash: string) => `${HEARTBEAT_ROOT}.hb.${hash}`;
export const maxDeliveriesAdvisory = (hash: string) =>
  `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${STREAM}.${consumerName(hash)}`;

/** One rollout as it travels to a worker. The id of the message (Nats-Msg-Id) is `key`. */
export const TaskMessageSchema = z.object({
  protocol: z.literal(PROTOCOL),
  key: z.string().regex(/^[-\w.=/]+$/),
  hash: z.string(),
  problem: z.string(),
  timeoutMs: z.number().positive(),
  task: z.object({
    id: z.number().int().nonnegative(),
    program: ProgramSchema,
    state: z.unknown(),
    seed: z.number().int(),
  }),
}).strict();
export type TaskMessage = z.infer<typeof TaskMessageSchema>;

const EvaluationSchema = z.object({
  valid: z.boolean(),
  value: z.number().nullable(),
  reward: z.number(),
  error: z.string().optional(),
}).strict();

/** A rollout's result as a worker writes it into the results bucket. */
export const ResultMessageSchema = z.object({
  protocol: z.literal(PROTOCOL),
  key: z.string(),
  worker: z.string(),
  result: z.object({
    id: z.number().int().nonnegative(),
    state: z.unknown().optional(),
    key: z.string().optional(),
    evaluation: EvaluationSchema,
    durationMs: z.number().nonnegative(),
    cutShort: z.boolean().optional(),
  }).strict(),
}).strict();
export type ResultMessage = z.infer<typeof ResultMessageSchema>;

export const HeartbeatSchema = z.object({
  protocol: z.number(),
  id: z.string(),
  host: z.string(),
  pid: z.number(),
  hash: z.string(),
  toolkit: z.string(),
  deno: z.string(),
  concurrency: z.number().int().nonnegative(),
  busy: z.number().int().nonnegative(),
  /** What the worker was started with beside the registry (`--problem-module`), if anything. */
  problemModule: z.string().optional(),
});
export type Heartbeat = z.infer<typeof HeartbeatSchema>;

/** The module a rollout worker thread starts from: its import graph is what a rollout can run. */
export const ROLLOUT_ENTRY = new URL("../worker.ts", import.meta.url).href;
const REPO_ROOT = fromFileUrl(new URL("../../", import.meta.url));

/**
 * A hash of the code a rollout runs: the contents of every local module in the import graph of
 * the rollout worker, of every registered problem's module and of `problemModule` if given, the npm packages
 * they use with their versions, the Deno version and the protocol. A run and a worker agree on it
 * or the worker never sees the run's rollouts. Paths count relative to the checkout, so two
 * machines with the same code in different folders agree. Read from disk at each call (a tenth
 * of a second): a checkout edited after a worker started gives a new hash to a run started after.
 */
export async function sourceHash(problemModule?: string): Promise<string> {
  return await computeSourceHash(problemModule);
}

const GraphSchema = z.object({
  modules: z.array(z.object({ specifier: z.string(), kind: z.string().optional() }).loose()),
  npmPackages: z.record(z.string(), z.unknown()).optional(),
}).loose();

async function computeSourceHash(problemModule?: string): Promise<string> {
  // The worker thread imports its problem's module at run time: every registered problem's module counts.
  const registered = new Set(Object.values(await problemRegistry()));
  const roots = [ROLLOUT_ENTRY, ...registered, ...(problemModule ? [moduleUrl(problemModule)] : [])];
  const files = new Map<string, string>();
  const packages = new Set<string>();
  const graphs = await Promise.all(roots.map((root) =>
    new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", root],
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output()
  ));
  for (const [i, out] of graphs.entries()) {
    const root = roots[i];
    if (!out.success) {
      throw new Error(
        `cannot read the module graph of ${root}: ${
          new TextDecoder().decode(out.stderr).trim().slice(0, 500)
        }`,
      );
    }
    const graph = GraphSchema.parse(JSON.parse(new TextDecoder().decode(out.stdout)));
    for (const m of graph.modules) {
      if (!m.specifier.startsWith("file:")) continue;
      const path = fromFileUrl(m.specifier);
      const rel = relative(REPO_ROOT, path);
      files.set(rel.startsWith("..") ? path.split("/").slice(-2).join("/") : rel, path);
    }
    for (const name of Object.keys(graph.npmPackages ?? {})) packages.add(name);
  }
  const h = createHash("sha256");
  h.update(`protocol ${PROTOCOL}\ndeno ${Deno.version.deno}\n`);
  for (const name of [...packages].sort()) h.update(`npm ${name}\n`);
  for (const [rel, path] of [...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    h.update(`file ${rel}\n`);
    h.update(await Deno.readFile(path));
    h.update("\n");
  }
  return h.digest("hex").slice(0, 16);
}

/** A module given as a path or a URL, as a URL. */
export function moduleUrl(module: string): string {
  return /^[a-z][a-z0-9+.-]*:/i.test(module) ? module : pathToFileURL(resolve(module)).href;
}

/** How to reach the server, read from the URL and the environment (never from argv, so no secret shows in ps). */
export const ConnectionEnvSchema = z.object({
  NATS_TOKEN: z.string().min(1).optional(),
  NATS_USER: z.string().min(1).optional(),
  NATS_PASSWORD: z.string().optional(),
  /** A credentials file (JWT + nkey seed), as `nsc` writes it. */
  NATS_CREDS: z.string().min(1).optional(),
  /** A file holding a user nkey seed (SU...). */
  NATS_NKEY: z.string().min(1).optional(),
  NATS_TLS_CA: z.string().min(1).optional(),
  NATS_TLS_CERT: z.string().min(1).optional(),
  NATS_TLS_KEY: z.string().min(1).optional(),
});

/**
 * Connection options for a server URL: `nats://host:4222` or `tls://host:4222`, credentials as
 * `nats://user:password@host` or `nats://token@host`, or from NATS_TOKEN, NATS_USER/NATS_PASSWORD,
 * NATS_CREDS (file), NATS_NKEY (seed file); TLS files from NATS_TLS_CA, NATS_TLS_CERT, NATS_TLS_KEY.
 */
export function connectionOptions(
  url: string,
  env: Record<string, string | undefined> = Deno.env.toObject(),
): ConnectionOptions & { servers: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`${url} is not a NATS URL (expected nats://host:4222 or tls://host:4222)`);
  }
  if (!["nats:", "tls:"].includes(parsed.protocol)) {
    throw new Error(`${redact(url)}: expected a nats:// or tls:// URL`);
  }
  const settings = ConnectionEnvSchema.parse(env);
  const options: ConnectionOptions & { servers: string } = {
    servers: `${parsed.protocol}//${parsed.host || "127.0.0.1:4222"}`,
    name: "ttt-discover",
  };
  const user = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  if (user && password) Object.assign(options, { user, pass: password });
  else if (user) options.token = user;
  else if (settings.NATS_TOKEN) options.token = settings.NATS_TOKEN;
  else if (settings.NATS_USER) {
    Object.assign(options, { user: settings.NATS_USER, pass: settings.NATS_PASSWORD });
  }
  const authenticators: Authenticator[] = [];
  if (settings.NATS_CREDS) authenticators.push(credsAuthenticator(Deno.readFileSync(settings.NATS_CREDS)));
  if (settings.NATS_NKEY) {
    const seed = new TextEncoder().encode(Deno.readTextFileSync(settings.NATS_NKEY).trim());
    authenticators.push(nkeyAuthenticator(seed));
  }
  if (authenticators.length) options.authenticator = authenticators;
  if (parsed.protocol === "tls:" || settings.NATS_TLS_CA || settings.NATS_TLS_CERT) {
    options.tls = {
      ...(settings.NATS_TLS_CA ? { caFile: settings.NATS_TLS_CA } : {}),
      ...(settings.NATS_TLS_CERT ? { certFile: settings.NATS_TLS_CERT } : {}),
      ...(settings.NATS_TLS_KEY ? { keyFile: settings.NATS_TLS_KEY } : {}),
    };
  }
  return options;
}

/** A connection failure as a sentence that says what to do. */
export function connectError(url: string, e: unknown): Error {
  const message = e instanceof Error ? e.message : String(e);
  const where = redact(url);
  if (/refused|ECONNREFUSED|ENOTFOUND|getaddrinfo|timeout|TIMEOUT/i.test(message)) {
    return new Error(
      `cannot reach a NATS server at ${where} (${message}); start one with \`nats-server -js\` ` +
        "or check the host and port",
    );
  }
  if (/authoriz|authentic|auth/i.test(message)) {
    return new Error(
      `the NATS server at ${where} refused the credentials (${message}): give them in the URL ` +
        "(nats://user:password@host, nats://token@host) or in NATS_TOKEN, NATS_USER/NATS_PASSWORD, " +
        "NATS_CREDS or NATS_NKEY",
    );
  }
  return new Error(`cannot connect to the NATS server at ${where}: ${message}`);
}

/** A task left in the queue this long is dropped by the server (a backstop; runs remove their own). */
const TASK_MAX_AGE_NS = 7 * 24 * 3600 * 1e9;

/** Checks that the server has JetStream, then makes (or checks) the stream and this code's consumer. */
export async function ensureQueue(
  nc: NatsConnection,
  url: string,
  hash: string,
  queue?: QueueSettings,
): Promise<JetStreamManager> {
  const { jetstreamManager } = await import("@nats-io/jetstream");
  let jsm: JetStreamManager;
  try {
    jsm = await jetstreamManager(nc);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (
      /jetstream.*not.*enabled|not enabled/i.test(message) || (e as Error)?.name === "JetStreamNotEnabled"
    ) {
      throw new Error(
        `the NATS server at ${redact(url)} has no JetStream (${message}): start it with ` +
          "`nats-server -js` (or `jetstream {}` in its config)",
      );
    }
    throw new Error(`cannot use JetStream on ${redact(url)}: ${message}`);
  }
  try {
    const info = await jsm.streams.info(STREAM);
    if (info.config.retention !== RetentionPolicy.Workqueue) {
      throw new Error(
        `stream ${STREAM} on ${redact(url)} exists with ${info.config.retention} retention, not a work ` +
          "queue: it was made by something else; remove it or use another server",
      );
    }
  } catch (e) {
    if (!isNotFound(e)) throw e;
    try {
      await jsm.streams.add({
        name: STREAM,
        subjects: [`${SUBJECT_ROOT}.>`],
        retention: RetentionPolicy.Workqueue,
        storage: StorageType.File,
        max_age: TASK_MAX_AGE_NS,
        duplicate_window: 120e9,
      });
    } catch (e) {
      // Another run or worker made it first.
      if (!/already in use|exists/i.test(String(e))) throw e;
    }
  }
  const name = consumerName(hash);
  let current;
  try {
    current = await jsm.consumers.info(STREAM, name);
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  const wanted = queue ?? DEFAULT_QUEUE;
  if (!current) {
    try {
      await jsm.consumers.add(STREAM, {
        durable_name: name,
        ack_policy: AckPolicy.Explicit,
        ack_wait: wanted.ackWaitMs * 1e6,
        max_deliver: wanted.maxDeliver,
        filter_subject: `${SUBJECT_ROOT}.${hash}.>`,
        max_ack_pending: -1,
        max_waiting: 4096,
      });
    } catch (e) {
      if (!/already in use|exists/i.test(String(e))) throw e;
    }
  } else if (
    queue &&
    (current.config.ack_wait !== queue.ackWaitMs * 1e6 || current.config.max_deliver !== queue.maxDeliver)
  ) {
    // The run sets the lease and the delivery count; workers only make the consumer when it is missing.
    await jsm.consumers.update(STREAM, name, {
      ack_wait: queue.ackWaitMs * 1e6,
      max_deliver: queue.maxDeliver,
    });
  }
  return jsm;
}

function isNotFound(e: unknown): boolean {
  return /not found/i.test(e instanceof Error ? e.message : String(e));
}

/**
 * Live runs: each run keeps its session's key fresh here; a worker skips the rollouts of a run
 * whose key has expired (the run crashed or was killed), so a dead run's queue costs nothing.
 */
export const RUNS_BUCKET = "ttt_runs";
export const RUN_BEAT_MS = 5_000;
export const RUN_TTL_MS = 30_000;

export async function openRuns(nc: NatsConnection) {
  const { Kvm } = await import("@nats-io/kv");
  return await new Kvm(nc).create(RUNS_BUCKET, { history: 1, ttl: RUN_TTL_MS });
}

/** Results live an hour at most: a run reads each batch's as they land and removes them after. */
export const RESULTS_TTL_MS = 3600_000;

/** The results bucket, made when missing. */
export async function openResults(nc: NatsConnection) {
  const { Kvm } = await import("@nats-io/kv");
  return await new Kvm(nc).create(RESULTS_BUCKET, { history: 1, ttl: RESULTS_TTL_MS });
}

/** A key-value create that lost to an earlier one (the key exists): the rollout was already done. */
export function isAlreadyWritten(e: unknown): boolean {
  return /wrong last sequence|key exists/i.test(e instanceof Error ? e.message : String(e));
}

/** For problems defined outside the registry: is this export a problem? */
export function isProblem(value: unknown): value is Problem {
  const p = value as Partial<Problem> | null;
  return typeof p?.name === "string" && typeof p.evaluate === "function" && typeof p.apply === "function";
}

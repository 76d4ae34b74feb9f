/**
 * Where `--executor` and `discover({ executor })` send rollouts, checked without loading the NATS
 * client (so a local run never loads it): a NATS URL with optional query parameters, or options.
 */
import { z } from "zod";

export interface QueueSettings {
  /** How long a worker holds a rollout without a sign of life before it goes to another worker. */
  readonly ackWaitMs: number;
  /** Deliveries before a rollout no worker finishes is recorded invalid. */
  readonly maxDeliver: number;
}

export const DEFAULT_QUEUE: QueueSettings = { ackWaitMs: 30_000, maxDeliver: 4 };
/** A URL as it may be printed: without its password or token. */
export function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, "//");
}

export const NatsExecutorOptionsSchema = z.object({
  /** nats://host:4222 or tls://host:4222 (credentials may be in it; see connectionOptions). */
  nats: z.string().min(1),
  /** Lease of a rollout on a worker (seconds) before the server hands it to another. */
  ackWaitSeconds: z.number().positive().max(3600).default(DEFAULT_QUEUE.ackWaitMs / 1000),
  /** Deliveries before a rollout that no worker finishes is recorded invalid. */
  maxDeliver: z.number().int().min(1).max(100).default(DEFAULT_QUEUE.maxDeliver),
  /** Seconds without a live worker of this run's code (while rollouts wait) before the step fails. */
  noWorkerSeconds: z.number().positive().max(86_400).default(60),
  /** Seconds to wait for the server when connecting. */
  connectSeconds: z.number().positive().max(600).default(5),
  /** Recompute each remote verdict with the problem's verifier here (a worker is not trusted). */
  verify: z.boolean().default(true),
}).strict();
export type NatsExecutorOptions = z.output<typeof NatsExecutorOptionsSchema>;

/** Query parameters of an executor URL, e.g. nats://host:4222?ack_wait=30&no_worker=60. */
const QUERY: Record<string, keyof NatsExecutorOptions> = {
  ack_wait: "ackWaitSeconds",
  max_deliver: "maxDeliver",
  no_worker: "noWorkerSeconds",
  connect_timeout: "connectSeconds",
  verify: "verify",
};

/** An executor spec (a URL with optional query parameters, or an options object) as checked options. */
export function parseExecutorSpec(spec: string | Record<string, unknown>): NatsExecutorOptions {
  let input: Record<string, unknown>;
  if (typeof spec === "string") {
    let url: URL;
    try {
      url = new URL(spec);
    } catch {
      throw new Error(`--executor ${redact(spec)}: expected "local" or a NATS URL such as nats://host:4222`);
    }
    if (url.protocol !== "nats:" && url.protocol !== "tls:") {
      throw new Error(`--executor ${redact(spec)}: expected "local" or a nats:// or tls:// URL`);
    }
    input = {};
    for (const [name, value] of url.searchParams) {
      const field = QUERY[name];
      if (!field) {
        throw new Error(
          `--executor: unknown parameter "${name}" (known: ${Object.keys(QUERY).join(", ")})`,
        );
      }
      input[field] = field === "verify" ? value !== "false" && value !== "0" : Number(value);
    }
    url.search = "";
    input.nats = url.href.replace(/\/$/, "");
  } else input = spec;
  const parsed = NatsExecutorOptionsSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`executor option ${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data;
}

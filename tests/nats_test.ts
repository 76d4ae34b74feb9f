/**
 * Remote rollouts through NATS JetStream (lib/nats/): each test starts its own nats-server on
 * 127.0.0.1 (a free port, a temporary store) and real worker processes (`lib/nats/worker.ts`).
 */
import { join } from "node:path";
import pl from "nodejs-polars";
import { connect, nkeys } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { RunConfigInput } from "../lib/config.ts";
import { NatsExecutor, parseExecutorSpec } from "../lib/nats/executor.ts";
import {
  consumerName,
  type Heartbeat,
  heartbeatSubject,
  openResults,
  openRuns,
  PROTOCOL,
  ResultMessageSchema,
  sourceHash,
  STREAM,
  type TaskMessage,
  TaskMessageSchema,
  taskSubject,
} from "../lib/nats/protocol.ts";
import { type LocalServer, startLocalServer } from "../lib/nats/local_server.ts";
import type { RolloutTask } from "../lib/rollout.ts";
import { tempDir } from "./temp_dirs.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { toy } from "./toy_problem.ts";
import { bigToy, slowToy } from "./nats_problems.ts";
import { reproducibleErdos, runToEnd } from "./runs.ts";

const WORKER = new URL("../lib/nats/worker.ts", import.meta.url).pathname;
const MODULE = new URL("./nats_problems.ts", import.meta.url).href;
/** The toy problem's module: an executor for it runs no worker process of its own here. */
const TOY = {
  problem: toy,
  problemModule: new URL("./toy_problem.ts", import.meta.url).href,
  timeoutMs: 5000,
  threads: 0,
};
const opts = { sanitizeOps: false, sanitizeResources: false };

// A connection the server refuses (wrong credentials, a TLS handshake without the CA) leaves the
// NATS client's raw socket behind, and on a loaded machine it can report ECONNRESET after the
// test that made it has passed; the refusal itself is asserted where it happens. Any other
// uncaught error still fails the module.
globalThis.addEventListener("error", (event) => {
  if ((event.error as { code?: string } | undefined)?.code === "ECONNRESET") event.preventDefault();
});

interface WorkerProcess {
  readonly child: Deno.ChildProcess;
  log(): string;
  /** Resolves once the worker serves the queue; rejects if it exits first. */
  readonly ready: Promise<void>;
  stop(signal?: Deno.Signal): Promise<Deno.CommandStatus>;
}

function startWorker(url: string, ...args: string[]): WorkerProcess {
  return startWorkerWith({}, url, ...args);
}

/** A worker process with more in its environment than this process has. */
function startWorkerWith(env: Record<string, string>, url: string, ...args: string[]): WorkerProcess {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", WORKER, "--nats", url, "--concurrency", "1", ...args],
    env,
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let log = "";
  let onLine: (() => void) | undefined;
  const reading = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stderr) {
      log += decoder.decode(chunk);
      onLine?.();
    }
  })().catch(() => {});
  const ready = new Promise<void>((resolve, reject) => {
    onLine = () => /serving/.test(log) && resolve();
    child.status.then((s) => reject(new Error(`worker exited (${s.code}) before serving: ${log}`)));
  });
  ready.catch(() => {});
  return {
    child,
    log: () => log,
    ready,
    async stop(signal: Deno.Signal = "SIGTERM") {
      try {
        child.kill(signal);
      } catch { /* already gone */ }
      const status = await child.status;
      await reading;
      return status;
    },
  };
}

/** A run's attempts and states from its Parquet files, without what depends on the machine (durations). */
function tables(dir: string) {
  const attempts = pl.readParquet(join(dir, "attempts.parquet")).drop("duration_ms")
    .sort(["step", "group", "rollout"]).toRecords();
  const states = pl.readParquet(join(dir, "states.parquet")).sort("id").toRecords();
  return { attempts, states };
}

async function withServer<T>(
  options: Parameters<typeof startLocalServer>[0],
  body: (server: LocalServer) => Promise<T>,
): Promise<T> {
  const server = await startLocalServer(options);
  try {
    return await body(server);
  } finally {
    await server.stop();
  }
}

const erdos = reproducibleErdos;

Deno.test("a 3-step Erdős run on 2 worker processes is row for row the local run", opts, async () => {
  await withServer({}, async (server) => {
    const workers = [startWorker(server.url), startWorker(server.url)];
    try {
      // The run right after the workers start: both hash the checkout, which must not change in between.
      await Promise.all(workers.map((w) => w.ready));
      const seen: number[] = [];
      const remote = await runToEnd({
        config: erdos,
        out: tempDir(),
        executor: server.url,
        onRollout: (_done, _total, status) => seen.push(status?.workers ?? -1),
      });
      const local = await runToEnd({ config: { ...erdos, workers: 2 }, out: tempDir() });
      const a = tables(local.summary.runDir!), b = tables(remote.summary.runDir!);
      assertEquals(b.attempts.length, 3 * 3 * 6);
      assert(!b.attempts.some((r) => r.cut_short), "a rollout ran into its deadline");
      assertEquals(b.attempts, a.attempts);
      assertEquals(b.states, a.states);
      assertEquals(remote.summary.best, local.summary.best);
      // Progress sees both workers (a heartbeat late on a loaded machine may hide one for a moment).
      assertEquals(Math.max(...seen), 2, `progress saw ${[...new Set(seen)]} live workers`);
      for (const w of workers) assert(/source [0-9a-f]{16}/.test(w.log()), w.log());
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
  });
});

Deno.test("a worker SIGKILLed mid-step loses nothing: every rollout appears exactly once", opts, async () => {
  const config: RunConfigInput = {
    problem: "slow-toy",
    steps: 2,
    groups: 2,
    groupSize: 6,
    seed: 5,
    rolloutTimeoutSeconds: 60,
  };
  const local = await runToEnd({ config: { ...config, workers: 0 }, problem: slowToy, out: tempDir() });
  await withServer({}, async (server) => {
    // Worker a's rollouts outlast the test, so when it is killed it holds every rollout it took (it
    // took some: b has 2 slots and the step queues 12); killed at a fixed count of results instead,
    // it could be caught between acking its last result and taking the next, holding nothing.
    const a = startWorkerWith(
      { SLOW_TOY_MS: "600000" },
      server.url,
      "--problem-module",
      MODULE,
      "--concurrency",
      "2",
    );
    const b = startWorker(server.url, "--problem-module", MODULE, "--concurrency", "2");
    try {
      await Promise.all([a.ready, b.ready]);
      let killed: Promise<Deno.CommandStatus> | undefined;
      const remote = await runToEnd({
        config,
        problem: slowToy,
        problemModule: MODULE,
        out: tempDir(),
        executor: `${server.url}?ack_wait=1.5&no_worker=30`,
        onRollout: (done) => {
          // Two results, both b's: a has held its rollouts since the step began.
          if (done === 2 && !killed) killed = a.stop("SIGKILL");
        },
      });
      assertEquals((await killed!).signal, "SIGKILL");
      const { attempts, states } = tables(remote.summary.runDir!);
      const ids = attempts.map((r) => `${r.step}.${r.group}.${r.rollout}`);
      assertEquals(ids.length, 24);
      assertEquals(new Set(ids).size, 24);
      assertEquals({ attempts, states }, tables(local.summary.runDir!));
      // The server delivered the rollouts the killed worker held twice.
      const nc = await connect({ servers: server.url });
      const jsm = await jetstreamManager(nc);
      const consumers = await jsm.consumers.list(STREAM).next();
      const delivered = consumers.reduce((s, c) => s + c.delivered.consumer_seq, 0);
      await nc.close();
      assert(delivered > 24, `only ${delivered} deliveries for 24 rollouts: nothing was redelivered`);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});

Deno.test(
  "no server, or a server without JetStream: a clear error before anything is written",
  opts,
  async () => {
    const out = tempDir();
    const port = (() => {
      const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const p = (l.addr as Deno.NetAddr).port;
      l.close();
      return p;
    })();
    const started = performance.now();
    await assertRejects(
      () => runToEnd({ config: { ...erdos, steps: 1 }, out, executor: `nats://127.0.0.1:${port}` }),
      /cannot reach a NATS server at nats:\/\/127\.0\.0\.1:\d+ .*nats-server -js/,
    );
    assert(performance.now() - started < 10_000);
    assertEquals([...Deno.readDirSync(out)].length, 0, "a run directory was made");
    const worker = startWorker(`nats://127.0.0.1:${port}`);
    assertEquals((await worker.child.status).code, 1);
    assert(/cannot reach a NATS server/.test((await worker.stop(), worker.log())), worker.log());

    await withServer({ jetstream: false }, async (server) => {
      await assertRejects(
        () => runToEnd({ config: { ...erdos, steps: 1 }, out, executor: server.url }),
        /has no JetStream .*nats-server -js/,
      );
      const w = startWorker(server.url);
      assertEquals((await w.child.status).code, 1);
      assert(/has no JetStream/.test((await w.stop(), w.log())), w.log());
    });
    assertEquals([...Deno.readDirSync(out)].length, 0, "a run directory was made");
  },
);

Deno.test(
  "credentials: user and password in the URL, an nkey seed file, TLS with a CA file",
  opts,
  async () => {
    const job = TOY;
    await withServer({ user: { name: "ttt", password: "pw" } }, async (server) => {
      await assertRejects(
        () => NatsExecutor.connect(parseExecutorSpec(server.url.replace("//", "//ttt:nope@")), job),
        /refused the credentials/,
      );
      await (await NatsExecutor.connect(parseExecutorSpec(server.url.replace("//", "//ttt:pw@")), job))
        .close();
    });
    const user = nkeys.createUser();
    const seedFile = join(tempDir(), "user.nk");
    Deno.writeTextFileSync(seedFile, new TextDecoder().decode(user.getSeed()));
    await withServer({ nkey: user.getPublicKey() }, async (server) => {
      await assertRejects(
        () => NatsExecutor.connect(parseExecutorSpec(server.url), job),
        /refused the credentials/,
      );
      Deno.env.set("NATS_NKEY", seedFile);
      try {
        await (await NatsExecutor.connect(parseExecutorSpec(server.url), job)).close();
      } finally {
        Deno.env.delete("NATS_NKEY");
      }
    });
    // A CA and a server certificate for 127.0.0.1, made here with openssl.
    const dir = tempDir();
    const openssl = (...args: string[]) => {
      const out = new Deno.Command("openssl", { args, stdout: "null", stderr: "piped" }).outputSync();
      if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
    };
    const key = (name: string) => ["-newkey", "rsa:2048", "-nodes", "-keyout", `${dir}/${name}.key`];
    openssl("req", "-x509", ...key("ca"), "-days", "1", "-subj", "/CN=ttt test CA", "-out", `${dir}/ca.pem`);
    openssl("req", ...key("server"), "-subj", "/CN=127.0.0.1", "-out", `${dir}/server.csr`);
    // Deno's node:tls checks a connection to an IP address against the name "localhost" (2.9).
    Deno.writeTextFileSync(`${dir}/ext.cnf`, "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
    openssl(
      ...["x509", "-req", "-in", `${dir}/server.csr`, "-CA", `${dir}/ca.pem`, "-CAkey", `${dir}/ca.key`],
      ...["-CAcreateserial", "-days", "1", "-extfile", `${dir}/ext.cnf`, "-out", `${dir}/server.pem`],
    );
    await withServer(
      { tls: { certFile: `${dir}/server.pem`, keyFile: `${dir}/server.key` } },
      async (server) => {
        assert(server.url.startsWith("tls://"));
        await assertRejects(
          () => NatsExecutor.connect(parseExecutorSpec(server.url), job),
          /NATS server at tls:\/\//,
        );
        Deno.env.set("NATS_TLS_CA", `${dir}/ca.pem`);
        try {
          await (await NatsExecutor.connect(parseExecutorSpec(server.url), job)).close();
        } finally {
          Deno.env.delete("NATS_TLS_CA");
        }
      },
    );
  },
);

Deno.test("credentials: a wrong token is refused with a clear error, the right one works", opts, async () => {
  await withServer({ token: "s3cret" }, async (server) => {
    const job = TOY;
    await assertRejects(
      () => NatsExecutor.connect(parseExecutorSpec(server.url.replace("//", "//wrong@")), job),
      /refused the credentials/,
    );
    const executor = await NatsExecutor.connect(
      parseExecutorSpec(server.url.replace("//", "//s3cret@")),
      job,
    );
    assertEquals(executor.status(), { kind: "nats", workers: 0, inFlight: 0 });
    await executor.close();
  });
});

Deno.test(
  "no live worker, or only workers of other code: the step fails with a clear timeout",
  opts,
  async () => {
    await withServer({}, async (server) => {
      const started = performance.now();
      await assertRejects(
        () =>
          runToEnd({
            config: { ...erdos, steps: 1 },
            executor: `${server.url}?no_worker=1`,
          }),
        /no rollout worker for this run has been live for 1 s .*deno task worker --nats/,
      );
      assert(performance.now() - started < 15_000);
      // A worker of the registry's code cannot serve a run of another module's code.
      const other = startWorker(server.url, "--name", "old-one");
      try {
        await other.ready;
        const error = await assertRejects(
          () =>
            runToEnd({
              config: { problem: "slow-toy", steps: 1, groups: 1, groupSize: 2 },
              problem: slowToy,
              problemModule: MODULE,
              executor: `${server.url}?no_worker=2`,
            }),
          /1 worker\(s\) are connected but run other code/,
        );
        assert(/old-one on .*: source [0-9a-f]{16}, deno /.test(error.message), error.message);
      } finally {
        await other.stop();
      }
    });
  },
);

Deno.test(
  "a result too large for the server is an invalid attempt with the reason; the run goes on",
  opts,
  async () => {
    await withServer({ maxPayload: 64 * 1024 }, async (server) => {
      const worker = startWorker(server.url, "--problem-module", MODULE);
      try {
        await worker.ready;
        const { reports } = await runToEnd({
          config: {
            problem: "big-toy",
            steps: 2,
            groups: 1,
            groupSize: 2,
            seed: 1,
            rolloutTimeoutSeconds: 60,
          },
          problem: bigToy,
          problemModule: MODULE,
          executor: server.url,
        });
        const attempts = reports.flatMap((r) => r.attempts);
        assertEquals(attempts.length, 4);
        for (const a of attempts) {
          assert(!a.valid);
          // The toy's own failing operators fail before a state exists; every other attempt is too large.
          assert(
            /over what the NATS server takes in one message \(max_payload 65536\)|always fails/.test(a.error),
            a.error,
          );
        }
        assert(attempts.some((a) => /max_payload/.test(a.error)));
        // A start state too large to send: invalid at once, without waiting for a worker.
        const executor = await NatsExecutor.connect(parseExecutorSpec(`${server.url}?no_worker=30`), {
          problem: bigToy,
          problemModule: MODULE,
          timeoutMs: 5000,
          threads: 0,
        });
        const huge = { x: 1, pad: Array.from({ length: 20_000 }, (_, i) => i / 7) };
        const program = [{ op: "add", params: { delta: 1 } }];
        const [big] = await executor.run([{ id: 0, program, state: huge, seed: 1 }]);
        await executor.close();
        assert(/the rollout's task is \d+ bytes, over .*max_payload 65536/.test(big.evaluation.error ?? ""));
      } finally {
        await worker.stop();
      }
    });
  },
);

/** A stand-in for a worker that takes this executor's rollouts and answers with `answer`. */
async function fakeWorker(
  url: string,
  hash: string,
  answer: (task: ReturnType<typeof TaskMessageSchema.parse>, index: number) => string | undefined,
) {
  const nc = await connect({ servers: url });
  const js = jetstream(nc);
  const kv = await openResults(nc);
  const consumer = await js.consumers.get(STREAM, consumerName(hash));
  const beat: Heartbeat = {
    protocol: PROTOCOL,
    id: "fake",
    host: "test",
    pid: 0,
    hash,
    toolkit: "test",
    deno: Deno.version.deno,
    concurrency: 1,
    busy: 0,
  };
  const timer = setInterval(() => nc.publish(heartbeatSubject(hash), JSON.stringify(beat)), 200);
  nc.publish(heartbeatSubject(hash), JSON.stringify(beat));
  let stopped = false, n = 0;
  const loop = (async () => {
    while (!stopped) {
      const msg = await consumer.next({ expires: 1000 }).catch(async () => {
        await new Promise((r) => setTimeout(r, 200)); // never a busy loop
        return null;
      });
      if (!msg) continue;
      const task = TaskMessageSchema.parse(msg.json());
      const data = answer(task, n++);
      if (data === undefined) msg.nak(); // fails on every delivery
      else {
        await kv.create(task.key, data);
        msg.ack();
      }
    }
  })();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await loop;
    await nc.close();
  };
}

const toyTasks = (n: number): RolloutTask[] =>
  Array.from({ length: n }, (_, id) => ({
    id,
    program: [{ op: "add", params: { delta: 1 } }],
    state: { x: id },
    seed: id,
  }));

Deno.test(
  "malformed, lying and never-finished results are invalid attempts with their reasons",
  opts,
  async () => {
    await withServer({}, async (server) => {
      const executor = await NatsExecutor.connect(
        parseExecutorSpec(`${server.url}?ack_wait=0.5&max_deliver=2&no_worker=20`),
        TOY,
      );
      const stop = await fakeWorker(server.url, executor.hash, (task) => {
        const result = (evaluation: unknown, extra = {}) =>
          JSON.stringify({
            protocol: PROTOCOL,
            key: task.key,
            worker: "fake",
            result: { id: task.task.id, evaluation, durationMs: 1, ...extra },
          });
        switch (task.task.id) {
          case 0:
            return "this is not JSON";
          case 1:
            return JSON.stringify({ protocol: PROTOCOL, key: task.key, worker: "fake", result: { id: 1 } });
          case 2: // x = 2 + 1 = 3: value |3 - 7| + 1 = 5, not 1
            return result({ valid: true, value: 1, reward: 1 }, { state: { x: 3 }, key: "3" });
          case 3:
            return undefined;
          case 4:
            return result({ valid: true, value: 3, reward: 1 / 3 }, { state: { x: 5 }, key: "5" });
          default:
            return JSON.stringify({ protocol: PROTOCOL + 1 });
        }
      });
      try {
        const results = await executor.run(toyTasks(6));
        const errors = results.map((r) => r.evaluation.error ?? "");
        assert(/malformed result from a worker/.test(errors[0]), errors[0]);
        assert(/malformed result .*result\.evaluation/.test(errors[1]), errors[1]);
        assert(
          /worker fake reported value 1 .* but the verifier here gives value 5/.test(errors[2]),
          errors[2],
        );
        assert(/no worker finished this rollout in 2 deliveries/.test(errors[3]), errors[3]);
        assertEquals(results[4].evaluation, { valid: true, value: 3, reward: 1 / 3 });
        assertEquals(results[4].state, { x: 5 });
        assert(/malformed result from a worker .*protocol/.test(errors[5]), errors[5]);
        assertEquals(results.map((r) => r.id), [0, 1, 2, 3, 4, 5]);
      } finally {
        await stop();
        await executor.close();
      }
    });
  },
);

Deno.test(
  "deno task run --executor: a bad URL is a usage error (2), an unreachable server one line (1)",
  opts,
  async () => {
    const cli = new URL("../lib/cli.ts", import.meta.url).pathname;
    const run = async (...args: string[]) => {
      const { code, stderr } = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", cli, "erdos", "--steps", "1", "--out", tempDir(), ...args],
        stdout: "null",
        stderr: "piped",
      }).output();
      return { code, stderr: new TextDecoder().decode(stderr) };
    };
    const ftp = await run("--executor", "ftp://example.org");
    assertEquals(ftp.code, 2, ftp.stderr);
    assert(
      /--executor ftp:\/\/example\.org: expected "local" or a nats:\/\/ or tls:\/\/ URL/.test(ftp.stderr),
    );
    const knob = await run("--executor", "nats://127.0.0.1:4222?ackwait=3");
    assertEquals(knob.code, 2, knob.stderr);
    assert(/unknown parameter "ackwait"/.test(knob.stderr), knob.stderr);
    const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (l.addr as Deno.NetAddr).port;
    l.close();
    const down = await run("--executor", `nats://user:hunter2@127.0.0.1:${port}`);
    assertEquals(down.code, 1, down.stderr);
    assertEquals(down.stderr.trim().split("\n").length, 1, down.stderr);
    assert(/^error: cannot reach a NATS server at nats:\/\/127\.0\.0\.1:\d+ /.test(down.stderr), down.stderr);
    assert(!down.stderr.includes("hunter2"), "the password was printed");
  },
);

Deno.test(
  "a worker skips rollouts of a run that is gone, and refuses those of other code",
  opts,
  async () => {
    await withServer({}, async (server) => {
      const worker = startWorker(server.url, "--problem-module", MODULE);
      const nc = await connect({ servers: server.url });
      try {
        await worker.ready;
        const hash = await sourceHash(MODULE);
        const kv = await openResults(nc);
        const runs = await openRuns(nc);
        await runs.put("alive0000000000", "{}");
        const ask = async (session: string, taskHash: string) => {
          const key = `${session}.0.0`;
          const message: TaskMessage = {
            protocol: PROTOCOL,
            key,
            hash: taskHash,
            problem: "slow-toy",
            timeoutMs: 5000,
            task: { id: 0, program: [{ op: "add", params: { delta: 1 } }], state: { x: 0 }, seed: 1 },
          };
          await jetstream(nc).publish(taskSubject(hash, session), JSON.stringify(message), { msgID: key });
          const watch = await kv.watch({ key });
          for await (const entry of watch) {
            watch.stop();
            return ResultMessageSchema.parse(entry.json()).result;
          }
          throw new Error("no result");
        };
        const gone = await ask("gone00000000000", hash);
        assert(
          /the run that queued it has not been seen for 30 s/.test(gone.evaluation.error ?? ""),
          gone.evaluation.error,
        );
        const other = await ask("alive0000000000", "0000000000000000");
        assert(
          /refuses a rollout of source 0000000000000000: it runs source/.test(other.evaluation.error ?? ""),
        );
        assertEquals([gone.state, other.state], [undefined, undefined]);
      } finally {
        await nc.close();
        await worker.stop();
      }
    });
  },
);

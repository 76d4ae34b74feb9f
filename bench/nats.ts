/**
 * Remote rollouts through NATS JetStream (lib/nats/), on loopback with a throwaway nats-server
 * (or `--nats URL` for a server of yours). Worker processes are started and stopped here.
 *
 *   1. overhead: 1,000 trivial rollouts one at a time (the toy walk, one `add` move) on one worker
 *      process; per rollout, the wall time of executor.run minus the rollout's own time on the
 *      worker: median, p90, p99. The same for the local pool (one thread) for comparison.
 *   2. queue rate: 2,000 trivial rollouts in one batch on 2 workers x 4 slots (rollouts/s).
 *   3. throughput on a CPU-bound problem: the same Erdős rollouts (two descend moves of 3,000 Adam
 *      steps on 600 pieces, about a second each; one per seed) on 1 worker process vs 2 (one slot
 *      each), and on 1 vs 2 local threads for what the machine itself gives; rollouts/s and ratio.
 *   4. sizes: task and result messages of an Erdős rollout at 200, 600 and 3,584 pieces (what a
 *      100-machine run sends per step), and what re-verifying a step's 512 results costs the run.
 *
 * `deno task bench nats [--nats URL] [--rollouts 1000] [--cpu-rollouts 24] [--rounds 1] [--skip-overhead] [--skip-cpu]`
 */
import { parseArgs } from "node:util";
import { NatsExecutor, parseExecutorSpec } from "../lib/nats/executor.ts";
import { startLocalServer } from "../lib/nats/local_server.ts";
import { RolloutPool } from "../lib/pool.ts";
import type { RolloutTask } from "../lib/rollout.ts";
import type { Executor } from "../lib/executor.ts";
import { loadProblem } from "../lib/problem_module.ts";
import { Rng } from "../lib/rng.ts";
import { toy } from "../tests/toy_problem.ts";
import { PROTOCOL } from "../lib/nats/protocol.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    nats: { type: "string" },
    rollouts: { type: "string", default: "1000" },
    "cpu-rollouts": { type: "string", default: "24" },
    "skip-overhead": { type: "boolean" },
    "skip-cpu": { type: "boolean" },
    rounds: { type: "string", default: "1" },
  },
});
const ROLLOUTS = Number(values.rollouts);
const CPU_ROLLOUTS = Number(values["cpu-rollouts"]);
const ROUNDS = Number(values.rounds);
const TOY_MODULE = new URL("../tests/toy_problem.ts", import.meta.url).href;
const WORKER = new URL("../lib/nats/worker.ts", import.meta.url).pathname;

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))];
const fmt = (x: number) => x.toFixed(2);

const server = values.nats ? undefined : await startLocalServer();
const url = values.nats ?? server!.url;
const children: Deno.ChildProcess[] = [];

/** Starts worker processes and waits until each serves the queue. */
async function workers(n: number, concurrency: number, module?: string): Promise<Deno.ChildProcess[]> {
  const started = Array.from({ length: n }, () => {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        WORKER,
        "--nats",
        url,
        "--concurrency",
        String(concurrency),
        ...(module ? ["--problem-module", module] : []),
      ],
      stdout: "null",
      stderr: "piped",
    }).spawn();
    children.push(child);
    return child;
  });
  await Promise.all(started.map(async (child) => {
    const decoder = new TextDecoder();
    let log = "";
    const reader = child.stderr.getReader();
    while (!/serving/.test(log)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`worker exited: ${log}`);
      log += decoder.decode(value);
    }
    // Keep draining, so the worker never blocks on a full pipe.
    (async () => {
      while (!(await reader.read()).done);
    })().catch(() => {});
  }));
  return started;
}

async function stop(list: Deno.ChildProcess[]): Promise<void> {
  for (const child of list) {
    try {
      child.kill("SIGTERM");
    } catch { /* gone */ }
  }
  await Promise.all(list.map((c) => c.status));
}

const load = () => Deno.loadavg().map((x) => x.toFixed(1)).join(" ");
console.log(`NATS bench on ${url} (${navigator.hardwareConcurrency} cores, load ${load()})`);

try {
  // 1. Overhead of one trivial rollout.
  if (!values["skip-overhead"]) {
    const task = (id: number): RolloutTask => ({
      id: 0,
      program: [{ op: "add", params: { delta: 1 } }],
      state: { x: id % 5 },
      seed: id,
    });
    const measure = async (executor: Executor) => {
      for (let i = 0; i < 20; i++) await executor.run([task(i)]); // warm up
      const overheads: number[] = [], walls: number[] = [];
      for (let i = 0; i < ROLLOUTS; i++) {
        const t = performance.now();
        const [r] = await executor.run([task(i)]);
        const wall = performance.now() - t;
        if (!r.evaluation.valid) throw new Error(`trivial rollout invalid: ${r.evaluation.error}`);
        walls.push(wall);
        overheads.push(wall - r.durationMs);
      }
      return { overheads, walls };
    };
    // The trivial problem's job, for the overhead and the queue-rate measurements.
    const toyJob = { problem: toy, problemModule: TOY_MODULE, timeoutMs: 10_000, threads: 0 };
    const one = await workers(1, 1, TOY_MODULE);
    const nats = await NatsExecutor.connect(parseExecutorSpec(url), toyJob);
    const remote = await measure(nats);
    await nats.close();
    await stop(one);
    const pool = new RolloutPool({ problem: toy, problemModule: TOY_MODULE, size: 1, timeoutMs: 10_000 });
    const local = await measure(pool);
    pool.close();
    for (const [name, m] of [["NATS, 1 worker process", remote], ["local pool, 1 thread", local]] as const) {
      console.log(
        `overhead per trivial rollout, ${name}: median ${fmt(quantile(m.overheads, 0.5))} ms, ` +
          `p90 ${fmt(quantile(m.overheads, 0.9))}, p99 ${fmt(quantile(m.overheads, 0.99))} ` +
          `(wall median ${fmt(quantile(m.walls, 0.5))} ms, n=${ROLLOUTS})`,
      );
    }

    // 2. Queue rate: many trivial rollouts in one batch.
    const many = await workers(2, 4, TOY_MODULE);
    const batch = await NatsExecutor.connect(parseExecutorSpec(url), toyJob);
    await batch.run(Array.from({ length: 50 }, (_, i) => ({ ...task(i), id: i })));
    const n = 2 * ROLLOUTS;
    const t = performance.now();
    const results = await batch.run(Array.from({ length: n }, (_, i) => ({ ...task(i), id: i })));
    const seconds = (performance.now() - t) / 1000;
    await batch.close();
    await stop(many);
    const valid = results.filter((r) => r.evaluation.valid).length;
    console.log(
      `queue rate: ${n} trivial rollouts in one batch on 2 workers x 4 slots: ${
        (n / seconds).toFixed(0)
      }/s ` +
        `(${valid} valid, ${seconds.toFixed(2)} s)`,
    );
  }

  // 3. Throughput on a CPU-bound problem.
  const erdos = await loadProblem("erdos");
  const options = erdos.optionsSchema.parse({ minPieces: 600, maxPieces: 600 });
  const start = erdos.toJSON(erdos.initialStates(new Rng(1), options)[0]);
  const cpuTasks: RolloutTask[] = Array.from({ length: CPU_ROLLOUTS }, (_, id) => ({
    id,
    program: [
      { op: "descend", params: { iters: 3000, temp: 1e-4, lr: 1e-2, anneal: true, jitter: 1e-3 } },
      { op: "descend", params: { iters: 3000, temp: 1e-5, lr: 1e-3, anneal: false, jitter: 0 } },
    ],
    state: start,
    seed: 1000 + id,
  }));
  const job = { problem: erdos, timeoutMs: 600_000, threads: 0 };
  const timed = async (executor: Executor) => {
    await executor.run(cpuTasks.slice(0, 2)); // warm up (compilation) on every slot
    const t = performance.now();
    const results = await executor.run(cpuTasks);
    const seconds = (performance.now() - t) / 1000;
    if (results.some((r) => !r.evaluation.valid)) throw new Error("an Erdős rollout was invalid");
    return { rate: cpuTasks.length / seconds, values: results.map((r) => r.evaluation.value) };
  };
  // Rounds alternate 1 and 2 workers (and 1 and 2 local threads), so a change in the machine's
  // load touches both sides of a ratio alike.
  let reference: unknown;
  const check = (got: unknown) => {
    reference ??= got;
    if (JSON.stringify(got) !== JSON.stringify(reference)) {
      throw new Error("results differ by worker count");
    }
  };
  const ratios: number[] = [], localRatios: number[] = [];
  for (let round = 1; round <= (values["skip-cpu"] ? 0 : ROUNDS); round++) {
    const remote: number[] = [];
    for (const n of [1, 2]) {
      const list = await workers(n, 1);
      const executor = await NatsExecutor.connect(parseExecutorSpec(url), job);
      const r = await timed(executor);
      await executor.close();
      await stop(list);
      check(r.values);
      remote.push(r.rate);
      console.log(
        `round ${round}: CPU-bound (Erdős, two descend moves of 3,000 steps, 600 pieces), ${n} worker ` +
          `process(es): ${r.rate.toFixed(3)} rollouts/s (${CPU_ROLLOUTS} rollouts, load ${load()})`,
      );
    }
    const local: number[] = [];
    for (const size of [1, 2]) {
      const pool = new RolloutPool({ problem: erdos, size, timeoutMs: 600_000 });
      const r = await timed(pool);
      pool.close();
      check(r.values);
      local.push(r.rate);
      console.log(
        `round ${round}: CPU-bound, local pool with ${size} thread(s): ${r.rate.toFixed(3)} rollouts/s ` +
          `(load ${load()})`,
      );
    }
    ratios.push(remote[1] / remote[0]);
    localRatios.push(local[1] / local[0]);
    console.log(
      `round ${round}: ratio 2 vs 1 worker processes ${ratios.at(-1)!.toFixed(2)}x, ` +
        `2 vs 1 local threads ${localRatios.at(-1)!.toFixed(2)}x`,
    );
  }
  if (ratios.length > 0) {
    console.log(
      `ratio 2 vs 1 worker processes: median ${quantile(ratios, 0.5).toFixed(2)}x over ${ratios.length} ` +
        `round(s) (2 vs 1 local threads: ${quantile(localRatios, 0.5).toFixed(2)}x); ` +
        "results identical in every configuration",
    );
  }

  // 4. Message sizes.
  const encoder = new TextEncoder();
  for (const pieces of [200, 600, 3584]) {
    const state = erdos.toJSON(
      erdos.initialStates(new Rng(2), erdos.optionsSchema.parse({ minPieces: pieces, maxPieces: pieces }))[0],
    );
    const taskBytes = encoder.encode(JSON.stringify({
      protocol: PROTOCOL,
      key: "0123456789abcdef.123.511",
      hash: "0123456789abcdef",
      problem: "erdos",
      timeoutMs: 1_000_000,
      task: { id: 511, program: cpuTasks[0].program, state, seed: 4294967295 },
    })).length;
    const resultBytes = encoder.encode(JSON.stringify({
      protocol: PROTOCOL,
      key: "0123456789abcdef.123.511",
      worker: "host-12345-abcd",
      result: {
        id: 511,
        state,
        key: "3584:0123456789abcdef",
        evaluation: { valid: true, value: 0.38, reward: 2.6 },
        durationMs: 1,
      },
    })).length;
    // The run re-verifies every remote result: what that costs it per step of 512.
    const times: number[] = [];
    for (let i = 0; i < 21; i++) {
      const t = performance.now();
      erdos.evaluate(state);
      times.push(performance.now() - t);
    }
    console.log(
      `Erdős at ${pieces} pieces: task ${(taskBytes / 1024).toFixed(1)} KiB, result ${
        (resultBytes / 1024).toFixed(1)
      } KiB; a step of 512 rollouts moves ${((512 * (taskBytes + resultBytes)) / 2 ** 20).toFixed(1)} MiB; ` +
        `re-verifying its 512 results here takes ${(512 * quantile(times, 0.5)).toFixed(0)} ms`,
    );
  }
} finally {
  await stop(children);
  await server?.stop();
}

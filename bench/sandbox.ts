/**
 * Sandbox and language-route overheads:
 *   1. 500 sandboxed programs in one process (each a fresh jail, cgroup and DENO_DIR): all must succeed;
 *   2. a sandboxed program's round trip (start deno, run a trivial program, return 600 numbers): median of 25;
 *   3. tokens per second of the in-process llama.cpp backend on the tiny model;
 *   4. the share of a language-route step spent outside the model (llamacpp, 1 group x 4).
 * `deno run -A bench/sandbox.ts [--sandbox-only]`
 */
import { discover } from "../lib/loop.ts";
import { LlamaCppPolicy } from "../lib/policy/llamacpp.ts";
import { runDenoProgram } from "../lib/sandbox/deno.ts";
import { memoryEnforcement } from "../lib/sandbox/jail.ts";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const heights = Array.from({ length: 600 }, (_, i) => 0.5 + 0.3 * Math.sin(i));
const program =
  `export function construct(p: { heights: number[] }) { return { heights: p.heights.map((h) => h) }; }`;

// 1. Many programs in one process: nothing accumulates between runs (the audit saw run 31 fail).
const many = 500;
let failed = 0;
const t500 = performance.now();
for (let i = 0; i < many; i++) {
  const r = await runDenoProgram(`export function construct(x: number) { return x + 1; }`, "construct", i);
  if (!r.ok || r.value !== i + 1) {
    failed++;
    console.error(`program ${i}: ${r.error}`);
  }
}
console.log(
  `${many} sandboxed programs in one process: ${many - failed} succeeded, ${failed} failed ` +
    `(${
      ((performance.now() - t500) / many).toFixed(1)
    } ms each on average; memory cap: ${memoryEnforcement()})`,
);

// 2. Round trip.
await runDenoProgram(program, "construct", { heights }); // first run pays for loading the binary
const times: number[] = [];
for (let i = 0; i < 25; i++) {
  const t = performance.now();
  const r = await runDenoProgram(program, "construct", { heights });
  if (!r.ok) throw new Error(r.error);
  times.push(performance.now() - t);
}
console.log(
  `sandbox round trip (600 numbers): median ${median(times).toFixed(1)} ms, ` +
    `min ${Math.min(...times).toFixed(1)}, max ${Math.max(...times).toFixed(1)} (n=25)`,
);
if (failed > 0) Deno.exit(1);
if (Deno.args.includes("--sandbox-only")) Deno.exit(0);

const model = new URL("../tests/data/llama-2-tiny-random.gguf", import.meta.url).pathname;
const policy = await LlamaCppPolicy.create({ modelPath: model, contextSize: 4096, maxTokens: 256 });
await policy.sample({ prompt: "warm up" }, 1, { temperature: 1, seed: 0, maxTokens: 8 });
const t0 = performance.now();
const seqs = await policy.sample({ prompt: "Write a TypeScript function." }, 4, {
  temperature: 1,
  seed: 1,
  maxTokens: 256,
});
const tokens = seqs.reduce((s, q) => s + q.tokens.length, 0);
console.log(
  `llamacpp tiny model: ${(tokens / ((performance.now() - t0) / 1000)).toFixed(0)} tokens/s ` +
    `(${tokens} tokens, short prompt)`,
);
await policy.close();

const gen = discover({
  config: {
    problem: "erdos",
    policy: "llamacpp",
    model,
    steps: 1,
    groups: 1,
    groupSize: 4,
    maxTokens: 256,
    workers: 1,
  },
});
let next = await gen.next();
while (!next.done) {
  const { row } = next.value;
  const modelMs = row.sampleMs;
  console.log(
    `language-route step: total ${row.totalMs.toFixed(0)} ms, model ${modelMs.toFixed(0)} ms, ` +
      `outside the model ${(100 * (1 - modelMs / row.totalMs)).toFixed(1)}% ` +
      `(select ${row.selectMs.toFixed(0)}, run+verify ${row.evaluateMs.toFixed(0)}, update ${
        row.updateMs.toFixed(0)
      } ms)`,
  );
  next = await gen.next();
}

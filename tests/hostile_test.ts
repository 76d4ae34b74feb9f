/**
 * Hostile programs and hostile use (issue 12): every case found in the audit, each recorded as an
 * invalid attempt or refused with a clear error, the run going on. Run-directory and command-line
 * cases that need a whole CLI process are in cli_test.ts and store_test.ts (lock, deleted tables).
 */
import { join } from "node:path";
import { discover, type RunSummary, type StepReport } from "../lib/loop.ts";
import { FatalRequestError, OpenAIPolicy } from "../lib/policy/openai.ts";
import { runDenoProgram } from "../lib/sandbox/deno.ts";
import { compileNative, runNative } from "../lib/sandbox/native.ts";
import { memoryEnforcement } from "../lib/sandbox/jail.ts";
import { cleanOutput } from "../lib/sandbox/clean.ts";
import { erdos } from "../problems/erdos/mod.ts";
import { evaluateHeights } from "../problems/erdos/verifier.ts";
import { measureKernel, type Suite, trimul, type TriMulState } from "../problems/trimul/mod.ts";
import { readRunTables } from "../lib/store.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";

const SECRET = `hostile-secret-${crypto.randomUUID()}`;
/** Everything this suite writes on the host lives here and is removed by the last test. */
const scratch = Deno.makeTempDirSync({ prefix: "ttt-hostile-test-" });
const secretJson = join(scratch, "secret.json");
const secretToken = join(scratch, "token");
Deno.writeTextFileSync(secretJson, JSON.stringify({ secret: SECRET }));
Deno.writeTextFileSync(secretToken, `${SECRET}\n`);

const heights = (n: number) => Array.from({ length: n }, (_, i) => 0.3 + 0.4 * ((i * 7919) % n) / n);

function tmpListing(): string[] {
  return [...Deno.readDirSync(Deno.env.get("TMPDIR") ?? "/tmp")].map((e) => e.name).sort();
}

/**
 * What appeared in the temp folder since `before` and is still there after other work settles:
 * tests run in parallel, and another test's sandbox folder may exist for a while, but a folder
 * this test leaked never goes away.
 */
async function leftInTmp(before: readonly string[]): Promise<string[]> {
  const added = () => tmpListing().filter((name) => !before.includes(name));
  for (let waited = 0; added().length > 0 && waited < 30_000; waited += 250) {
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return added();
}

// ---------------------------------------------------------------- 1. host files

Deno.test("1. a program cannot read host files through module imports, and no secret comes back", async () => {
  const cases = [
    `import s from ${JSON.stringify(secretJson)} with { type: "json" };
     export function construct() { return s; }`,
    `export async function construct() {
       try { await import(${JSON.stringify(secretToken)}); } catch (e) { return String(e); }
       return "imported"; }`,
    `export async function construct() {
       try { return (await import(${JSON.stringify(secretJson)}, { with: { type: "json" } })).default; }
       catch (e) { return String(e); } }`,
    `export async function construct() {
       try { return await (await fetch(${JSON.stringify(`file://${secretToken}`)})).text(); }
       catch (e) { return String(e); } }`,
  ];
  for (const source of cases) {
    const r = await runDenoProgram(source, "construct", {}, { timeoutMs: 20_000 });
    const seen = JSON.stringify([r.value, r.error, r.stdout, r.stderr]);
    assert(!seen.includes(SECRET), `the secret leaked: ${seen.slice(0, 300)}`);
  }
});

// ---------------------------------------------------------------- 2. one shared cache poisoned

Deno.test("2. a program importing node:fs poisons nothing: 40 programs after it all succeed", async () => {
  const poison = await runDenoProgram(
    `import * as fs from "node:fs"; export function construct() { return typeof fs.readFileSync; }`,
    "construct",
    {},
  );
  assert(poison.ok || poison.error !== undefined);
  for (let i = 0; i < 40; i++) {
    const r = await runDenoProgram(`export function construct(x: number) { return x * 2; }`, "construct", i);
    assert(r.ok, `program ${i}: ${r.error}`);
    assertEquals(r.value, 2 * i);
  }
});

// ---------------------------------------------------------------- 3. a program that breaks the harness

Deno.test("3. replacing JSON, Deno.exit or prototypes never throws in the parent", async () => {
  const stringify = await runDenoProgram(
    `JSON.stringify = () => "{"; export function construct() { return { heights: [1, 2] }; }`,
    "construct",
    {},
  );
  assert(stringify.ok, stringify.error);
  assertEquals(stringify.value, { heights: [1, 2] });
  const everything = await runDenoProgram(
    `JSON.parse = () => { throw new Error("no"); };
     Deno.exit = () => { throw new Error("no exit"); };
     Uint8Array.prototype.subarray = function () { return new Uint8Array(0); };
     TextEncoder.prototype.encode = () => new Uint8Array(0);
     export function construct() { return [1, 2, 3]; }`,
    "construct",
    {},
  );
  assert(everything.ok, everything.error);
  assertEquals(everything.value, [1, 2, 3]);
  const toJSON = await runDenoProgram(
    `Object.prototype.toJSON = function () { return "hijacked"; }; export function construct() { return {}; }`,
    "construct",
    {},
  );
  assert(!toJSON.ok);
  assertEquals(toJSON.error, "the result could not be read back");
  const proxy = await runDenoProgram(
    `export function construct() { throw new Proxy({}, { get() { throw new Error("gotcha"); } }); }`,
    "construct",
    {},
  );
  assertEquals(proxy.error, "the program threw a value that cannot be described");
  // A result line the program prints itself cannot pass for the harness's (it never sees the nonce).
  const forged = await runDenoProgram(
    `console.log("\\u0000sandbox-result:" + '{"ok":true,"json":"999"}'); Deno.exit(0);
     export function construct() { return 1; }`,
    "construct",
    {},
  );
  assert(!forged.ok);
});

// ---------------------------------------------------------------- 4. memory, disk, timers

const memoryIgnored = memoryEnforcement() === "none";

Deno.test({
  name: "4. all memory is capped: typed arrays and Workers count, not only the JS heap",
  ignore: memoryIgnored,
  fn: async () => {
    const typed = await runDenoProgram(
      `export function construct() { const keep = [];
         for (let i = 0; i < 12; i++) { const b = new Uint8Array(32 * 2 ** 20); b.fill(1); keep.push(b); }
         return keep.length; }`,
      "construct",
      {},
      { heapMiB: 64, timeoutMs: 30_000 },
    );
    assert(!typed.ok);
    assertEquals(typed.error, "exceeded memory limit of 256 MiB");
    const workers = await runDenoProgram(
      `export async function construct() {
         const code = "const a = new Uint8Array(40 * 2 ** 20); a.fill(1); self.postMessage(a.length);" +
           "setInterval(() => a[0]++, 1000);";
         const url = URL.createObjectURL(new Blob([code], { type: "application/javascript" }));
         const ws = Array.from({ length: 8 }, () => new Worker(url, { type: "module" }));
         await Promise.all(ws.map((w) => new Promise((ok) => { w.onmessage = ok; })));
         return ws.length; }`,
      "construct",
      {},
      { heapMiB: 64, timeoutMs: 30_000 },
    );
    assert(!workers.ok);
    assertEquals(workers.error, "exceeded memory limit of 256 MiB");
  },
});

Deno.test("4. localStorage and the Cache API write only to the run's own tmpfs, which goes with it", async () => {
  const before = tmpListing();
  const storage = await runDenoProgram(
    `export function construct() { for (let i = 0; i < 20; i++) localStorage.setItem("k" + i, "y".repeat(1e6));
       return 1; }`,
    "construct",
    {},
  );
  assert(!storage.ok, "20 MB of localStorage were accepted");
  const cache = await runDenoProgram(
    `export async function construct() { const c = await caches.open("x");
       for (let i = 0; i < 20; i++) await c.put("http://x/" + i, new Response("z".repeat(1e6)));
       return (await c.keys()).length; }`,
    "construct",
    {},
  );
  assert(cache.ok, cache.error);
  const later = await runDenoProgram(
    `export async function construct() { return [await caches.has("x"), localStorage.length]; }`,
    "construct",
    {},
  );
  assertEquals(later.value, [false, 0]);
  const disk = await runDenoProgram(
    `export async function construct() { const c = await caches.open("x");
       for (let i = 0; i < 60; i++) await c.put("http://x/" + i, new Response("z".repeat(1e6)));
       return 1; }`,
    "construct",
    {},
    { diskMiB: 16 },
  );
  assert(!disk.ok, "60 MB went into a 16 MiB tmpfs");
  assertEquals(await leftInTmp(before), []);
});

Deno.test("4. a leftover setInterval does not hold the attempt to its timeout", async () => {
  const t0 = performance.now();
  const r = await runDenoProgram(
    `setInterval(() => {}, 5); export function construct() { return 7; }`,
    "construct",
    {},
    { timeoutMs: 20_000 },
  );
  assert(r.ok, r.error);
  assertEquals(r.value, 7);
  assert(performance.now() - t0 < 10_000, "the interval held the run");
  const late = await runDenoProgram(
    `export function construct() { setTimeout(() => { while (true) {} }, 0); return 1; }`,
    "construct",
    {},
    { timeoutMs: 20_000 },
  );
  assert(late.ok, late.error);
});

// ---------------------------------------------------------------- 5. native programs

Deno.test("5. a native program cannot read or create host files, and is not root", async () => {
  const cache = join(scratch, "native");
  const marker = join(scratch, "created-by-native");
  const compiled = await compileNative(
    `#include <stdio.h>
#include <unistd.h>
int main(void) {
  FILE *f = fopen(${JSON.stringify(secretToken)}, "r");
  char line[256] = "";
  if (f && fgets(line, sizeof line, f)) printf("read:%s", line);
  FILE *g = fopen(${JSON.stringify(marker)}, "w");
  if (g) { fputs("x", g); fclose(g); puts("wrote"); }
  FILE *h = fopen("/etc/passwd", "r");
  if (h) puts("passwd visible");
  printf("uid:%d\\n", (int)getuid());
  return 0;
}`,
    { language: "c", cacheDir: cache },
  );
  assert(compiled.ok, compiled.error);
  const r = await runNative(compiled.path!, [], "", { timeoutMs: 10_000 });
  assert(r.ok, r.error);
  assert(!r.stdout.includes(SECRET), "the secret leaked");
  assert(!r.stdout.includes("passwd visible"), r.stdout);
  assert(r.stdout.includes("uid:65534"), r.stdout);
  let exists = true;
  try {
    Deno.statSync(marker);
  } catch {
    exists = false;
  }
  assert(!exists, "the program created a host file");
  // The compiler sees the toolchain, not host files: including the secret fails.
  const include = await compileNative(
    `#include ${JSON.stringify(secretToken)}\nint main(void) { return 0; }`,
    {
      language: "c",
    },
  );
  assert(!include.ok);
  assert(!include.error!.includes(SECRET), include.error);
});

// ---------------------------------------------------------------- output shown to a model

Deno.test("output is cut and stripped of control sequences before a prompt sees it", () => {
  assertEquals(cleanOutput("a\u001b[31mred\u001b[0m\r\nb\u0000c\u202eX", 100), "ared\nbcX");
  assertEquals(cleanOutput("x".repeat(50) + "tail", 5), "…tail");
});

// ---------------------------------------------------------------- the language route, end to end

/** A model server that replies with hostile programs in turn and records every prompt. */
function hostileServer(replies: string[]) {
  const prompts: string[] = [];
  let i = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    if (req.method !== "POST") return new Response("{}", { status: 404 });
    const body = await req.json();
    prompts.push(String(body.messages?.[0]?.content ?? ""));
    const text = replies[i++ % replies.length];
    return Response.json({
      id: "x",
      object: "chat.completion",
      created: 1,
      model: "m",
      choices: [{
        index: 0,
        message: { role: "assistant", content: text },
        logprobs: { content: [{ token: "t", logprob: -1, bytes: [], top_logprobs: [] }] },
        finish_reason: "stop",
      }],
      usage: { prompt_tokens: 10, completion_tokens: 1, total_tokens: 11 },
    });
  });
  return { url: `http://127.0.0.1:${server.addr.port}/v1`, prompts, close: () => server.shutdown() };
}

const block = (code: string) => "```typescript\n" + code + "\n```";

Deno.test("the language route: a step of hostile programs are invalid attempts, no secret reaches a prompt, the run goes on", async () => {
  const replies = [
    // Valid, and prints what it tried to read plus terminal escapes: the next prompts show its output.
    block(`export async function construct(p: { heights: number[] }) {
      try { await import(${JSON.stringify(secretToken)}); } catch (e) { console.log(String(e)); }
      console.log("\\u001b[2J\\u001b[31mred\\u0007");
      return { heights: p.heights.map((x) => 0.5 * x + 0.25) }; }`),
    block(`import s from ${JSON.stringify(secretJson)} with { type: "json" };
      export function construct() { return s; }`),
    block(`JSON.stringify = () => "{"; export function construct(p: { heights: number[] }) { return p; }`),
    block(`export function construct() { const k = [];
      for (let i = 0; i < 12; i++) { const b = new Uint8Array(32 * 2 ** 20); b.fill(1); k.push(b); } return 1; }`),
    block(`setInterval(() => {}, 1); export function construct(p: { heights: number[] }) { return p; }`),
    block(`export function construct() { Deno.exit(3); }`),
    block(`export function construct() { return { heights: [1, 2, "x"], C5: 0.0001 }; }`),
    block(`export function construct() { while (true) {} }`),
  ];
  const server = hostileServer(replies);
  const out = join(scratch, "runs");
  try {
    const reports: StepReport[] = [];
    const gen = discover({
      out,
      config: {
        problem: "erdos",
        policy: "openai",
        model: "m",
        baseUrl: server.url,
        reuse: "greedy",
        problemOptions: { initialCount: 1 },
        steps: 2,
        groups: 1,
        groupSize: 8,
        workers: 2,
        rolloutTimeoutSeconds: 5,
        sandboxHeapMiB: 64,
      },
    });
    let next = await gen.next();
    while (!next.done) {
      reports.push(next.value);
      next = await gen.next();
    }
    const summary = next.value as RunSummary;
    assertEquals(reports.length, 2);
    const attempts = reports.flatMap((r) => r.attempts);
    assertEquals(attempts.length, 16);
    const byReply = (k: number) => attempts.filter((_, i) => i % 8 === k);
    assert(byReply(0).every((a) => a.valid), "the honest program is valid");
    assert(byReply(1).every((a) => !a.valid && /program failed/.test(a.error)), byReply(1)[0].error);
    assert(byReply(2).every((a) => a.valid), byReply(2)[0].error);
    if (!memoryIgnored) {
      assert(byReply(3).every((a) => /exceeded memory limit/.test(a.error)), byReply(3)[0].error);
    }
    assert(byReply(4).every((a) => a.valid && a.durationMs < 4000), "setInterval held the attempt");
    assert(byReply(5).every((a) => !a.valid && /exited with code 3/.test(a.error)), byReply(5)[0].error);
    assert(byReply(6).every((a) => !a.valid), "a lying construction was accepted");
    assert(byReply(7).every((a) => !a.valid && /timed out/.test(a.error)), byReply(7)[0].error);
    // The second step's prompts show the first program's output, cleaned, and never the secret.
    assertEquals(server.prompts.length, 16);
    for (const prompt of server.prompts) {
      assert(!prompt.includes(SECRET), "a prompt holds the secret");
      assert(!prompt.includes("\u001b") && !prompt.includes("\u0007"), "a prompt holds terminal escapes");
    }
    assert(server.prompts.slice(8).some((p) => p.includes("red")), "the parent's output reached the prompt");
    assertEquals(readRunTables(summary.runDir!).attempts.height, 16);
    assertEquals(erdos.evaluate(summary.best.state).value, summary.best.value);
  } finally {
    await server.close();
  }
});

// ---------------------------------------------------------------- 10. a dead model server

Deno.test("10. an unreachable endpoint stops before step 0; a run of failed requests stops the run", async () => {
  const dead = new OpenAIPolicy({
    baseUrl: "http://127.0.0.1:9/v1",
    apiKey: "k",
    model: "m",
    api: "chat",
    maxTokens: 8,
    concurrency: 2,
    requestTimeoutMs: 2000,
    maxRetries: 0,
    inputUsdPerMTok: 0,
    outputUsdPerMTok: 0,
  });
  await assertRejects(() => dead.preflight(), /cannot reach http:\/\/127\.0\.0\.1:9\/v1/);
  const failing = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => Response.json({ error: { message: "down" } }, { status: 500 }),
  );
  try {
    const policy = new OpenAIPolicy({
      baseUrl: `http://127.0.0.1:${failing.addr.port}/v1`,
      apiKey: "k",
      model: "m",
      api: "chat",
      maxTokens: 8,
      concurrency: 2,
      requestTimeoutMs: 2000,
      maxRetries: 0,
      inputUsdPerMTok: 0,
      outputUsdPerMTok: 0,
      maxConsecutiveFailures: 4,
    });
    await policy.preflight(); // it answers, so it is there
    const [first] = await policy.sample({ prompt: "p" }, 1, { temperature: 1, seed: 0 });
    assert(first.error?.startsWith("sampling failed"), first.error);
    const error = await assertRejects(
      () => policy.sample({ prompt: "p" }, 4, { temperature: 1, seed: 0 }),
      /4 requests in a row failed after their retries/,
    );
    assert(error instanceof FatalRequestError);
  } finally {
    await failing.shutdown();
  }
});

// ---------------------------------------------------------------- 12. verifiers

Deno.test("12. TriMul accepts only measurements its harness took; a made-up speed-up is invalid", async () => {
  const suite: Suite = { name: "hostile", shapes: [{ B: 1, N: 16, C: 128, H: 128 }], rounds: 1 };
  const kernel = { template: "naive" } as const;
  const measurement = await measureKernel(kernel, suite, 5, { cacheDir: join(scratch, "trimul") });
  assert(measurement.ok, measurement.error);
  const real = trimul.evaluate(trimul.toJSON({ kernel, suite, measurement } satisfies TriMulState));
  assert(real.valid, real.error);
  const forged = {
    ...measurement,
    shapes: measurement.shapes.map((s) => ({ ...s, candidateMs: s.candidateMs.map((ms) => ms / 1e6) })),
  };
  const verdict = trimul.evaluate(
    trimul.toJSON({ kernel, suite, measurement: forged } satisfies TriMulState),
  );
  assert(!verdict.valid, `speed-up ${verdict.value} accepted`);
  assert(/not taken by the timing harness/.test(verdict.error!), verdict.error);
});

Deno.test("12. the Erdős verifier reads each height once and scores what it checked", () => {
  const base = heights(64);
  const reads = new Array(base.length).fill(0);
  // Getters that answer 0.5 when checked and 40 afterwards.
  const shifty = new Proxy(base, {
    get(target, key, receiver) {
      if (typeof key === "string" && /^\d+$/.test(key)) {
        const i = Number(key);
        return reads[i]++ === 0 ? target[i] : 40;
      }
      return Reflect.get(target, key, receiver);
    },
  });
  const verdict = evaluateHeights({ heights: shifty });
  assert(reads.every((n) => n === 1), `heights were read ${Math.max(...reads)} times`);
  assertEquals(verdict, evaluateHeights({ heights: base }));
});

Deno.test("hostile tests leave nothing in the temp dir", () => {
  Deno.removeSync(scratch, { recursive: true });
});

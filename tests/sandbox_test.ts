import { join } from "node:path";
import { runDenoProgram, withExport } from "../lib/sandbox/deno.ts";
import { compileNative, runNative } from "../lib/sandbox/native.ts";
import { erdos } from "../problems/erdos/mod.ts";
import { assert, assertEquals } from "./assert.ts";

const heights = (n: number) => Array.from({ length: n }, (_, i) => 0.3 + 0.4 * ((i * 7919) % n) / n);

// ---------------------------------------------------------------- TypeScript programs (Deno)

Deno.test("deno sandbox: a program returns its construction, and what it prints is kept apart", async () => {
  const r = await runDenoProgram(
    `export function construct(parent: { heights: number[] }) {
       console.log("working on", parent.heights.length);
       return { heights: parent.heights.map((h) => Math.min(1, h * 1.01)) };
     }`,
    "construct",
    { heights: heights(600) },
  );
  assert(r.ok, r.error);
  assertEquals((r.value as { heights: number[] }).heights.length, 600);
  assertEquals(r.stdout.trim(), "working on 600");
  assertEquals(r.denied, []);
});

Deno.test("deno sandbox: an unexported function is exported for the program; async functions work", async () => {
  const r = await runDenoProgram(
    `async function construct(p: { x: number }): Promise<{ x: number }> { return { x: p.x + 1 }; }`,
    "construct",
    { x: 1 },
  );
  assert(r.ok, r.error);
  assertEquals(r.value, { x: 2 });
  assertEquals(withExport("export function f() {}", "f"), "export function f() {}");
  assertEquals(withExport("const g = 1;", "f"), "const g = 1;");
});

Deno.test("deno sandbox: an infinite loop is killed at its limit (a 10-minute program meets the same timer)", async () => {
  const t0 = performance.now();
  const r = await runDenoProgram(`export function construct() { while (true) {} }`, "construct", {}, {
    timeoutMs: 2000,
  });
  const ms = performance.now() - t0;
  assert(!r.ok);
  assert(r.timedOut);
  assertEquals(r.error, "timed out after 2.0 s");
  assert(ms >= 2000 && ms < 6000, `took ${ms} ms`);
});

Deno.test("deno sandbox: a syntax error and a missing function are clear errors", async () => {
  const syntax = await runDenoProgram(`export function construct( { return 1 }`, "construct", {});
  assert(!syntax.ok);
  assert(/expected|unexpected|syntax/i.test(syntax.error!), syntax.error);
  const missing = await runDenoProgram(`export function build() { return 1 }`, "construct", {});
  assert(!missing.ok);
  assertEquals(missing.error, "the program defines no function construct");
  const thrown = await runDenoProgram(
    `export function construct() { throw new RangeError("nope") }`,
    "construct",
    {},
  );
  assertEquals(thrown.error, "RangeError: nope");
  const undef = await runDenoProgram(`export function construct() {}`, "construct", {});
  assertEquals(undef.error, "construct returned undefined");
  const exits = await runDenoProgram(
    `Deno.exit(0); export function construct() { return 1 }`,
    "construct",
    {},
  );
  assert(!exits.ok);
  assert(exits.error!.startsWith("the program ended before returning a result"), exits.error);
});

Deno.test("deno sandbox: huge output is capped and the attempt fails", async () => {
  const r = await runDenoProgram(
    `export function construct() { const s = "x".repeat(1 << 16); for (let i = 0; i < 200; i++) console.log(s); return 1; }`,
    "construct",
    {},
    { outputBytes: 100_000 },
  );
  assert(!r.ok);
  assert(r.outputTruncated);
  assert(r.stdout.length <= 100_000);
  assert(r.error!.startsWith("output exceeded 100000 bytes"), r.error);
});

Deno.test("deno sandbox: a runaway allocation hits the heap cap", async () => {
  const r = await runDenoProgram(
    `export function construct() { const a = []; while (true) a.push(new Array(1e5).fill(Math.random())); }`,
    "construct",
    {},
    { heapMiB: 64, timeoutMs: 20_000 },
  );
  assert(!r.ok);
  assert(!r.timedOut);
  assert(/memory/.test(r.error!), r.error);
});

Deno.test("deno sandbox: files, sockets, environment and subprocesses are all denied and recorded", async () => {
  const runDir = Deno.makeTempDirSync();
  Deno.writeTextFileSync(join(runDir, "best.json"), "{}");
  const before = [...Deno.readDirSync(runDir)].map((e) => e.name).sort();
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const cases: [string, string][] = [
    ["read", `Deno.readTextFileSync(${JSON.stringify(join(runDir, "best.json"))})`],
    ["write", `Deno.writeTextFileSync(${JSON.stringify(join(runDir, "best.json"))}, "pwned")`],
    ["net", `await Deno.connect({ hostname: "127.0.0.1", port: ${port} })`],
    ["net", `await fetch("http://127.0.0.1:${port}/")`],
    ["env", `Deno.env.get("HOME")`],
    ["run", `new Deno.Command("/bin/sh", { args: ["-c", "touch /tmp/sandbox-escaped"] }).outputSync()`],
  ];
  try {
    for (const [kind, code] of cases) {
      const r = await runDenoProgram(
        `export async function construct() { ${code}; return 1; }`,
        "construct",
        {},
      );
      assert(!r.ok, `${code} was allowed`);
      assert(r.denied.includes(kind), `${code}: denied ${r.denied} error ${r.error}`);
      assert(/NotCapable|Requires/.test(r.error!), r.error);
    }
  } finally {
    listener.close();
  }
  assertEquals([...Deno.readDirSync(runDir)].map((e) => e.name).sort(), before);
  assertEquals(Deno.readTextFileSync(join(runDir, "best.json")), "{}");
  Deno.removeSync(runDir, { recursive: true });
});

Deno.test("deno sandbox: a program that lies about its score gets the verifier's value", async () => {
  const r = await runDenoProgram(
    `export function construct(p: { heights: number[] }) { return { heights: p.heights, C5: 0.1, value: 0.1 }; }`,
    "construct",
    { heights: heights(50) },
  );
  assert(r.ok, r.error);
  const verdict = erdos.evaluate(r.value);
  assert(verdict.valid);
  assert(verdict.value! > 0.37, `verifier said ${verdict.value}`);
  assertEquals(verdict.value, erdos.evaluate({ heights: heights(50) }).value);
});

// ---------------------------------------------------------------- native programs (C/C++)

const cache = Deno.makeTempDirSync({ prefix: "ttt-test-native-cache-" });

async function build(source: string, language: "c" | "c++" = "c") {
  const r = await compileNative(source, { language, cacheDir: cache });
  assert(r.ok, r.error);
  return r.path!;
}

Deno.test("native: compiles, caches, runs, and reads stdin", async () => {
  const src = `#include <stdio.h>
int main(void) { int a, b; if (scanf("%d %d", &a, &b) != 2) return 3; printf("%d\\n", a + b); return 0; }`;
  const first = await compileNative(src, { language: "c", cacheDir: cache });
  assert(first.ok && !first.cached, first.error);
  const second = await compileNative(src, { language: "c", cacheDir: cache });
  assert(second.cached);
  assertEquals(second.path, first.path);
  const r = await runNative(first.path!, [], "2 40\n", { timeoutMs: 5000 });
  assert(r.ok, r.error);
  assertEquals(r.stdout, "42\n");
  const bad = await runNative(first.path!, [], "x", { timeoutMs: 5000 });
  assertEquals(bad.error, "exited with code 3");
});

Deno.test("native: a compile error is reported with the compiler's message", async () => {
  const r = await compileNative(`int main() { return undefined_name; }`, { language: "c++" });
  assert(!r.ok);
  assert(r.error!.startsWith("compile error:") && r.error!.includes("undefined_name"), r.error);
});

Deno.test("native: a segfault is a clear error", async () => {
  const path = await build(`int main(void) { volatile int *p = 0; *p = 1; return 0; }`);
  const r = await runNative(path, [], "", { timeoutMs: 5000 });
  assert(!r.ok);
  assertEquals(r.signal, "SIGSEGV");
  assertEquals(r.error, "killed by SIGSEGV");
});

Deno.test("native: an infinite loop and the children it forked are killed at the limit", async () => {
  // The program runs in its own PID namespace, so it names its child (comm) for the host to find.
  const tag = `ttt${crypto.randomUUID().slice(0, 8)}`;
  const path = await build(`#include <stdio.h>
#include <unistd.h>
#include <sys/prctl.h>
int main(void) { pid_t c = fork(); if (c == 0) { prctl(PR_SET_NAME, "${tag}"); for (;;) pause(); }
  printf("%d\\n", (int)c); fflush(stdout); for (;;) {} }`);
  const r = await runNative(path, [], "", { timeoutMs: 1000 });
  assert(r.timedOut);
  assertEquals(r.error, "timed out after 1.0 s");
  assert(Number(r.stdout.trim()) > 0);
  await new Promise((ok) => setTimeout(ok, 100));
  const survivors = [...Deno.readDirSync("/proc")].filter((e) => /^\d+$/.test(e.name)).filter((e) => {
    try {
      const status = Deno.readTextFileSync(`/proc/${e.name}/status`);
      return status.includes(`Name:\t${tag}`) && !/\nState:\s+Z/.test(status);
    } catch {
      return false;
    }
  });
  assertEquals(survivors.map((e) => e.name), [], "forked child survived");
});

Deno.test("native: a huge allocation hits the memory limit", async () => {
  const path = await build(
    `#include <vector>
#include <cstdio>
int main() { std::vector<double> v(4000000000ULL / 8); v[12345] = 1; std::printf("%f\\n", v[12345]); }`,
    "c++",
  );
  const r = await runNative(path, [], "", { timeoutMs: 5000, memoryMiB: 256 });
  assert(!r.ok);
  assertEquals(r.error, "exceeded memory limit of 256 MiB");
});

Deno.test("native: huge output is capped, and the network is unreachable", async () => {
  const spam = await build(`#include <stdio.h>
int main(void) { for (int i = 0; i < 1000000; i++) puts("spam spam spam spam"); return 0; }`);
  const r = await runNative(spam, [], "", { timeoutMs: 5000, outputBytes: 4096 });
  assert(r.outputTruncated);
  assertEquals(r.stdout.length, 4096);
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  try {
    const connect = await build(`#include <stdio.h>
#include <arpa/inet.h>
#include <sys/socket.h>
int main(void) { int s = socket(AF_INET, SOCK_STREAM, 0); struct sockaddr_in a = {0};
  a.sin_family = AF_INET; a.sin_port = htons(${port}); a.sin_addr.s_addr = htonl(0x7f000001);
  if (connect(s, (struct sockaddr *)&a, sizeof a) == 0) { puts("connected"); return 0; } puts("refused"); return 1; }`);
    const isolated = await runNative(connect, [], "", { timeoutMs: 5000 });
    assertEquals(isolated.stdout.trim(), "refused");
  } finally {
    listener.close();
  }
});

Deno.test("sandbox tests leave nothing in the temp dir", () => {
  Deno.removeSync(cache, { recursive: true });
});

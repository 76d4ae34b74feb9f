import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assert, assertEquals } from "./assert.ts";

const cli = new URL("../lib/cli.ts", import.meta.url).pathname;
/** Every directory these tests make lives here; the last test removes it. */
const scratch = Deno.makeTempDirSync({ prefix: "ttt-cli-test-" });
const tempDir = () => Deno.makeTempDirSync({ dir: scratch });

async function run(...args: string[]) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", cli, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code, stdout: text(stdout), stderr: text(stderr) };
}

Deno.test("--help lists every flag and exits 0", async () => {
  const { code, stdout } = await run("--help");
  assertEquals(code, 0);
  for (
    const flag of [
      "--steps",
      "--groups",
      "--group-size",
      "--seed",
      "--minutes",
      "--out",
      "--resume",
      "--init",
      "--reuse",
      "--objective",
      "--policy",
    ]
  ) {
    assert(stdout.includes(flag), `${flag} missing from --help`);
  }
});

Deno.test("bad command lines get a clear message and exit code 2", async () => {
  const cases: [string[], RegExp][] = [
    [["erdos", "--bogus"], /bogus/],
    [["erdos", "--steps", "0"], /--steps 0/],
    [["erdos", "--steps", "ten"], /--steps ten/],
    [["erdos", "--reuse", "best"], /--reuse best/],
    [["erdos", "--objective", "ppo"], /--objective ppo/],
    [["erdos", "--init", "nonsense"], /--init nonsense: erdos knows random, haugland/],
    [["nosuchproblem"], /unknown problem "nosuchproblem"/],
    [[], /name exactly one problem/],
    [["--resume", "/tmp/x", "--groups", "4"], /keeps its settings/],
    [["erdos", "--option", "minPieces=abc"], /erdos option minPieces/],
    [["erdos", "--option", "nonsense"], /expected KEY=VALUE/],
    [["erdos", "--data", "x"], /data/],
    // Hostile use (issue 12): typos, prototype keys, values a timer cannot honour, negative numbers.
    [["erdos", "--option", "initalCount=2"], /erdos option \(options\): Unrecognized key: "initalCount"/],
    [["erdos", "--option", '__proto__={"minPieces":1}'], /Unrecognized key: "__proto__"/],
    [
      ["circles26", "--option", "initalCount=2"],
      /circles26 option \(options\): Unrecognized key: "initalCount"/,
    ],
    [["erdos", "--program-timeout", "3000000"], /--program-timeout 3000000: longer than a timer can wait/],
    [["erdos", "--steps", "-1"], /--steps -1: Too small/],
    [["erdos", "--steps", "0x10"], /--steps 0x10: expected a number/],
    [["erdos", "--minutes", "Infinity"], /--minutes Infinity: expected a number/],
    [
      ["denoise", "--holdout", "/nonexistent/holdout.h5ad"],
      /--holdout \/nonexistent\/holdout\.h5ad: does not exist/,
    ],
  ];
  for (const [args, pattern] of cases) {
    const { code, stderr } = await run(...args);
    assertEquals(code, 2, `${args.join(" ")} exited ${code}: ${stderr}`);
    assert(pattern.test(stderr), `${args.join(" ")}: ${stderr.split("\n")[0]}`);
  }
});

Deno.test("resuming a directory that is not a run fails with exit 2 and creates nothing", async () => {
  const dir = tempDir();
  const missing = join(dir, "missing");
  const { code, stderr } = await run("--resume", missing);
  assertEquals(code, 2);
  assert(stderr.includes(missing), stderr);
  assertEquals([...Deno.readDirSync(dir)].length, 0);
});

Deno.test("a problem's own flags reach its options, and a setup failure is one clear line (exit 1)", async () => {
  // A path that is not there is caught before step 0, with the flag that named it (exit 2).
  const missing = await run("denoise", "--data", "/nonexistent/dataset", "--steps", "1");
  assertEquals(missing.code, 2);
  assert(/^error: --data \/nonexistent\/dataset: does not exist/m.test(missing.stderr), missing.stderr);
  // One that is there but holds no dataset fails in setup: one line, no stack trace (exit 1).
  const empty = tempDir();
  const { code, stderr } = await run("denoise", "--data", empty, "--steps", "1");
  assertEquals(code, 1);
  assert(new RegExp(`^error: .*${empty}`, "m").test(stderr), stderr);
  assert(!stderr.includes("    at "), "no stack trace");
});

Deno.test("--policy tinker without a tokenizer says what it needs (exit 1)", async () => {
  const { code, stderr } = await run(
    "erdos",
    "--policy",
    "tinker",
    "--model",
    "Qwen/Qwen3-8B",
    "--steps",
    "1",
  );
  assertEquals(code, 1);
  assert(/--tokenizer PATH\.gguf/.test(stderr), stderr);
});

/** A finished erdos run of `steps` small steps; returns its directory. */
async function smallRun(steps: number): Promise<string> {
  const out = tempDir();
  const args = ["erdos", "--steps", String(steps), "--groups", "2", "--group-size", "4", "--workers", "1"];
  const { code, stderr } = await run(...args, "--out", out, "--quiet");
  assertEquals(code, 0, stderr);
  return join(out, "erdos", [...Deno.readDirSync(join(out, "erdos"))][0].name);
}

Deno.test("two resumes of one run at once: one runs, the other is refused with a clear message", async () => {
  const dir = await smallRun(1);
  const [a, b] = await Promise.all([
    run("--resume", dir, "--steps", "4", "--quiet"),
    run("--resume", dir, "--steps", "4", "--quiet"),
  ]);
  const codes = [a.code, b.code].sort();
  assertEquals(codes, [0, 2], `${a.stderr}\n${b.stderr}`);
  const refused = a.code === 2 ? a : b;
  assert(
    /is in use by another process \(it holds the lock on the run directory\)/.test(refused.stderr),
    refused.stderr,
  );
  const steps = JSON.parse(Deno.readTextFileSync(join(dir, "checkpoint.json"))).completedSteps;
  assertEquals(steps, 4);
});

Deno.test("resuming a run whose attempts.parquet was deleted is refused (exit 2), and nothing is written", async () => {
  const dir = await smallRun(2);
  Deno.removeSync(join(dir, "attempts.parquet"));
  const before = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
  const { code, stderr } = await run("--resume", dir, "--steps", "3");
  assertEquals(code, 2, stderr);
  assert(
    /is incomplete: the attempt tables hold 0 rows for step 0 but steps\.parquet records 8 rollouts/.test(
      stderr,
    ),
    stderr,
  );
  assertEquals([...Deno.readDirSync(dir)].map((e) => e.name).sort(), before);
});

Deno.test("an unreachable model server stops the run before step 0 (exit 1), leaving no run directory", async () => {
  const out = tempDir();
  const t0 = performance.now();
  const { code, stderr } = await run(
    "erdos",
    "--policy",
    "openai",
    "--model",
    "m",
    "--base-url",
    "http://127.0.0.1:9/v1",
    "--out",
    out,
  );
  assertEquals(code, 1, stderr);
  assert(/cannot reach http:\/\/127\.0\.0\.1:9\/v1/.test(stderr), stderr);
  assert(performance.now() - t0 < 60_000);
  assertEquals([...Deno.readDirSync(out)], []);
});

Deno.test("a problem module that is not usable gets one line naming the module and the member, and nothing is written", async () => {
  const dir = tempDir();
  const out = join(dir, "runs");
  const example = JSON.stringify(new URL("../examples/max_min_distance.ts", import.meta.url).href);
  const modules: Record<string, string> = {
    "none.ts": "export const answer = 42;\n",
    "two.ts":
      `import { maxMinDistance as p } from ${example};\nexport const a = p;\nexport const b = { ...p, name: "b" };\n`,
    "missing.ts":
      `import { maxMinDistance } from ${example};\nconst { evaluate: _, ...rest } = maxMinDistance;\nexport const broken = rest;\n`,
    "wrong.ts":
      `import { maxMinDistance } from ${example};\nexport default { ...maxMinDistance, direction: "up" };\n`,
    "nogrammar.ts":
      `import { maxMinDistance } from ${example};\nconst { grammar: _, ...rest } = maxMinDistance;\nexport default rest;\n`,
    // Loads here, not in a worker thread: the workers' check before step 0 must stop the run (exit 1).
    "noworker.ts": `import { maxMinDistance } from ${example};\n` +
      `if ("WorkerGlobalScope" in globalThis) throw new Error("needs the main thread");\nexport default maxMinDistance;\n`,
  };
  for (const [name, text] of Object.entries(modules)) Deno.writeTextFileSync(join(dir, name), text);
  const url = (name: string) => pathToFileURL(join(dir, name)).href;
  const cases: [string, number, string][] = [
    [
      "none.ts",
      2,
      `problem module ${url("none.ts")} exports no problem: export an object with name, direction,`,
    ],
    [
      "two.ts",
      2,
      `problem module ${
        url("two.ts")
      } exports 2 problems ("max-min-distance" as export "a", "b" as export "b")`,
    ],
    [
      "missing.ts",
      2,
      `problem module ${url("missing.ts")} (export "broken") has no "evaluate", which must be a function`,
    ],
    [
      "wrong.ts",
      2,
      `problem module ${
        url("wrong.ts")
      } (export "default"): "direction" must be "minimize" or "maximize", got "up"`,
    ],
    [
      "nogrammar.ts",
      2,
      `problem module ${
        url("nogrammar.ts")
      } ("max-min-distance") has no "grammar": the built-in policy needs its move grammar, feature names,`,
    ],
    [
      "noworker.ts",
      1,
      `worker threads cannot load problem "max-min-distance" from ${
        url("noworker.ts")
      }: needs the main thread`,
    ],
    ["nosuch.ts", 2, `problem module ${url("nosuch.ts")} does not load: Module not found`],
  ];
  for (const [name, exit, message] of cases) {
    const { code, stderr } = await run(join(dir, name), "--steps", "1", "--workers", "2", "--out", out);
    assertEquals(code, exit, `${name}: ${stderr}`);
    assertEquals(stderr.trim().split("\n").length, 1, `${name}: one line, no usage text: ${stderr}`);
    assert(stderr.startsWith(`error: ${message}`), `${name}: ${stderr}`);
    assert(!existsSync(out), `${name} wrote ${out}`);
  }
});

Deno.test("cli tests leave nothing in the temp dir", () => {
  Deno.removeSync(scratch, { recursive: true });
});

import { join } from "node:path";
import { assert, assertEquals } from "./assert.ts";

const cli = new URL("../lib/cli.ts", import.meta.url).pathname;

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
  ];
  for (const [args, pattern] of cases) {
    const { code, stderr } = await run(...args);
    assertEquals(code, 2, `${args.join(" ")} exited ${code}: ${stderr}`);
    assert(pattern.test(stderr), `${args.join(" ")}: ${stderr.split("\n")[0]}`);
  }
});

Deno.test("resuming a directory that is not a run fails with exit 2 and creates nothing", async () => {
  const dir = Deno.makeTempDirSync();
  const missing = join(dir, "missing");
  const { code, stderr } = await run("--resume", missing);
  assertEquals(code, 2);
  assert(stderr.includes(missing), stderr);
  assertEquals([...Deno.readDirSync(dir)].length, 0);
});

Deno.test("a problem's own flags reach its options, and a setup failure is one clear line (exit 1)", async () => {
  const { code, stderr } = await run("denoise", "--data", "/nonexistent/dataset", "--steps", "1");
  assertEquals(code, 1);
  assert(/^error: .*\/nonexistent\/dataset/m.test(stderr), stderr);
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

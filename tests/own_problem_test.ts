/**
 * The README's "Your own problem", as a user would do it: the example copied out of the repository,
 * run from the command line with 2 workers, stopped with Ctrl-C (SIGINT) mid-run, resumed to the end.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import pl from "nodejs-polars";
import { tempDir } from "./temp_dirs.ts";
import { assert, assertEquals } from "./assert.ts";

const repo = new URL("..", import.meta.url).pathname;
const example = new URL("../examples/max_min_distance.ts", import.meta.url);
/** Enough steps that the Ctrl-C, sent after the first, lands well before the last on a loaded machine. */
const STEPS = 20;

/** Runs the CLI from the repository (its deno.json maps `ttt-discover/kit`); `onStderr` sees stderr so far. */
async function cli(args: string[], onStderr?: (text: string, child: Deno.ChildProcess) => void) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(repo, "lib/cli.ts"), ...args],
    cwd: repo,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  try {
    const stdout = new Response(child.stdout).text();
    let stderr = "";
    const decoder = new TextDecoder();
    for await (const chunk of child.stderr) {
      stderr += decoder.decode(chunk, { stream: true });
      onStderr?.(stderr, child);
    }
    return { code: (await child.status).code, stdout: await stdout, stderr };
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* already exited */ }
  }
}

Deno.test("README: the example problem is the file in examples/, word for word", () => {
  const readme = Deno.readTextFileSync(join(repo, "README.md"));
  const section = readme.slice(readme.indexOf("## Your own problem"));
  assert(section.length > 0, "README has a section 'Your own problem'");
  const source = Deno.readTextFileSync(example);
  assert(
    section.includes("```ts\n" + source + "```"),
    "the README shows examples/max_min_distance.ts as it is",
  );
  const lines = source.trimEnd().split("\n").length;
  assert(lines <= 60, `the example is ${lines} lines`);
});

Deno.test("a problem written outside the repository runs from the CLI with 2 workers, stops on Ctrl-C, and resumes", async () => {
  const dir = tempDir("ttt-own-problem-");
  const module = join(dir, "max_min_distance.ts");
  Deno.copyFileSync(example, module);
  const out = join(dir, "runs");
  const flags = ["--workers", "2", "--groups", "2", "--group-size", "6", "--seed", "3", "--out", out];

  // Ctrl-C as soon as the first step is reported: the run finishes that step, writes it, and stops.
  let interrupted = false;
  const first = await cli([module, "--steps", String(STEPS), ...flags], (stderr, child) => {
    if (!interrupted && /^step 1\//m.test(stderr)) {
      interrupted = true;
      child.kill("SIGINT");
    }
  });
  assert(interrupted, `the run reported a step: ${first.stderr}`);
  assertEquals(first.code, 0, first.stderr);
  assert(first.stderr.includes("stopping after this step"), first.stderr);
  assert(first.stdout.includes("(stopped by signal)"), first.stdout);
  const runDir = first.stderr.match(/^run directory: (.+)$/m)?.[1] ?? "";
  assert(runDir.startsWith(join(out, "max-min-distance")), first.stderr);
  const stepsOf = () => pl.readParquet(join(runDir, "steps.parquet")).height;
  const stopped = stepsOf();
  assert(stopped >= 1 && stopped < STEPS, `stopped after ${stopped} of ${STEPS} steps`);
  const config = JSON.parse(Deno.readTextFileSync(join(runDir, "config.json")));
  assertEquals(config.problem, "max-min-distance");
  assertEquals(config.problemModule, pathToFileURL(module).href);

  // --resume needs only the run directory: the problem comes back from the module config.json names.
  const resumed = await cli(["--resume", runDir, "--quiet"]);
  assertEquals(resumed.code, 0, resumed.stderr);
  assert(resumed.stdout.includes("(stopped by steps)"), resumed.stdout);
  assertEquals(stepsOf(), STEPS);
  const best = JSON.parse(Deno.readTextFileSync(join(runDir, "best.json")));
  assert(
    best.value > 0 && best.value < 0.4,
    `best d ${best.value} (the optimum for 12 points is about 0.389)`,
  );
  assert(Deno.statSync(join(runDir, "report.svg")).size > 0);
});

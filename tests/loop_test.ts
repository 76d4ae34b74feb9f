import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import pl from "nodejs-polars";
import type { StepReport } from "../lib/loop.ts";
import { loadProblem } from "../lib/problem_module.ts";
import { tempDir } from "./temp_dirs.ts";
import { assert, assertAlmostEquals, assertEquals, assertRejects } from "./assert.ts";
import { hangingToy, toy } from "./toy_problem.ts";
import { reproducibleErdos, runToEnd } from "./runs.ts";

const small = reproducibleErdos;

function attemptsOf(dir: string) {
  return pl.readParquet(join(dir, "attempts.parquet"))
    .select("step", "group", "rollout", "parent_id", "child_id", "valid", "value", "reward", "program")
    .toRecords();
}

Deno.test("a short run writes every file, and best.json holds a re-verifiable construction", async () => {
  const out = tempDir();
  const { reports, summary } = await runToEnd({ config: small, out });
  assertEquals(reports.length, 3);
  const dir = summary.runDir!;
  for (const f of ["config.json", "attempts.parquet", "states.parquet", "steps.parquet", "best.json"]) {
    assert(Deno.statSync(join(dir, f)).isFile, `${f} missing`);
  }
  const config = JSON.parse(Deno.readTextFileSync(join(dir, "config.json")));
  assertEquals(config.seed, 11);
  assertEquals(config.groups, 3);
  const best = JSON.parse(Deno.readTextFileSync(join(dir, "best.json")));
  const verdict = await (await loadProblem("erdos")).evaluate(best.construction);
  assert(verdict.valid);
  assertEquals(verdict.value, best.value);
  assertAlmostEquals(best.certified.value, best.value, 1e-12);
  assertEquals(attemptsOf(dir).length, 3 * 3 * 6);
  const steps = pl.readParquet(join(dir, "steps.parquet"));
  assertEquals(steps.getColumn("step").toArray(), [0, 1, 2]);
  // The best value only ever improves, and matches the best valid attempt.
  const bests = steps.getColumn("best").toArray() as number[];
  assert(bests.every((b, i) => i === 0 || b <= bests[i - 1]));
  const values = attemptsOf(dir).filter((r) => r.valid).map((r) => r.value as number);
  assert(Math.min(...values) >= best.value);
});

Deno.test("runs are reproducible for a seed, whatever the worker count", async () => {
  const a = await runToEnd({ config: { ...small, workers: 0 } });
  const b = await runToEnd({ config: { ...small, workers: 2 } });
  const rows = (r: { reports: StepReport[] }) =>
    r.reports.flatMap((s) => s.attempts.map((x) => [x.program, x.value, x.childId]));
  const cut = [a, b].flatMap((r) => r.reports.flatMap((s) => s.attempts.filter((x) => x.cutShort)));
  assertEquals(cut.length, 0, "a rollout ran into its deadline, which makes it depend on the machine");
  assertEquals(rows(a), rows(b));
  assertEquals(a.summary.best.value, b.summary.best.value);
});

Deno.test("a run killed mid-way and resumed loses and duplicates nothing, and matches an uninterrupted run", async () => {
  const out = tempDir();
  const cli = new URL("../lib/cli.ts", import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      cli,
      "erdos",
      "--steps",
      "5",
      "--groups",
      "3",
      "--group-size",
      "6",
      "--seed",
      "11",
      // The same run as `small` below.
      "--program-timeout",
      "900",
      "--option",
      "minPieces=20",
      "--option",
      "maxPieces=30",
      "--out",
      out,
      "--quiet",
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  // Kill it (no chance to clean up) once two steps are committed.
  let dir = "";
  for (let i = 0; i < 600; i++) {
    await new Promise((r) => setTimeout(r, 100));
    try {
      dir = join(out, "erdos", [...Deno.readDirSync(join(out, "erdos"))][0].name);
      const cp = JSON.parse(Deno.readTextFileSync(join(dir, "checkpoint.json")));
      if (cp.completedSteps >= 2) break;
    } catch { /* not there yet */ }
  }
  child.kill("SIGKILL");
  await child.status;
  const done = JSON.parse(Deno.readTextFileSync(join(dir, "checkpoint.json"))).completedSteps;
  assert(done >= 2 && done < 5, `killed after ${done} steps`);

  const resumed = await runToEnd({ resume: dir });
  assertEquals(resumed.reports[0].step, done);
  const rows = attemptsOf(dir);
  assertEquals(rows.length, 5 * 3 * 6);
  const keys = new Set(rows.map((r) => `${r.step}/${r.group}/${r.rollout}`));
  assertEquals(keys.size, rows.length);

  const straight = await runToEnd({ config: { ...small, steps: 5 }, out: tempDir() });
  assertEquals(attemptsOf(straight.summary.runDir!), rows);
  assertEquals(resumed.summary.best.value, straight.summary.best.value);
});

Deno.test("moves that throw or produce NaN are recorded as invalid attempts and the run goes on", async () => {
  const { reports, summary } = await runToEnd({
    config: { problem: "toy", steps: 8, groups: 2, groupSize: 8, workers: 0, seed: 3 },
    problem: toy,
  });
  const attempts = reports.flatMap((r) => r.attempts);
  const failed = attempts.filter((a) => a.program.includes("fail"));
  const nan = attempts.filter((a) => a.program.includes("nan") && !a.program.includes("fail"));
  assert(failed.length > 0 && nan.length > 0);
  assert(failed.every((a) => !a.valid && a.reward === 0 && /always fails/.test(a.error)));
  assert(
    nan.filter((a) => !a.program.match(/nan\(\); add/)).every((a) => !a.valid && /finite/.test(a.error)),
  );
  assertEquals(reports.length, 8);
  assert(summary.best.value < 7, "the walk made progress toward 7");
});

Deno.test("resuming a missing or corrupt run directory fails clearly and writes nothing", async () => {
  await assertRejects(() => runToEnd({ resume: "/nonexistent/run" }), /nonexistent/);
  const out = tempDir();
  const { summary } = await runToEnd({ config: { ...small, steps: 1 }, out });
  const dir = summary.runDir!;
  Deno.writeTextFileSync(join(dir, "checkpoint.json"), "{ not json");
  const before = [...Deno.readDirSync(dir)].map((
    e,
  ) => [e.name, Deno.statSync(join(dir, e.name)).mtime?.getTime()]);
  await assertRejects(() => runToEnd({ resume: dir }), /checkpoint\.json/);
  const after = [...Deno.readDirSync(dir)].map((
    e,
  ) => [e.name, Deno.statSync(join(dir, e.name)).mtime?.getTime()]);
  assertEquals(after, before);
});

Deno.test("budgets: rollouts and minutes stop the run", async () => {
  const byRollouts = await runToEnd({ config: { ...small, steps: 50, maxRollouts: 40, workers: 0 } });
  assertEquals(byRollouts.summary.stoppedBy, "rollouts");
  assertEquals(byRollouts.reports.length, 3); // 18 rollouts a step: 18, 36, then 54 >= 40
  const byTime = await runToEnd({ config: { ...small, steps: 1000, minutes: 0.02, workers: 0 } });
  assertEquals(byTime.summary.stoppedBy, "time");
  assert(byTime.reports.length < 1000);
});

Deno.test("the time budget cuts the last step's rollouts: a run ends with its minutes", async () => {
  // Every rollout would spend 10 s (equal effort) under a 60-s limit; the budget is 3 s.
  const started = performance.now();
  const run = await runToEnd({
    config: { ...small, steps: 5, minutes: 0.05, effortSeconds: 10, rolloutTimeoutSeconds: 60, workers: 2 },
  });
  const seconds = (performance.now() - started) / 1000;
  assertEquals(run.reports.length, 1);
  assert(seconds < 8, `a 3-s budget took ${seconds.toFixed(1)} s`);
  assert(run.reports[0].attempts.every((a) => a.valid), "a cut rollout must return a valid state");
});

Deno.test("a rollout that never returns is stopped at its time limit, recorded, and the run goes on", async () => {
  const { reports } = await runToEnd({
    config: {
      problem: "hanging-toy",
      steps: 2,
      groups: 1,
      groupSize: 6,
      workers: 2,
      seed: 4,
      rolloutTimeoutSeconds: 1,
    },
    problem: hangingToy,
    problemModule: new URL("./toy_problem.ts", import.meta.url).href,
  });
  const attempts = reports.flatMap((r) => r.attempts);
  const hung = attempts.filter((a) => a.program.startsWith("hang"));
  assert(hung.length > 0, "some programs hang");
  assert(hung.every((a) => !a.valid && /timed out after 1\.0 s/.test(a.error)));
  assert(attempts.some((a) => a.valid), "the other rollouts still ran on the replaced workers");
  assertEquals(reports.length, 2);
});

Deno.test("a problem outside the registry needs workers: 0 or its module", async () => {
  await assertRejects(
    () =>
      runToEnd({ config: { problem: "toy", steps: 1, groups: 1, groupSize: 2, workers: 1 }, problem: toy }),
    /not loaded from a module/,
  );
});

Deno.test("--kl 0 trains without asking for the reference, and leaves kl unmeasured (NaN), not 0", async () => {
  const { reports } = await runToEnd({ config: { ...small, steps: 2, klCoef: 0, workers: 0 } });
  const trained = reports.filter((r) => Number.isFinite(r.row.loss));
  assert(trained.length > 0, "some step trained");
  for (const r of trained) assert(Number.isNaN(r.row.kl), `kl ${r.row.kl}`);
  const withKl = await runToEnd({ config: { ...small, steps: 2, workers: 0 } });
  assert(withKl.reports.some((r) => Number.isFinite(r.row.kl)), "with the KL term, kl is measured");
});

Deno.test("--train-after K searches as --no-train does until step K, then trains", async () => {
  const programs = (r: { reports: StepReport[] }) => r.reports.map((s) => s.attempts.map((x) => x.program));
  const delayed = await runToEnd({ config: { ...small, steps: 3, trainAfter: 2, workers: 0 } });
  const search = await runToEnd({ config: { ...small, steps: 3, train: false, workers: 0 } });
  assertEquals(delayed.reports.map((r) => Number.isFinite(r.row.loss)), [false, false, true]);
  // Steps 0-2 sample from the untouched initial policy (step 2's update comes after its rollouts).
  assertEquals(programs(delayed), programs(search));
  const trained = await runToEnd({ config: { ...small, steps: 3, workers: 0 } });
  assert(Number.isFinite(trained.reports[0].row.loss), "without --train-after, step 0 trains");
});

/** A pattern that matches `text` exactly, from the start. */
const literal = (text: string) => new RegExp("^" + text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));

Deno.test("a problem module given by a relative path is read against the working directory and recorded for --resume", async () => {
  // Relative to the working directory, as a caller writes it: workers live in lib/, where it would mean another file.
  const module = relative(Deno.cwd(), fileURLToPath(new URL("./toy_problem.ts", import.meta.url)));
  const out = tempDir();
  const config = { problem: "toy", steps: 1, groups: 1, groupSize: 8, workers: 2, seed: 2 };
  const first = await runToEnd({ config, problemModule: module, out });
  const url = new URL("./toy_problem.ts", import.meta.url).href;
  assertEquals(first.summary.config.problemModule, url);
  const attempts = first.reports[0].attempts;
  assert(attempts.every((a) => !/worker/.test(a.error)), "the workers loaded the problem");
  assert(attempts.some((a) => a.valid), "some program ran on the workers");
  const runDir = first.summary.runDir!;
  assertEquals(JSON.parse(Deno.readTextFileSync(join(runDir, "config.json"))).problemModule, url);
  // Resumed from its directory alone: the problem comes back from the recorded module.
  const resumed = await runToEnd({ resume: runDir, config: { problem: "toy", steps: 2 } });
  assertEquals(resumed.summary.steps.length, 2);
  assertEquals(resumed.reports.length, 1);
});

Deno.test("workers that cannot load the problem fail the run before step 0, leaving no run directory", async () => {
  const out = tempDir();
  await assertRejects(
    () =>
      runToEnd({
        config: { problem: "toy-copy", steps: 1, groups: 1, groupSize: 2, workers: 2 },
        problem: { ...toy, name: "toy-copy" },
        problemModule: new URL("./toy_problem.ts", import.meta.url),
        out,
      }),
    /^worker threads cannot load problem "toy-copy" from file:\S+toy_problem\.ts: exports no problem named "toy-copy"/,
  );
  assertEquals([...Deno.readDirSync(out)], []);
});

Deno.test("a problem module that exports two problems, or breaks the contract, is refused by name and member before anything is written", async () => {
  const out = tempDir();
  const toyModule = new URL("./toy_problem.ts", import.meta.url).href;
  await assertRejects(
    () => runToEnd({ config: { problem: toyModule, steps: 1 }, out }),
    literal(
      `problem module ${toyModule} exports 2 problems ("hanging-toy" as export "hangingToy", "toy" as export "toy")`,
    ),
  );
  const broken = join(tempDir(), "broken.ts");
  Deno.writeTextFileSync(
    broken,
    `import { toy } from ${JSON.stringify(toyModule)};\nexport default { ...toy, featureNames: [] };\n`,
  );
  await assertRejects(
    () => runToEnd({ config: { problem: broken, steps: 1, workers: 0 }, out }),
    literal(
      `problem module ${
        pathToFileURL(broken).href
      } (export "default"): "featureNames" must be a non-empty array of ` +
        "strings (one per feature; their count is the policy's input size), got an array of 0",
    ),
  );
  assertEquals([...Deno.readDirSync(out)], []);
});

Deno.test("config.problem may name the module itself: a path from the working directory becomes the problem's name and URL", async () => {
  const url = new URL("../examples/max_min_distance.ts", import.meta.url);
  const path = relative(Deno.cwd(), fileURLToPath(url));
  const { summary } = await runToEnd({
    config: { problem: path, steps: 1, groups: 1, groupSize: 4, workers: 2 },
  });
  assertEquals(summary.config.problem, "max-min-distance");
  assertEquals(summary.config.problemModule, url.href);
  assert(summary.best.value > 0);
});

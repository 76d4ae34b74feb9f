/**
 * The library as a user imports it (mod.ts): a call that returns the run's summary, report.svg written
 * by the library, plots that take the tables as read, and config errors in one readable line.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  ConfigError,
  discover,
  Plot,
  type Problem,
  progressPlot,
  readRunTables,
  renderPlot,
  REPORT_FILE,
  runDiscovery,
  type StepReport,
} from "../mod.ts";
import { assert, assertEquals, assertThrows } from "./assert.ts";
import { tempDir } from "./temp_dirs.ts";
import { toy } from "./toy_problem.ts";

/** The toy walk with a figure of its own, so the report's problem figures can be seen. */
const figured: Problem = {
  ...(toy as unknown as Problem),
  name: "figured-toy",
  figures: (state) => [
    renderPlot({ marks: [Plot.text([`x = ${(state as { x: number }).x}`], { frameAnchor: "middle" })] }),
  ],
};

Deno.test("runDiscovery returns the summary, calls onStep for each step, and writes report.svg", async () => {
  const out = tempDir();
  const seen: StepReport[] = [];
  const summary = await runDiscovery({
    problem: figured,
    config: { problem: "figured-toy", steps: 3, groups: 2, groupSize: 4, workers: 0, seed: 3 },
    out,
    onStep: (report) => void seen.push(report),
  });
  assertEquals(seen.map((r) => r.step), [0, 1, 2]);
  assertEquals(summary.stoppedBy, "steps");
  assertEquals(summary.steps.length, 3);
  assertEquals(summary.best, seen[2].best);
  assert(summary.runDir !== undefined && summary.runDir.startsWith(out));

  const report = Deno.readTextFileSync(join(summary.runDir, REPORT_FILE));
  assert(report.startsWith("<svg"), "report.svg is an SVG");
  assert(report.includes(`Toy walk to 7: best distance ${summary.best.value}`), "titled with the best value");
  assert(report.includes(`x = `), "the problem's own figure is in the report");

  // The tables as read plot directly, and draw what the run's own rows draw.
  const tables = readRunTables(summary.runDir);
  assertEquals(progressPlot(tables.steps), progressPlot(summary.steps));
});

Deno.test("a for-await run with a run directory gets report.svg too; a run without one has no directory", async () => {
  const out = tempDir();
  let runDir: string | undefined;
  for await (
    const report of discover({
      problem: figured,
      config: { problem: "figured-toy", steps: 1, groups: 1, groupSize: 2, workers: 0 },
      out,
    })
  ) {
    runDir = report.runDir;
  }
  assert(runDir !== undefined && existsSync(join(runDir, REPORT_FILE)));

  const summary = await runDiscovery({
    problem: figured,
    config: { problem: "figured-toy", steps: 1, groups: 1, groupSize: 2, workers: 0 },
  });
  assertEquals(summary.runDir, undefined);
});

Deno.test("an error in onStep ends the run (its lock released) and reaches the caller", async () => {
  const out = tempDir();
  let dir: string | undefined;
  const failing = runDiscovery({
    problem: figured,
    config: { problem: "figured-toy", steps: 3, groups: 1, groupSize: 2, workers: 0 },
    out,
    onStep: (report) => {
      dir = report.runDir;
      throw new Error("the caller's own bug");
    },
  });
  let caught: unknown;
  try {
    await failing;
  } catch (e) {
    caught = e;
  }
  assert(caught instanceof Error && caught.message === "the caller's own bug", String(caught));
  // The run can be resumed at once: the lock went with the generator.
  const resumed = await runDiscovery({
    problem: figured,
    resume: dir!,
    config: { problem: "figured-toy", steps: 2 },
  });
  assertEquals(resumed.steps.length, 2);
});

Deno.test("discover() reports a wrong config in one readable line naming the field and its flag", async () => {
  let caught: unknown;
  try {
    await discover({ config: { problem: "erdos", steps: 0, groupSize: 1 } }).next();
  } catch (e) {
    caught = e;
  }
  assert(caught instanceof ConfigError, String(caught));
  assertEquals(
    caught.message,
    "invalid run configuration: steps (--steps): Too small: expected number to be >0; " +
      "groupSize (--group-size): Too small: expected number to be >=2",
  );
  assert(!caught.message.includes("{"), "no zod JSON");
  assertEquals(caught.issues.length, 2);

  assertThrows(
    () => {
      throw new ConfigError([{ path: [], message: 'Unrecognized key: "stepz"' }]);
    },
    /^invalid run configuration: config: Unrecognized key: "stepz"$/,
  );
});

Deno.test("discover() from untyped JavaScript without a problem: the same one-line ConfigError", async () => {
  const untyped = discover as (options: unknown) => ReturnType<typeof discover>;
  const errorOf = async (config: unknown) => {
    try {
      await untyped({ config }).next();
    } catch (e) {
      return e;
    }
    throw new Error("no error");
  };
  const missing = await errorOf({});
  assert(missing instanceof ConfigError, String(missing));
  assertEquals(
    missing.message,
    "invalid run configuration: problem: Invalid input: expected string, received undefined",
  );
  assertEquals(missing.issues.map((issue) => issue.path), [["problem"]]);
  // Every wrong field at once, as for any other configuration.
  const alsoSteps = await errorOf({ steps: 0 });
  assert(alsoSteps instanceof ConfigError, String(alsoSteps));
  assertEquals(
    alsoSteps.message,
    "invalid run configuration: problem: Invalid input: expected string, received undefined; " +
      "steps (--steps): Too small: expected number to be >0",
  );
  const notAString = await errorOf({ problem: 3 });
  assert(notAString instanceof ConfigError, String(notAString));
  assertEquals(
    notAString.message,
    "invalid run configuration: problem: Invalid input: expected string, received number",
  );
});

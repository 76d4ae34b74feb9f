/**
 * The command line comes from one table (lib/config.ts CONFIG_FLAGS): every configuration field has a
 * flag, --help lists every flag, and each value is checked by its field's own schema.
 */
import { z } from "zod";
import { parseStudyCommandLine } from "../lib/ablate_cli.ts";
import { parseCommandLine, RUN_FLAGS, usage } from "../lib/cli.ts";
import { CONFIG_FLAGS, PROBLEM_ARGUMENT, resolveConfig, RunConfigSchema } from "../lib/config.ts";
import { assert, assertEquals, assertThrows } from "./assert.ts";

function configOf(argv: string[]) {
  const request = parseCommandLine(argv);
  assert(request.kind === "run", `${argv.join(" ")} is not a run`);
  return request.config;
}

Deno.test("every configuration field has a flag (or is the problem argument), and no flag is used twice", () => {
  const fields = Object.keys(RunConfigSchema.shape);
  const table = CONFIG_FLAGS as Record<string, unknown>;
  const missing = fields.filter((field) => table[field] === undefined);
  assertEquals(missing, [], `fields without a flag: ${missing.join(", ")}`);
  assertEquals(Object.keys(table).sort(), [...fields].sort());
  const positional = fields.filter((field) => table[field] === PROBLEM_ARGUMENT);
  assertEquals(positional.sort(), ["problem", "problemModule"]);
  const flags = RUN_FLAGS.map((spec) => spec.flag);
  assertEquals(flags.filter((flag, i) => flags.indexOf(flag) !== i), []);
});

Deno.test("--help lists every flag of the table", () => {
  const help = usage();
  for (const spec of RUN_FLAGS) {
    const shown = `--${spec.flag}${spec.value ? ` ${spec.value}` : ""}`;
    assert(help.includes(`  ${shown} `) || help.includes(`  ${shown}\n`), `${shown} missing from --help`);
  }
  // Choices and defaults come from the schema.
  assert(help.includes("puct|greedy|epsilon|none"), "reuse rules");
  assert(/--archive-size N +states the archive keeps \(default 1000\)/.test(help), "archive default");
});

Deno.test("the fields that had no flag are reachable from the command line", () => {
  const config = configOf([
    "erdos",
    "--exploration",
    "0.5",
    "--archive-size",
    "200",
    "--fixed-beta",
    "3",
    "--hidden",
    "16",
    "--no-temperature-control",
    "--sandbox-heap",
    "512",
    "--prompt-chars",
    "1000",
    "--model-path",
    "model.gguf",
    "--max-retries",
    "2",
  ]);
  const resolved = resolveConfig(config);
  assertEquals(resolved.exploration, 0.5);
  assertEquals(resolved.archiveSize, 200);
  assertEquals(resolved.fixedBeta, 3);
  assertEquals(resolved.hidden, 16);
  assertEquals(resolved.temperatureControl, false);
  assertEquals(resolved.sandboxHeapMiB, 512);
  assertEquals(resolved.promptChars, 1000);
  assertEquals(resolved.modelPath, "model.gguf");
  assertEquals(resolved.maxRetries, 2);
});

Deno.test("existing flags keep their fields and values", () => {
  const config = configOf([
    "erdos",
    "--steps",
    "3",
    "--rollouts",
    "40",
    "--minutes",
    "1.5",
    "--group-size",
    "4",
    "--no-train",
    "--kl",
    "0",
    "--lr",
    "1e-3",
    "--program-timeout",
    "10",
    "--effort",
    "2",
    "--price-in",
    "0.5",
    "--reuse",
    "greedy",
    "--option",
    "minPieces=40",
  ]);
  assertEquals(config.steps, 3);
  assertEquals(config.maxRollouts, 40);
  assertEquals(config.minutes, 1.5);
  assertEquals(config.groupSize, 4);
  assertEquals(config.train, false);
  assertEquals(config.klCoef, 0);
  assertEquals(config.learningRate, 1e-3);
  assertEquals(config.rolloutTimeoutSeconds, 10);
  assertEquals(config.effortSeconds, 2);
  assertEquals(config.inputUsdPerMTok, 0.5);
  assertEquals(config.reuse, "greedy");
  assertEquals(config.problemOptions, { minPieces: 40 });
  // A flag not given leaves its field to the problem's and the global defaults.
  assertEquals(config.temperatureControl, undefined);
  assertEquals(config.seed, undefined);
});

Deno.test("every number flag refuses what is not a number, in the flag's words", () => {
  for (const [field, spec] of Object.entries(CONFIG_FLAGS)) {
    if (spec === PROBLEM_ARGUMENT || spec.value === undefined || spec.multiple) continue;
    let schema = RunConfigSchema.shape[field as keyof typeof RunConfigSchema.shape] as z.ZodType;
    while (schema instanceof z.ZodDefault || schema instanceof z.ZodOptional) {
      schema = schema.unwrap() as z.ZodType;
    }
    if (!(schema instanceof z.ZodNumber)) continue;
    assertThrows(
      () => parseCommandLine(["erdos", `--${spec.flag}`, "0x10"]),
      new RegExp(`^--${spec.flag} 0x10: expected a number$`),
    );
  }
  assertThrows(() => parseCommandLine(["erdos", "--steps", "-1"]), /^--steps -1: Too small/);
  assertThrows(() => parseCommandLine(["erdos", "--archive-size", "2.5"]), /^--archive-size 2\.5: .*int/);
  assertThrows(() => parseCommandLine(["erdos", "--api", "soap"]), /^--api soap: .*"chat"\|"completions"/);
});

Deno.test("a resumed run refuses a new setting by its flag", () => {
  assertThrows(
    () => parseCommandLine(["--resume", "runs/x", "--exploration", "2"]),
    /\(got --exploration\)$/,
  );
  const request = parseCommandLine(["--resume", "runs/x", "--steps", "9"]);
  assert(request.kind === "resume");
  assertEquals(request.config.steps, 9);
});

Deno.test("deno task ablate shares the run's flags for the settings every run of a study shares", () => {
  const args = parseStudyCommandLine(
    [
      "erdos",
      "--groups",
      "2",
      "--group-size",
      "8",
      "--program-timeout",
      "30",
      "--seeds",
      "3",
      "--option",
      "minPieces=40",
    ],
    ["erdos"],
  );
  assert(args !== "help");
  assertEquals(
    { ...args },
    {
      problem: "erdos",
      rollouts: 1536,
      seeds: 3,
      groups: 2,
      groupSize: 8,
      variants: undefined,
      workers: undefined,
      programTimeout: 30,
      option: ["minPieces=40"],
      out: "runs/ablations",
    },
  );
  // The same checks and words as `deno task run`.
  assertThrows(
    () => parseStudyCommandLine(["erdos", "--group-size", "1"], ["erdos"]),
    /^--group-size 1: Too small/,
  );
  assertThrows(
    () => parseStudyCommandLine(["erdos", "--workers", "x"], ["erdos"]),
    /^--workers x: expected a number$/,
  );
  assertThrows(() => parseStudyCommandLine(["erdos", "--seeds", "200"], ["erdos"]), /^--seeds 200: Too big/);
  assertThrows(
    () => parseStudyCommandLine(["erdos", "--option", "x"], ["erdos"]),
    /^--option x: expected KEY=VALUE$/,
  );
  assertThrows(() => parseStudyCommandLine(["nope"], ["erdos"]), /unknown problem "nope"/);
});

Deno.test("a setting no flag can check alone is refused before anything is written, naming its flag (exit 2)", async () => {
  const out = Deno.makeTempDirSync({ prefix: "ttt-cli-table-" });
  try {
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL("../lib/cli.ts", import.meta.url).pathname,
        "erdos",
        "--effort",
        "100",
        "--out",
        out,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(stderr);
    assertEquals(code, 2, text);
    assertEquals(
      text.trim(),
      "error: invalid run configuration: effortSeconds (--effort): effortSeconds must fit in the rollout " +
        "time limit (at most 0.8 x rolloutTimeoutSeconds)",
    );
    assertEquals([...Deno.readDirSync(out)], []);
  } finally {
    Deno.removeSync(out, { recursive: true });
  }
});

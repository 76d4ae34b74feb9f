/**
 * `deno task ablate <problem> [options]`: every variant of the paper's Table 8 on
 * the same rollout budget and seeds. Writes curves.parquet (variant, seed, step,
 * rollouts, best, mean, elapsed_ms), summary.md, summary.json and curves.svg.
 * `--merge DIR...` joins studies of one problem and budget run apart (e.g. one process per
 * variant, side by side) into one.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import pl from "nodejs-polars";
import { z } from "zod";
import {
  type CurvePoint,
  readCurves,
  runAblation,
  summarise,
  summaryMarkdown,
  type Variant,
  VARIANTS,
} from "./ablation.ts";
import { writeFileAtomic } from "./atomic.ts";
import { CONFIG_FLAGS, configFromFlags } from "./config.ts";
import {
  checkedValue,
  type FlagSpec,
  helpLine,
  joinNegativeValues,
  parseArgsOptions,
  UsageError,
  valuedFlags,
} from "./flags.ts";
import { ablationPlot } from "./plot.ts";
import { registeredProblems } from "./problem_module.ts";

const PROBLEMS = await registeredProblems();

/**
 * The study's flags: its own, and the run settings every run of the study shares, which keep the
 * flags, checks and help of `deno task run` (lib/config.ts CONFIG_FLAGS) with the study's defaults.
 */
const STUDY_FLAGS: readonly FlagSpec[] = [
  { flag: "rollouts", value: "N", help: "rollouts per run (default 1536)" },
  { flag: "seeds", value: "N", help: "seeds 0..N-1 (default 5)" },
  { ...CONFIG_FLAGS.groups, help: "start states per step (default 4)" },
  { ...CONFIG_FLAGS.groupSize, help: "rollouts per start state (default 16)" },
  { flag: "variants", value: "A,B", help: `a subset of: ${VARIANTS.map((v) => v.name).join(", ")}` },
  { ...CONFIG_FLAGS.workers, help: "rollout worker threads (default: one per core)" },
  { ...CONFIG_FLAGS.rolloutTimeoutSeconds, help: "rollout time limit in seconds (default: the problem's)" },
  {
    ...CONFIG_FLAGS.problemOptions,
    help: "a problem option for every run (repeatable; VALUE read as JSON when it parses)",
  },
  { flag: "out", value: "DIR", help: "where the study goes (default runs/ablations)" },
  { flag: "help", short: "h", help: "this text" },
];

const USAGE = `Usage: deno task ablate <problem> [options]

${STUDY_FLAGS.map((spec) => helpLine(spec)).join("\n")}

deno task ablate --merge DIR... [--out DIR]
  joins studies of one problem, budget and seeds that ran apart (e.g. one process per variant)
`;

/** A study's settings, as its config.json records them. */
export interface StudyArgs {
  readonly problem: string;
  readonly rollouts: number;
  readonly seeds: number;
  readonly groups: number;
  readonly groupSize: number;
  readonly variants?: string;
  readonly workers?: number;
  readonly programTimeout?: number;
  readonly option: readonly string[];
  readonly out: string;
}

/** Turns argv into a study's settings; throws UsageError, in `deno task run`'s words, on anything wrong. */
export function parseStudyCommandLine(
  argv: readonly string[],
  problems: readonly string[],
): StudyArgs | "help" {
  let parsed;
  try {
    parsed = parseArgs({
      args: joinNegativeValues(argv, valuedFlags(STUDY_FLAGS)),
      options: parseArgsOptions(STUDY_FLAGS),
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  if (values.help) return "help";
  const [problem, ...extra] = parsed.positionals;
  if (problem === undefined || extra.length > 0) throw new UsageError("name exactly one problem");
  if (!problems.includes(problem)) {
    throw new UsageError(`unknown problem "${problem}"; known problems: ${problems.join(", ")}`);
  }
  const shared = configFromFlags(values);
  const count = (flag: string, max: number, fallback: number) =>
    values[flag] === undefined
      ? fallback
      : checkedValue(flag, z.number().int().positive().max(max), values[flag] as string);
  const option = (values.option as string[] | undefined) ?? [];
  const pair = option.find((p) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(p));
  if (pair !== undefined) throw new UsageError(`--option ${pair}: expected KEY=VALUE`);
  return {
    problem,
    rollouts: count("rollouts", Number.MAX_SAFE_INTEGER, 1536),
    seeds: count("seeds", 100, 5),
    groups: shared.groups ?? 4,
    groupSize: shared.groupSize ?? 16,
    variants: values.variants as string | undefined,
    workers: shared.workers,
    programTimeout: shared.rolloutTimeoutSeconds,
    option,
    out: (values.out as string | undefined) ?? "runs/ablations",
  };
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === "--merge") return await merge(argv.slice(1));
  let args: StudyArgs;
  try {
    const parsed = parseStudyCommandLine(argv, Object.keys(PROBLEMS));
    if (parsed === "help") {
      console.log(USAGE);
      return 0;
    }
    args = parsed;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`error: ${e.message}\n\n${USAGE}`);
    return 2;
  }
  const names = args.variants?.split(",");
  const unknown = names?.filter((n) => !VARIANTS.some((v) => v.name === n)) ?? [];
  if (unknown.length) {
    console.error(`error: unknown variants ${unknown.join(", ")}\n\n${USAGE}`);
    return 2;
  }
  const variants = names ? VARIANTS.filter((v) => names.includes(v.name)) : VARIANTS;
  const seeds = Array.from({ length: args.seeds }, (_, i) => i);
  const dir = join(args.out, `${args.problem}-${new Date().toISOString().replaceAll(":", "-").slice(0, 19)}`);
  await Deno.mkdir(dir, { recursive: true });
  const settings = { ...args, variants: variants.map((v) => v.name), seedList: seeds };
  await writeFileAtomic(join(dir, "config.json"), JSON.stringify(settings, null, 2));
  console.error(
    `ablation of ${args.problem}: ${variants.length} variants x ${seeds.length} seeds x ${args.rollouts} rollouts -> ${dir}`,
  );

  const points = await runAblation({
    problem: args.problem,
    base: {
      groups: args.groups,
      groupSize: args.groupSize,
      rolloutTimeoutSeconds: args.programTimeout,
      problemOptions: problemOptions(args.option),
    },
    rollouts: args.rollouts,
    seeds,
    variants,
    workers: args.workers,
    onRun: (variant, seed, best, seconds) =>
      console.error(`  ${variant} seed ${seed}: best ${best.toPrecision(8)} (${seconds.toFixed(0)} s)`),
  });
  await writeStudy(dir, args.problem, points, variants, args.rollouts);
  return 0;
}

/** curves.parquet, summary.md, summary.json and curves.svg of a study. */
async function writeStudy(
  dir: string,
  problemName: string,
  points: readonly CurvePoint[],
  variants: readonly Variant[],
  rollouts: number,
): Promise<void> {
  const frame = pl.DataFrame({
    variant: points.map((p) => p.variant),
    seed: points.map((p) => p.seed),
    step: points.map((p) => p.step),
    rollouts: points.map((p) => p.rollouts),
    best: points.map((p) => p.best),
    mean: points.map((p) => p.mean),
    elapsed_ms: points.map((p) => p.elapsedMs),
  });
  frame.writeParquet(join(dir, "curves.parquet.tmp"));
  await Deno.rename(join(dir, "curves.parquet.tmp"), join(dir, "curves.parquet"));
  const problem = PROBLEMS[problemName];
  const summary = summarise(points, variants, problem.direction);
  const markdown = summaryMarkdown(problemName, summary, rollouts);
  await writeFileAtomic(join(dir, "summary.md"), markdown + "\n");
  await writeFileAtomic(join(dir, "summary.json"), JSON.stringify(summary, null, 2));
  await writeFileAtomic(
    join(dir, "curves.svg"),
    ablationPlot([...points], { quantity: problem.quantity, record: problem.record?.value }),
  );
  console.log(markdown);
  console.log(`\nstudy directory: ${dir}`);
}

const StudyConfig = z.object({
  problem: z.string(),
  rollouts: z.number().int().positive(),
  variants: z.array(z.string()),
  seedList: z.array(z.number().int()),
}).passthrough();

/** Joins studies run apart: same problem, budget and seeds, no variant twice. */
async function merge(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { out: { type: "string" } },
  });
  if (positionals.length < 2) {
    console.error(`error: --merge needs two study directories or more\n\n${USAGE}`);
    return 2;
  }
  const configs = [];
  for (const dir of positionals) {
    try {
      configs.push(StudyConfig.parse(JSON.parse(await Deno.readTextFile(join(dir, "config.json")))));
      await Deno.stat(join(dir, "curves.parquet"));
    } catch (e) {
      console.error(
        `error: ${dir} is not a finished study (config.json, curves.parquet): ${(e as Error).message}`,
      );
      return 2;
    }
  }
  const [first] = configs;
  const key = (c: typeof first) => `${c.problem}, ${c.rollouts} rollouts, seeds ${c.seedList.join(",")}`;
  const different = configs.find((c) => key(c) !== key(first));
  if (different) {
    console.error(`error: cannot merge ${key(first)} with ${key(different)}`);
    return 2;
  }
  const names = configs.flatMap((c) => c.variants);
  const twice = names.filter((n, i) => names.indexOf(n) !== i);
  if (twice.length) {
    console.error(`error: variant ${twice.join(", ")} is in more than one study`);
    return 2;
  }
  const points: CurvePoint[] = positionals.flatMap(readCurves);
  // The method's row first when it is there: the rank tests are against the first variant.
  const variants = VARIANTS.filter((v) => names.includes(v.name));
  const dir = values.out ?? join("runs/ablations", `${first.problem}-merged`);
  await Deno.mkdir(dir, { recursive: true });
  const merged = { ...first, variants: variants.map((v) => v.name), mergedFrom: positionals, configs };
  await writeFileAtomic(join(dir, "config.json"), JSON.stringify(merged, null, 2));
  await writeStudy(dir, first.problem, points, variants, first.rollouts);
  return 0;
}

/** KEY=VALUE pairs as an options object; VALUE is JSON when it parses, else a string. */
function problemOptions(pairs: readonly string[]): Record<string, unknown> {
  const options: Record<string, unknown> = Object.create(null);
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    const text = pair.slice(at + 1);
    let value: unknown = text;
    try {
      value = JSON.parse(text);
    } catch {
      // a plain string
    }
    options[pair.slice(0, at)] = value;
  }
  return { ...options };
}

if (import.meta.main) Deno.exit(await main(Deno.args));

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
  runAblation,
  summarise,
  summaryMarkdown,
  type Variant,
  VARIANTS,
} from "./ablation.ts";
import { writeFileAtomic } from "./atomic.ts";
import { ablationPlot } from "./plot.ts";
import { registeredProblems } from "./problem_module.ts";

const PROBLEMS = await registeredProblems();

const USAGE = `Usage: deno task ablate <problem> [options]

  --rollouts N       rollouts per run (default 1536)
  --seeds N          seeds 0..N-1 (default 5)
  --groups N         start states per step (default 4)
  --group-size N     rollouts per start state (default 16)
  --variants A,B     a subset of: ${VARIANTS.map((v) => v.name).join(", ")}
  --workers N        rollout worker threads (default: one per core)
  --program-timeout S  rollout time limit in seconds (default: the problem's)
  --option KEY=VALUE   a problem option for every run (repeatable; VALUE read as JSON when it parses)
  --out DIR          where the study goes (default runs/ablations)

deno task ablate --merge DIR... [--out DIR]
  joins studies of one problem, budget and seeds that ran apart (e.g. one process per variant)
`;

const Args = z.object({
  problem: z.string().refine((p) => p in PROBLEMS, {
    message: `known problems: ${Object.keys(PROBLEMS).join(", ")}`,
  }),
  rollouts: z.coerce.number().int().positive().default(1536),
  seeds: z.coerce.number().int().min(1).max(100).default(5),
  groups: z.coerce.number().int().positive().default(4),
  groupSize: z.coerce.number().int().min(2).default(16),
  variants: z.string().optional(),
  workers: z.coerce.number().int().min(0).optional(),
  programTimeout: z.coerce.number().positive().max(2_147_483).optional(),
  option: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*=/, "KEY=VALUE")).default([]),
  out: z.string().default("runs/ablations"),
});

async function main(argv: string[]): Promise<number> {
  if (argv[0] === "--merge") return await merge(argv.slice(1));
  let args;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        rollouts: { type: "string" },
        seeds: { type: "string" },
        groups: { type: "string" },
        "group-size": { type: "string" },
        variants: { type: "string" },
        workers: { type: "string" },
        "program-timeout": { type: "string" },
        option: { type: "string", multiple: true },
        out: { type: "string" },
        help: { type: "boolean" },
      },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    args = Args.parse({
      ...values,
      groupSize: values["group-size"],
      programTimeout: values["program-timeout"],
      problem: positionals[0],
    });
  } catch (e) {
    const message = e instanceof z.ZodError
      ? e.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")
      : (e as Error).message;
    console.error(`error: ${message}\n\n${USAGE}`);
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
  const summary = summarise(points, variants);
  const markdown = summaryMarkdown(problemName, summary, rollouts);
  await writeFileAtomic(join(dir, "summary.md"), markdown + "\n");
  await writeFileAtomic(join(dir, "summary.json"), JSON.stringify(summary, null, 2));
  const problem = PROBLEMS[problemName];
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
  const points: CurvePoint[] = positionals.flatMap((dir) =>
    pl.readParquet(join(dir, "curves.parquet")).toRecords().map((r) => ({
      variant: String(r.variant),
      seed: Number(r.seed),
      step: Number(r.step),
      rollouts: Number(r.rollouts),
      best: Number(r.best),
      mean: Number(r.mean),
      elapsedMs: Number(r.elapsed_ms),
    }))
  );
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

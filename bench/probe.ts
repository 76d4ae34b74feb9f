/**
 * Which program escapes from this state? Runs programs from start states under a run's rollout
 * rules and prints, per start and program, how many rollouts beat the start (lib/probe.ts).
 *
 *   deno task bench probe (--run RUN_DIR --ids 140,84 | <problem> --init NAME | <problem> --states FILE)
 *     [--then PROGRAM]
 *     (--program PROGRAM ... | --uniform N) [--repeats 12] [--effort S] [--timeout S] [--by X]
 *     [--seed 0] [--out FILE.jsonl]
 *
 * Starts are archived states of a run (`--ids`, from its states.parquet), a problem's warm start, or
 * a JSON file of `[{ "label": ..., "state": ... }]` (states as a run stores them; a probe's own
 * starts are written so with `--out`, to FILE.starts.json).
 * `--then PROGRAM` adds, for every start, the state that program makes of it (run once, e.g.
 * `resample(to=x2, interp=constant)` for the door a resampling opens), so a trap and its door are
 * probed side by side. Programs are written as the run tables print them (`hop(tries=8,
 * scale=0.001, iters=8000, temp=0.000003); slp(iters=64, radius=0.1)`); `--uniform N` instead draws
 * N programs per start as the untrained policy does and tallies by operator. With `--run` the
 * rollout rules (equal effort, time limit) are that run's unless given. `--by X`: a rollout counts
 * as improving when it beats its start by more than X (value units). `--out` writes every rollout
 * as a JSON line as it comes.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import pl from "nodejs-polars";
import { z } from "zod";
import { checkedValue, joinNegativeValues } from "../lib/flags.ts";
import { parseProgram } from "../lib/grammar.ts";
import { loadProblem } from "../lib/problem_module.ts";
import { probe, type ProbeStart, type ProbeTally, tallyByOperator, tallyByProgram } from "../lib/probe.ts";
import { Rng } from "../lib/rng.ts";
import { runRollout } from "../lib/rollout.ts";

const USAGE = "usage: deno task bench probe (--run RUN_DIR --ids 1,2 | <problem> --init NAME | " +
  "<problem> --states FILE) " +
  "[--then PROGRAM] (--program PROGRAM ... | --uniform N) [--repeats 12] [--effort S] [--timeout S] " +
  "[--by X] [--seed 0] [--out FILE.jsonl]";

const OPTIONS = {
  run: { type: "string" },
  ids: { type: "string" },
  init: { type: "string" },
  states: { type: "string" },
  then: { type: "string" },
  program: { type: "string", multiple: true },
  uniform: { type: "string" },
  repeats: { type: "string" },
  effort: { type: "string" },
  timeout: { type: "string" },
  by: { type: "string" },
  seed: { type: "string" },
  out: { type: "string" },
} as const;

/** The arguments; every option takes a value, so "--by -1" reaches the flag's own check. */
function readArgs() {
  const args = joinNegativeValues(Deno.args, new Set(Object.keys(OPTIONS)));
  return parseArgs({ args, allowPositionals: true, options: OPTIONS });
}

const StartsSchema = z.array(z.object({ label: z.string(), state: z.unknown() })).min(1);

/** A numeric flag checked by `rule` (lib/flags.ts, as the run flags are), or `fallback` when absent. */
function numberFlag(
  values: Record<string, unknown>,
  name: string,
  rule: z.ZodNumber,
  fallback?: number,
): number | undefined {
  const text = values[name] as string | undefined;
  return text === undefined ? fallback : checkedValue(name, rule, text);
}

async function main(): Promise<void> {
  const { values, positionals } = readArgs();
  const flags = {
    repeats: numberFlag(values, "repeats", z.number().int().min(1), 12)!,
    uniform: numberFlag(values, "uniform", z.number().int().min(1)),
    effort: numberFlag(values, "effort", z.number().positive()),
    timeout: numberFlag(values, "timeout", z.number().positive()),
    by: numberFlag(values, "by", z.number().min(0), 0)!,
    seed: numberFlag(values, "seed", z.number().int(), 0)!,
  };
  if ([values.run, values.init, values.states].filter((v) => v !== undefined).length !== 1) {
    throw new Error(`give one of --run with --ids, --init or --states\n${USAGE}`);
  }
  if (!values.program === (flags.uniform === undefined)) {
    throw new Error(`give either --program (one or more) or --uniform N\n${USAGE}`);
  }

  const config = values.run
    ? JSON.parse(await Deno.readTextFile(join(values.run, "config.json")))
    : undefined;
  const name = positionals[0] ?? config?.problem;
  if (!name) throw new Error(`name the problem\n${USAGE}`);
  if (config && config.problem !== name) {
    throw new Error(`${values.run} is a run of ${config.problem}, not ${name}`);
  }
  const problem = await loadProblem(name);
  if (!problem.grammar) throw new Error(`${name} has no built-in moves to probe`);

  const starts: ProbeStart[] = [];
  if (values.run) {
    const ids = (values.ids ?? "").split(",").filter((s) => s !== "").map(Number);
    if (ids.length === 0 || ids.some((id) => !Number.isInteger(id))) {
      throw new Error(`--ids: the archived states to start from, e.g. --ids 140,84`);
    }
    const states = pl.readParquet(join(values.run, "states.parquet")).toRecords() as {
      id: number;
      state: string;
    }[];
    for (const id of ids) {
      const row = states.find((s) => s.id === id);
      if (!row) throw new Error(`${values.run} has no state ${id} (ids 0..${states.length - 1})`);
      starts.push({ label: `state ${id}`, state: JSON.parse(row.state) });
    }
  } else if (values.states) {
    const parsed = StartsSchema.safeParse(JSON.parse(await Deno.readTextFile(values.states)));
    if (!parsed.success) {
      throw new Error(
        `${values.states}: expected [{ "label": ..., "state": ... }], ${parsed.error.issues[0].message}`,
      );
    }
    starts.push(...parsed.data);
  } else {
    const options = problem.optionsSchema.parse({});
    const [state] = problem.initialStates(new Rng(flags.seed), options, values.init);
    starts.push({ label: values.init!, state: problem.toJSON(state) });
  }

  if (values.then) {
    const then = parseProgram(problem.grammar, values.then);
    for (const start of [...starts]) {
      const made = await runRollout(problem, { id: 0, program: then, state: start.state, seed: flags.seed });
      if (!made.evaluation.valid) throw new Error(`--then on ${start.label}: ${made.evaluation.error}`);
      starts.push({ label: `${start.label} > ${values.then}`, state: made.state });
    }
  }

  const programs = values.program
    ? values.program.map((text) => parseProgram(problem.grammar!, text))
    : { uniform: flags.uniform! };
  const effortSeconds = flags.effort ?? config?.effortSeconds;
  const timeoutSeconds = flags.timeout ?? config?.rolloutTimeoutSeconds ?? 120;
  const out = values.out;
  if (out) {
    await Deno.writeTextFile(out, "");
    await Deno.writeTextFile(`${out}.starts.json`, JSON.stringify(starts));
  }
  console.error(
    `probing ${starts.length} start(s) of ${name}, effort ${effortSeconds ?? "none"} s, time limit ` +
      `${timeoutSeconds} s, seed ${flags.seed}`,
  );
  const rows = await probe(problem, starts, {
    programs,
    repeats: flags.repeats,
    effortSeconds,
    timeoutSeconds,
    seed: flags.seed,
    onRow: async (row, done, total) => {
      if (out) await Deno.writeTextFile(out, JSON.stringify(row) + "\n", { append: true });
      if (done % 20 === 0 || done === total) console.error(`  ${done} / ${total} rollouts`);
    },
  });

  for (const start of starts) {
    const value = (await problem.evaluate(start.state)).value;
    console.log(`\n## ${start.label}: ${problem.quantity} ${value}`);
    const tallies = "uniform" in programs
      ? tallyByOperator(rows, problem.grammar, flags.by)
      : tallyByProgram(rows, flags.by);
    printTable(
      tallies.filter((t) => t.start === start.label),
      "uniform" in programs ? "operator" : "program",
      flags.by,
    );
  }
}

function printTable(tallies: readonly ProbeTally[], what: string, by: number): void {
  const gain = (g: number | null) => g === null ? "-" : g.toExponential(2);
  const share = (t: ProbeTally) => t.rollouts === 0 ? -1 : t.improved / t.rollouts;
  console.log(`| ${what} | rollouts | gain > ${by} | best gain | median gain |`);
  console.log("|---|---|---|---|---|");
  for (const t of [...tallies].sort((a, b) => share(b) - share(a))) {
    console.log(
      `| \`${t.program}\` | ${t.rollouts} | ${t.improved} | ${gain(t.bestGain)} | ${gain(t.medianGain)} |`,
    );
  }
}

try {
  await main();
} catch (e) {
  console.error(e instanceof Error ? e.message : String(e));
  Deno.exit(1);
}

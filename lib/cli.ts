/**
 * `deno task run <problem> [flags]`: runs a discovery with a progress display and
 * writes the run directory (Parquet tables, best.json, report.svg).
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { writeFileAtomic } from "./atomic.ts";
import {
  CONFIG_FLAGS,
  ConfigError,
  type ConfigFlag,
  configFlagHelp,
  configFromFlags,
  flagOf,
  type FlagSection,
  PROBLEM_ARGUMENT,
  type RunConfig,
  type RunConfigInput,
} from "./config.ts";
import {
  type FlagSpec,
  helpLine,
  joinNegativeValues,
  parseArgsOptions,
  UsageError,
  valuedFlags,
} from "./flags.ts";
import { runDiscovery } from "./discovery.ts";
import type { RunSummary, StepReport } from "./loop.ts";
import { parseExecutorSpec } from "./nats/spec.ts";
import { REPORT_FILE } from "./report.ts";
import type { Problem } from "./problem.ts";
import {
  isModuleSpecifier,
  loadProblemModule,
  moduleUrl,
  ProblemModuleError,
  problemOfConfig,
  registeredProblems,
} from "./problem_module.ts";
import { RunStoreError } from "./store.ts";
import type { ExecutorStatus } from "./executor.ts";

/** The registry's problems (problems/registry.json), for the help text and their own flags. */
const PROBLEMS = await registeredProblems();

/** The flags of the command itself: where rollouts run and where the run goes, not settings of the run. */
const COMMAND_FLAGS: readonly FlagSpec[] = [
  {
    flag: "executor",
    value: "URL",
    help: "run rollouts on worker processes of any machine through NATS JetStream (nats://host:4222; " +
      "start workers with `deno task worker --nats URL`); default: this machine's threads. Credentials: " +
      "nats://user:pass@host or NATS_TOKEN, NATS_USER/NATS_PASSWORD, NATS_CREDS, NATS_NKEY, NATS_TLS_*; " +
      "tuning: ?ack_wait=S&max_deliver=N&no_worker=S",
  },
  { flag: "out", value: "DIR", help: "where run directories go (default runs)" },
  {
    flag: "resume",
    value: "DIR",
    help: "continue a stopped run from its directory (only the budget flags may change)",
  },
  { flag: "quiet", help: "no progress display" },
  { flag: "help", short: "h", help: "this text" },
];

/** The configuration fields that have a flag, in --help order. */
const CONFIG_FLAG_ENTRIES = (Object.entries(CONFIG_FLAGS) as [keyof RunConfig, ConfigFlag | string][])
  .filter((entry): entry is [keyof RunConfig, ConfigFlag] => entry[1] !== PROBLEM_ARGUMENT);

/** Every flag of `deno task run`, problem flags aside. */
export const RUN_FLAGS: readonly FlagSpec[] = [
  ...CONFIG_FLAG_ENTRIES.map(([, spec]) => spec),
  ...COMMAND_FLAGS,
];

const SECTIONS: Record<FlagSection, string> = {
  budget: "Budget (the run stops at whichever comes first):",
  method: "Method:",
  language: "Language-model policies (--policy openai|tinker|llamacpp):",
  run: "Run:",
};

/** The --help text, built from the flag tables. */
export function usage(): string {
  const section = (name: FlagSection) =>
    [
      SECTIONS[name],
      ...CONFIG_FLAG_ENTRIES.filter(([, spec]) => spec.section === name)
        .map(([field, spec]) => helpLine(spec, configFlagHelp(field))),
      ...(name === "run" ? COMMAND_FLAGS.map((spec) => helpLine(spec)) : []),
    ].join("\n");
  return `Usage: deno task run <problem> [options]

Problems: ${Object.keys(PROBLEMS).join(", ")}, or the path or URL of a module that exports one
(e.g. ./my_problem.ts; README, "Your own problem")

${(["budget", "method", "language", "run"] as const).map(section).join("\n")}
${problemFlagHelp()}`;
}

function problemFlagHelp(): string {
  const lines = Object.values(PROBLEMS).flatMap((p) =>
    Object.entries(p.cliFlags ?? {}).map(([flag, { description }]) =>
      helpLine({ flag, help: description }, `${description} (${p.name})`)
    )
  );
  return lines.length ? `Problem flags:\n${lines.join("\n")}\n` : "";
}

/** The fields a resumed run may change (the loop reads only these from a resume's config). */
const BUDGET: readonly string[] = ["steps", "minutes", "maxRollouts", "maxCostUsd"];

/** A problem of the user's own, loaded from its module before the command line is parsed. */
// deno-lint-ignore no-explicit-any
type ModuleProblem = { readonly problem: Problem<any, any>; readonly spec: string; readonly url: string };

/**
 * The module argument of a command line, if any (`./my_problem.ts`, a URL): the first argument that
 * names a module and is not the value of one of the toolkit's flags. A relative path is read against
 * the directory the command was typed in (`deno task` runs in the repository and says where in
 * INIT_CWD), never against this file.
 */
export function moduleArgument(argv: readonly string[]): { spec: string; url: string } | undefined {
  const valued = valuedFlags(RUN_FLAGS);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg.startsWith("--")) {
      if (!arg.includes("=") && valued.has(arg.slice(2))) i++;
      continue;
    }
    if (isModuleSpecifier(arg)) {
      return { spec: arg, url: moduleUrl(arg, Deno.env.get("INIT_CWD") ?? Deno.cwd()) };
    }
  }
  return undefined;
}

/** Turns argv into a validated request; throws UsageError on anything wrong. */
export function parseCommandLine(argv: string[], custom?: ModuleProblem) {
  // A problem may add flags of its own (e.g. denoise's --data): find it first, then parse strictly.
  const named = custom?.spec ?? argv.find((arg) => Object.hasOwn(PROBLEMS, arg));
  const target = (name: string) => custom && name === custom.spec ? custom.problem : PROBLEMS[name];
  const problemFlags = named ? target(named)?.cliFlags ?? {} : {};
  const flags = [
    ...RUN_FLAGS,
    ...Object.keys(problemFlags).map((flag) => ({ flag, value: "VALUE", help: "" })),
  ];
  let parsed;
  try {
    parsed = parseArgs({
      args: joinNegativeValues(argv, valuedFlags(flags)),
      options: parseArgsOptions(flags),
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  const text = (flag: string) => values[flag] as string | undefined;
  const positionals = parsed.positionals;
  if (values.help) return { kind: "help" as const };
  if (values.resume && positionals.length > 1) throw new UsageError("--resume takes the run directory only");
  if (!values.resume && positionals.length !== 1) throw new UsageError("name exactly one problem");
  // With --resume the problem comes from the run's config.json; any name here is only checked.
  const problem = positionals[0] ?? "erdos";
  const chosen = target(problem);
  if (!chosen) {
    throw new UsageError(
      `unknown problem "${problem}"; known problems: ${Object.keys(PROBLEMS).join(", ")}, or a module path`,
    );
  }
  const config: RunConfigInput = {
    problem: chosen.name,
    problemModule: custom && problem === custom.spec ? custom.url : undefined,
    problemOptions: problemOptions(chosen, (values.option as string[] | undefined) ?? [], values),
    ...configFromFlags(values),
  };
  // Where rollouts run is not a setting of the run, so a resumed run may change it too.
  const executor = text("executor");
  if (executor !== undefined && executor !== "local") {
    try {
      parseExecutorSpec(executor);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  if (values.resume) {
    const fixed = Object.entries(config)
      .filter(([k, v]) => v !== undefined && k !== "problem" && k !== "problemModule" && !BUDGET.includes(k));
    if (fixed.length > 0) {
      throw new UsageError(
        "a resumed run keeps its settings; only --steps, --minutes, --rollouts and --max-cost-usd may change " +
          `(got ${fixed.map(([k]) => flagOf(k) ?? k).join(", ")})`,
      );
    }
    return { kind: "resume" as const, resume: text("resume")!, config, executor, quiet: !!values.quiet };
  }
  if (config.init !== undefined && config.init !== "random" && !chosen.warmStarts.includes(config.init)) {
    throw new UsageError(
      `--init ${config.init}: ${chosen.name} knows random${chosen.warmStarts.map((w) => `, ${w}`).join("")}`,
    );
  }
  return { kind: "run" as const, config, executor, out: text("out") ?? "runs", quiet: !!values.quiet };
}

/** Problem options from --option KEY=VALUE and the problem's own flags, checked by its schema. */
function problemOptions(
  // deno-lint-ignore no-explicit-any
  target: Problem<any, any>,
  pairs: readonly string[],
  values: Record<string, unknown>,
): Record<string, unknown> | undefined {
  // No prototype: "--option __proto__=..." becomes an own key, which the strict schema then refuses.
  const options: Record<string, unknown> = Object.create(null);
  const read = (raw: string) => {
    try {
      return JSON.parse(raw);
    } catch {
      return raw; // a plain string, e.g. a path
    }
  };
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at <= 0) throw new UsageError(`--option ${pair}: expected KEY=VALUE`);
    options[pair.slice(0, at)] = read(pair.slice(at + 1));
  }
  const problem = target.name;
  for (const [flag, { option }] of Object.entries(target.cliFlags ?? {})) {
    if (values[flag] !== undefined) options[option] = read(values[flag] as string);
  }
  if (Object.keys(options).length === 0) return undefined;
  const checked = target.optionsSchema.safeParse(options);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new UsageError(`${problem} option ${issue.path.join(".") || "(options)"}: ${issue.message}`);
  }
  // A schema that is not strict drops unknown keys silently; a typo must not be ignored either way.
  const known = new Set(Object.keys(checked.data as object));
  const unknown = Object.keys(options).filter((key) => !known.has(key));
  if (unknown.length > 0) {
    throw new UsageError(`${problem} has no option ${unknown.map((k) => JSON.stringify(k)).join(", ")}`);
  }
  checkInputPaths(target, options);
  return { ...options };
}

/**
 * Files a problem reads only after the run (e.g. denoise's --holdout) are checked before step 0, so a
 * typo costs a second, not a whole run. A problem flag names a path when its description says so.
 */
// deno-lint-ignore no-explicit-any
function checkInputPaths(problem: Problem<any, any>, options: Record<string, unknown>): void {
  for (const [flag, { option, description }] of Object.entries(problem.cliFlags ?? {})) {
    const value = options[option];
    if (typeof value !== "string" || !/\b(dataset|folder|file|path)\b/i.test(description)) continue;
    try {
      Deno.statSync(value);
    } catch (e) {
      const why = e instanceof Deno.errors.NotFound ? "does not exist" : (e as Error).message;
      throw new UsageError(`--${flag} ${value}: ${why}`);
    }
  }
}

/** A one-line progress display: redrawn in place on a terminal, one line per step otherwise. */
class Progress {
  private readonly tty = Deno.stderr.isTerminal();
  private readonly encoder = new TextEncoder();
  private lastDraw = 0;
  constructor(private readonly quiet: boolean) {}

  rollout(done: number, total: number, header: string, executor?: ExecutorStatus): void {
    if (this.quiet || !this.tty) return;
    const now = performance.now();
    if (done < total && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const width = 20;
    const bar = "#".repeat(Math.round((done / total) * width)).padEnd(width, ".");
    const where = executor?.kind === "nats"
      ? `  workers ${executor.workers} live, ${executor.inFlight} in flight`
      : "";
    this.write(`\r\x1b[2K${header} [${bar}] ${done}/${total}${where}`);
  }

  step(line: string): void {
    if (this.quiet) return;
    this.write(this.tty ? `\r\x1b[2K${line}\n` : `${line}\n`);
  }

  private write(s: string) {
    Deno.stderr.writeSync(this.encoder.encode(s));
  }
}

function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return "-";
  const s = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function stepLine(r: StepReport, quantity: string): string {
  const { row, config } = r;
  const rate = row.rollouts / (row.totalMs / 1000);
  const byTime = config.minutes !== undefined ? config.minutes * 60_000 - row.elapsedMs : Infinity;
  const bySteps = (config.steps - r.step - 1) * row.totalMs;
  return `step ${r.step + 1}/${config.steps}  best ${quantity} ${row.best.toFixed(7)}  ` +
    `valid ${row.valid}/${row.rollouts}  ${rate.toFixed(1)} rollouts/s  ` +
    `elapsed ${formatDuration(row.elapsedMs)}  left ~${formatDuration(Math.min(byTime, bySteps))}`;
}

export async function main(argv: string[]): Promise<number> {
  let request;
  try {
    // A problem module is loaded (and checked against the contract) first: its flags, options and
    // warm starts are part of the command line. Nothing is written before this succeeds.
    const arg = argv.includes("--help") || argv.includes("-h") ? undefined : moduleArgument(argv);
    const custom = arg && { ...arg, problem: await loadProblemModule(arg.url) };
    request = parseCommandLine(argv, custom);
  } catch (e) {
    if (e instanceof ProblemModuleError) {
      console.error(`error: ${e.message}`);
      return 2;
    }
    if (e instanceof UsageError) {
      console.error(`error: ${e.message}\n\n${usage()}`);
      return 2;
    }
    throw e;
  }
  if (request.kind === "help") {
    console.log(usage());
    return 0;
  }

  const controller = new AbortController();
  const onInterrupt = () => {
    if (controller.signal.aborted) Deno.exit(130);
    console.error("\nstopping after this step (Ctrl-C again to quit now; --resume continues)");
    controller.abort();
  };
  Deno.addSignalListener("SIGINT", onInterrupt);

  const progress = new Progress(request.quiet);
  let header = "";
  let where: ExecutorStatus | undefined;
  const onRollout = (done: number, total: number, executor?: ExecutorStatus) => {
    where = executor;
    progress.rollout(done, total, header, executor);
  };
  // deno-lint-ignore no-explicit-any
  let problem: Problem<any, any> | undefined;
  const onStep = async (report: StepReport) => {
    problem ??= await problemOfConfig(report.config);
    const quantity = problem.quantity;
    if (report.step === 0 && report.runDir) progress.step(`run directory: ${report.runDir}`);
    progress.step(
      stepLine(report, quantity) + (where?.kind === "nats" ? `  workers ${where.workers} live` : ""),
    );
    header = `step ${report.step + 2}/${report.config.steps}  best ${quantity} ${report.row.best.toFixed(7)}`;
  };
  const watch = { executor: request.executor, signal: controller.signal, onRollout, onStep };

  let summary: RunSummary;
  try {
    summary = await runDiscovery(
      request.kind === "resume"
        ? { resume: request.resume, config: request.config, ...watch }
        : { config: request.config, out: request.out, ...watch },
    );
    problem ??= await problemOfConfig(summary.config);
  } catch (e) {
    // A setting the flags could not check alone (e.g. --effort longer than the time limit allows)
    // is a usage error too.
    if (e instanceof RunStoreError || e instanceof ProblemModuleError || e instanceof ConfigError) {
      console.error(`error: ${e.message}`);
      return 2;
    }
    // Setup failures (a dataset that is not there, an invalid initial state, an unreachable
    // server) deserve a sentence, not a stack trace; TTT_DEBUG=1 shows the trace.
    console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
    if (Deno.env.get("TTT_DEBUG") && e instanceof Error) console.error(e.stack);
    return 1;
  } finally {
    Deno.removeSignalListener("SIGINT", onInterrupt);
  }

  console.log(
    `\n${problem.title}: best ${problem.quantity} = ${summary.best.value} (stopped by ${summary.stoppedBy})`,
  );
  if (summary.certified) {
    console.log(`certified by ${summary.certified.method}: ${problem.quantity} = ${summary.certified.value}`);
  }
  if (problem.record) {
    console.log(`published record: ${problem.record.value} (${problem.record.source})`);
  }
  // A failure after the run (e.g. a held-out dataset that does not load) costs its own output only:
  // the report is still written, and the exit code says something went wrong.
  let code = 0;
  if (problem.afterRun) {
    try {
      const text = await problem.afterRun(
        problem.fromJSON(summary.best.state),
        problem.optionsSchema.parse(summary.config.problemOptions),
      );
      console.log(`\n${text}`);
      if (summary.runDir) await writeFileAtomic(join(summary.runDir, "after-run.md"), text + "\n");
    } catch (e) {
      console.error(`error: after the run: ${e instanceof Error ? e.message : String(e)}`);
      if (Deno.env.get("TTT_DEBUG") && e instanceof Error) console.error(e.stack);
      code = 1;
    }
  }
  if (summary.runDir) {
    console.log(`run directory: ${summary.runDir}\nreport: ${join(summary.runDir, REPORT_FILE)}`);
  }
  return code;
}

if (import.meta.main) Deno.exit(await main(Deno.args));

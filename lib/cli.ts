/**
 * `deno task run <problem> [flags]`: runs a discovery with a progress display and
 * writes the run directory (Parquet tables, best.json, report.svg).
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { writeFileAtomic } from "./atomic.ts";
import { z } from "zod";
import { REUSE_RULES } from "./archive.ts";
import {
  APIS,
  CREDITS,
  MAX_TIMER_SECONDS,
  OBJECTIVES,
  POLICIES,
  REASONING_EFFORTS,
  type RunConfigInput,
  TIMER_MESSAGE,
} from "./config.ts";
import { discover, type RunSummary, type StepReport } from "./loop.ts";
import { parseExecutorSpec } from "./nats/spec.ts";
import { writeReport } from "./report.ts";
import { PROBLEMS } from "../problems/mod.ts";
import type { Problem } from "./problem.ts";
import {
  isModuleSpecifier,
  loadProblemModule,
  moduleUrl,
  ProblemModuleError,
  problemOfConfig,
} from "./problem_module.ts";
import { RunStoreError } from "./store.ts";
import type { ExecutorStatus } from "./executor.ts";

const USAGE = `Usage: deno task run <problem> [options]

Problems: ${Object.keys(PROBLEMS).join(", ")}, or the path or URL of a module that exports one
(e.g. ./my_problem.ts; README, "Your own problem")

Budget (the run stops at whichever comes first):
  --steps N            training steps (default: the problem's, else 50)
  --rollouts N         total rollouts
  --minutes M          wall-clock budget; a step that would overrun it is not started
Method:
  --groups N           start states per step (default: the problem's, else 8)
  --group-size N       rollouts per start state (default: the problem's, else 64)
  --reuse RULE         ${REUSE_RULES.join("|")} (default puct)
  --objective KIND     ${OBJECTIVES.join("|")} (default entropic)
  --credit KIND        ${CREDITS.join("|")}: a rollout's reward, or its gain over its parent (default score)
  --no-train           never update the policy (test-time search only)
  --kl LAMBDA          KL penalty toward the initial policy (default 0.1; 0 turns it off, as a Tinker
                       server without base-model logprobs, e.g. SkyRL tx, needs)
  --lr RATE            Adam learning rate (default: the policy's)
  --temperature T      sampling temperature (default 1.0)
  --policy NAME        ${POLICIES.join("|")} (default builtin)
  --init NAME          initial states: random, or a warm start the problem names
  --option KEY=VALUE   a problem option (repeatable; VALUE is read as JSON when it parses)
Language-model policies (--policy openai|tinker|llamacpp):
  --model NAME         model name (openai), base model (tinker), or GGUF file path (llamacpp)
  --base-url URL       server root (default: $OPENAI_BASE_URL / $TINKER_BASE_URL, else the service's)
  --api-key-env VAR    environment variable holding the key (default OPENAI_API_KEY / TINKER_API_KEY)
  --api KIND           ${APIS.join("|")} (openai; default chat)
  --max-tokens N       sampled tokens per attempt (default 4096)
  --reasoning-effort E ${REASONING_EFFORTS.join("|")} (openai reasoning models)
  --max-cost-usd X     stop cleanly, after a finished step, before spending more than X
  --price-in X         USD per million prompt tokens, for cost accounting (default 0)
  --price-out X        USD per million completion tokens (default 0)
  --concurrency N      requests in flight at once (default 8)
  --request-timeout S  seconds before a request is abandoned and retried (default 600)
  --lora-rank N        LoRA rank of the trained adapter (tinker; default 32)
  --tokenizer FILE     a GGUF file of the base model, read for its tokenizer (tinker)
  --context-size N     context window in tokens (llamacpp; default 4096)
  --threads N          CPU threads for the model (llamacpp; default half the cores)
  --program-timeout S  wall-clock limit for one generated program or rollout (default 120)
  --effort S           equal effort: every built-in rollout spends S seconds, repeating its program
                       on its best state, so programs compete on progress per second
Run:
  --seed N             random seed (default 0)
  --workers N          rollout worker threads (default: one per core)
  --executor URL       run rollouts on worker processes of any machine through NATS JetStream
                       (nats://host:4222; start workers with \`deno task worker --nats URL\`);
                       default: this machine's threads. Credentials: nats://user:pass@host or
                       NATS_TOKEN, NATS_USER/NATS_PASSWORD, NATS_CREDS, NATS_NKEY, NATS_TLS_*;
                       tuning: ?ack_wait=S&max_deliver=N&no_worker=S
  --out DIR            where run directories go (default runs)
  --resume DIR         continue a stopped run from its directory (only the budget flags may change)
  --quiet              no progress display
  --help               this text
${problemFlagHelp()}`;

function problemFlagHelp(): string {
  const lines = Object.values(PROBLEMS).flatMap((p) =>
    Object.entries(p.cliFlags ?? {}).map(([flag, { description }]) =>
      `  --${flag.padEnd(18)} ${description} (${p.name})`
    )
  );
  return lines.length ? `Problem flags:\n${lines.join("\n")}\n` : "";
}

const FLAGS = {
  steps: { type: "string" },
  rollouts: { type: "string" },
  minutes: { type: "string" },
  groups: { type: "string" },
  "group-size": { type: "string" },
  reuse: { type: "string" },
  objective: { type: "string" },
  credit: { type: "string" },
  "no-train": { type: "boolean" },
  kl: { type: "string" },
  lr: { type: "string" },
  temperature: { type: "string" },
  policy: { type: "string" },
  init: { type: "string" },
  model: { type: "string" },
  "base-url": { type: "string" },
  "api-key-env": { type: "string" },
  api: { type: "string" },
  "max-tokens": { type: "string" },
  "reasoning-effort": { type: "string" },
  "max-cost-usd": { type: "string" },
  "price-in": { type: "string" },
  "price-out": { type: "string" },
  concurrency: { type: "string" },
  "request-timeout": { type: "string" },
  "lora-rank": { type: "string" },
  tokenizer: { type: "string" },
  "context-size": { type: "string" },
  threads: { type: "string" },
  "program-timeout": { type: "string" },
  effort: { type: "string" },
  seed: { type: "string" },
  workers: { type: "string" },
  executor: { type: "string" },
  out: { type: "string" },
  resume: { type: "string" },
  quiet: { type: "boolean" },
  option: { type: "string", multiple: true },
  help: { type: "boolean", short: "h" },
} as const;

class UsageError extends Error {}

const BUDGET = ["steps", "minutes", "maxRollouts", "maxCostUsd"];

const int = z.coerce.number().int();
const num = z.coerce.number();

/** A number as a person writes one: no hex, no blanks, no "Infinity" (which z.coerce would all accept). */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * node's parseArgs reads "--steps -1" as two flags and says "ambiguous argument"; a value that looks
 * like a negative number after a flag that takes a value is joined to it, so the flag's own check
 * answers ("--steps -1: too small").
 */
function joinNegativeValues(argv: readonly string[], valued: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i].startsWith("--") ? argv[i].slice(2) : undefined;
    if (flag && valued.has(flag) && i + 1 < argv.length && /^-\d|^-\.\d/.test(argv[i + 1])) {
      out.push(`${argv[i]}=${argv[++i]}`);
    } else out.push(argv[i]);
  }
  return out;
}

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
  const valued = new Set(Object.entries(FLAGS).filter(([, f]) => f.type === "string").map(([n]) => n));
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
  const valued = new Set([
    ...Object.entries(FLAGS).filter(([, f]) => f.type === "string").map(([name]) => name),
    ...Object.keys(problemFlags),
  ]);
  let parsed;
  try {
    parsed = parseArgs({
      args: joinNegativeValues(argv, valued),
      options: {
        ...FLAGS,
        ...Object.fromEntries(Object.keys(problemFlags).map((flag) => [flag, { type: "string" as const }])),
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const values = parsed.values as typeof parsed.values & Record<string, string | undefined>;
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
  const field = <T>(flag: string, schema: z.ZodType<T>, raw: string | undefined): T | undefined => {
    if (raw === undefined) return undefined;
    if (schema instanceof z.ZodNumber && !DECIMAL.test(raw)) {
      throw new UsageError(`--${flag} ${raw}: expected a number`);
    }
    const r = schema.safeParse(raw);
    if (!r.success) throw new UsageError(`--${flag} ${raw}: ${r.error.issues[0].message}`);
    return r.data;
  };
  const choice = <T extends readonly string[]>(flag: string, options: T, raw: string | undefined) =>
    field(flag, z.enum(options as unknown as [string, ...string[]]), raw) as T[number] | undefined;
  const config: RunConfigInput = {
    problem: chosen.name,
    problemModule: custom && problem === custom.spec ? custom.url : undefined,
    problemOptions: problemOptions(chosen, values.option ?? [], values),
    steps: field("steps", int.positive(), values.steps),
    maxRollouts: field("rollouts", int.positive(), values.rollouts),
    minutes: field("minutes", num.positive(), values.minutes),
    groups: field("groups", int.positive(), values.groups),
    groupSize: field("group-size", int.min(2), values["group-size"]),
    reuse: choice("reuse", REUSE_RULES, values.reuse),
    objective: choice("objective", OBJECTIVES, values.objective),
    credit: choice("credit", CREDITS, values.credit),
    train: values["no-train"] ? false : undefined,
    klCoef: field("kl", num.nonnegative(), values.kl),
    learningRate: field("lr", num.positive(), values.lr),
    temperature: field("temperature", num.positive(), values.temperature),
    policy: choice("policy", POLICIES, values.policy),
    init: values.init,
    seed: field("seed", int.min(0).max(2 ** 31 - 1), values.seed),
    workers: field("workers", int.min(0).max(256), values.workers),
    model: values.model,
    baseUrl: field("base-url", z.url(), values["base-url"]),
    apiKeyEnv: field("api-key-env", z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), values["api-key-env"]),
    api: choice("api", APIS, values.api),
    maxTokens: field("max-tokens", int.positive(), values["max-tokens"]),
    reasoningEffort: choice("reasoning-effort", REASONING_EFFORTS, values["reasoning-effort"]),
    maxCostUsd: field("max-cost-usd", num.positive(), values["max-cost-usd"]),
    inputUsdPerMTok: field("price-in", num.nonnegative(), values["price-in"]),
    outputUsdPerMTok: field("price-out", num.nonnegative(), values["price-out"]),
    concurrency: field("concurrency", int.positive().max(1024), values.concurrency),
    requestTimeoutSeconds: field(
      "request-timeout",
      num.positive().max(MAX_TIMER_SECONDS, TIMER_MESSAGE),
      values["request-timeout"],
    ),
    loraRank: field("lora-rank", int.positive(), values["lora-rank"]),
    tokenizer: values.tokenizer,
    contextSize: field("context-size", int.positive(), values["context-size"]),
    threads: field("threads", int.positive(), values.threads),
    rolloutTimeoutSeconds: field(
      "program-timeout",
      num.positive().max(MAX_TIMER_SECONDS, TIMER_MESSAGE),
      values["program-timeout"],
    ),
    effortSeconds: field("effort", num.positive().max(MAX_TIMER_SECONDS, TIMER_MESSAGE), values.effort),
  };
  // Where rollouts run is not a setting of the run, so a resumed run may change it too.
  const executor = values.executor;
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
          `(got ${fixed.map(([k]) => k).join(", ")})`,
      );
    }
    return { kind: "resume" as const, resume: values.resume, config, executor, quiet: !!values.quiet };
  }
  if (config.init !== undefined && config.init !== "random" && !chosen.warmStarts.includes(config.init)) {
    throw new UsageError(
      `--init ${config.init}: ${chosen.name} knows random${chosen.warmStarts.map((w) => `, ${w}`).join("")}`,
    );
  }
  return { kind: "run" as const, config, executor, out: values.out ?? "runs", quiet: !!values.quiet };
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
      console.error(`error: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    throw e;
  }
  if (request.kind === "help") {
    console.log(USAGE);
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
  const run = request.kind === "resume"
    ? discover({
      resume: request.resume,
      config: request.config,
      executor: request.executor,
      signal: controller.signal,
      onRollout,
    })
    : discover({
      config: request.config,
      out: request.out,
      executor: request.executor,
      signal: controller.signal,
      onRollout,
    });
  let where: ExecutorStatus | undefined;
  function onRollout(done: number, total: number, executor?: ExecutorStatus) {
    where = executor;
    progress.rollout(done, total, header, executor);
  }

  let summary: RunSummary;
  // deno-lint-ignore no-explicit-any
  let problem: Problem<any, any> | undefined;
  try {
    let next = await run.next();
    while (!next.done) {
      const report = next.value;
      problem ??= await problemOfConfig(report.config);
      const quantity = problem.quantity;
      if (report.step === 0 && report.runDir) progress.step(`run directory: ${report.runDir}`);
      progress.step(
        stepLine(report, quantity) + (where?.kind === "nats" ? `  workers ${where.workers} live` : ""),
      );
      header = `step ${report.step + 2}/${report.config.steps}  best ${quantity} ${
        report.row.best.toFixed(7)
      }`;
      next = await run.next();
    }
    summary = next.value;
    problem ??= await problemOfConfig(summary.config);
  } catch (e) {
    if (e instanceof RunStoreError || e instanceof ProblemModuleError) {
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
    const report = await writeReport(summary.runDir, problem, summary);
    console.log(`run directory: ${summary.runDir}\nreport: ${report}`);
  }
  return code;
}

if (import.meta.main) Deno.exit(await main(Deno.args));

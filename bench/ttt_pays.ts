/**
 * Does test-time training pay at equal wall-clock? For each seed the variants run at the
 * same time, as separate processes with one rollout worker each, for the same minutes:
 * they share the machine under the same load, so none gets more compute than another.
 *
 *   deno run -A bench/ttt_pays.ts <problem> [--minutes 5] [--seeds 8] [--first-seed 0] [--out DIR]
 *     [--variants ttt-discover,no-ttt] [--parallel 2] [--runs DIR] [-- run flags]
 *
 * Run flags after `--` go to every variant (e.g. `--groups 2 --group-size 8`). `--parallel P`
 * runs P seeds at once (every process then gets 2 / (P x variants) cores of a 2-core machine:
 * say so when comparing with another study); `--first-seed S` runs seeds S .. S + seeds - 1 (a
 * replication on fresh seeds); `--runs DIR` keeps the run directories there
 * for diagnosis (by default they are deleted). Writes
 * summary.md, summary.json and curves.parquet (variant, seed, step, rollouts, best, mean,
 * elapsed_ms) to DIR (default data/ablations/<problem>-wallclock).
 *
 * With `--prior-from RUN_DIR` the study may also run `learned-prior`: no training, starting from
 * the policy an earlier run trained (`--variants learned-prior,no-ttt` asks whether what training
 * learned is worth anything when it is there from the first step).
 *
 *   deno run -A bench/ttt_pays.ts <problem> --summarise DIR[,DIR...] [--out DIR]
 *
 * rewrites the tables of finished studies without running anything: one directory re-summarises
 * a study in place; several (replications on fresh seeds, same minutes and run flags) are pooled
 * into --out, whose summary names them (the curves stay in theirs).
 *
 *   deno run -A bench/ttt_pays.ts <problem> --power DIR[,DIR...]
 *
 * asks whether such studies can show training at all: what 1.5-3x the rollouts bought the no-TTT
 * runs at their end, against the spread of the paired final differences (computeWorth).
 *
 *   deno run -A bench/ttt_pays.ts <problem> --activity RUNS_DIR [--from 10]
 *
 * measures nearer the policy, from the run directories a study kept with --runs: per seed, from
 * step K on, how often a rollout set a record and how far the best reward moved per rollout, the
 * method against no-TTT (runActivity), with the seeds where the method is ahead and a sign test.
 *
 *   deno run -A bench/ttt_pays.ts <problem> --conditioning RUNS_DIR [--out STUDY_DIR]
 *
 * asks what the trained policies learned: per seed of the method's runs, its first move's
 * distribution on every archived state against its initial policy's (policyConditioning): does it
 * depend on the state, and how far did training move it? With --out, also written to
 * STUDY_DIR/conditioning.md.
 *
 *   deno run -A bench/ttt_pays.ts <problem> --doors RUNS_DIR [--by 1e-6] [--out STUDY_DIR]
 *
 * asks where each arm's door groups were (start states at a new size, lib/doors.ts) and whether any
 * of their rollouts gained more than --by in the problem's value. With --out, also written to
 * STUDY_DIR/doors.md.
 */
import { existsSync } from "node:fs";
import { basename, join } from "node:path";
import { parseArgs } from "node:util";
import pl from "nodejs-polars";
import { z } from "zod";
import {
  comparison,
  computeWorth,
  type CurvePoint,
  PAIRED_LEGEND,
  pairedFinalDifferences,
  policyConditioning,
  quantile,
  readCurves,
  type RunActivity,
  runActivity,
  sampleSd,
  seedsForPairedTest,
  signTestP,
  summarise,
  type Variant,
  VARIANTS,
} from "../lib/ablation.ts";
import { BuiltinPolicy } from "../lib/policy/builtin.ts";
import { builtinFeatureDim, builtinNetworks, readPolicySnapshot } from "../lib/policy/mod.ts";
import { writeFileAtomic } from "../lib/atomic.ts";
import { operatorNames } from "../lib/config.ts";
import { type DoorKind, doorSummary } from "../lib/doors.ts";
import type { Problem } from "../lib/problem.ts";
import { loadProblem, requireBuiltin } from "../lib/problem_module.ts";
import { readRunTables } from "../lib/store.ts";
import { ancestorReward, newSize, PROGRESS_MOVES, searchFeatures } from "../lib/search_features.ts";

/** The method and the two search-only baselines, with the CLI flags that make each. */
const STUDY: readonly { variant: Variant; flags: string[] }[] = [
  { variant: VARIANTS.find((v) => v.name === "ttt-discover")!, flags: [] },
  { variant: VARIANTS.find((v) => v.name === "no-ttt")!, flags: ["--no-train"] },
  { variant: VARIANTS.find((v) => v.name === "best-of-n")!, flags: ["--no-train", "--reuse", "none"] },
];

/** The arm that holds an earlier run's trained policy fixed (`--prior-from`). */
const LEARNED_PRIOR: Variant = {
  name: "learned-prior",
  description: "no training, an earlier run's trained policy + PUCT",
  settings: { train: false },
};
const learnedPriorArm = (dir: string) => ({
  variant: LEARNED_PRIOR,
  flags: ["--no-train", "--prior-from", dir],
});

const root = new URL("..", import.meta.url).pathname;

async function runVariant(
  problem: string,
  seed: number,
  minutes: number,
  flags: string[],
  extra: string[],
  out: string,
): Promise<string> {
  const args = [
    "run",
    "-A",
    join(root, "lib/cli.ts"),
    problem,
    "--seed",
    String(seed),
    "--minutes",
    String(minutes),
    "--steps",
    "100000",
    "--workers",
    "1",
    "--quiet",
    "--out",
    out,
    ...extra,
    ...flags,
  ]; // deno-fmt-ignore
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), { args }).output();
  const text = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
  const dir = text.match(/run directory: (\S+)/)?.[1];
  if (code !== 0 || !dir) throw new Error(`${problem} seed ${seed} ${flags.join(" ")} failed:\n${text}`);
  return dir;
}

function curveOf(variant: string, seed: number, dir: string): CurvePoint[] {
  const steps = pl.readParquet(join(dir, "steps.parquet")).toRecords() as Record<string, number>[];
  let rollouts = 0;
  return steps.map((s) => ({
    variant,
    seed,
    step: s.step,
    rollouts: rollouts += s.rollouts,
    best: s.best,
    mean: s.mean_reward,
    elapsedMs: s.elapsed_ms,
  }));
}

/** How a study ran: what summary.json keeps besides its rows, and what pooled studies must share. */
interface StudyMeta {
  minutes: number;
  seeds: number[];
  parallel: number;
  extra: string[];
  /** The study directories a pooled summary was made from (they keep the curves). */
  pooledFrom?: string[];
  /** The policy the learned-prior arm held fixed (--prior-from). */
  priorFrom?: string;
}

/** Run flags as an order-free key: each flag with the values after it, sorted (`--a 1 --b` = `--b --a 1`). */
export function flagSet(flags: readonly string[]): string {
  const groups: string[][] = [];
  for (const token of flags) {
    if (token.startsWith("--") || groups.length === 0) groups.push([token]);
    else groups[groups.length - 1].push(token);
  }
  return JSON.stringify(groups.map((g) => g.join(" ")).sort());
}

/** What readStudies accepts of a summary.json. Studies from before --parallel ran one seed at a time. */
const StudyMetaSchema = z.object({
  minutes: z.number().positive(),
  seeds: z.array(z.number().int()),
  parallel: z.number().int().positive().default(1),
  extra: z.array(z.string()),
  priorFrom: z.string().optional(),
});

/** summary.md, summary.json and curves.parquet of a study, with its paired and unpaired tests. */
async function writeStudy(
  out: string,
  problem: { name: string; quantity: string; direction: "minimize" | "maximize" },
  { minutes, seeds, parallel, extra, pooledFrom, priorFrom }: StudyMeta,
  points: CurvePoint[],
  variants: Variant[],
  writeCurves = true,
): Promise<void> {
  points.sort((a, b) => a.seed - b.seed || a.variant.localeCompare(b.variant) || a.step - b.step);
  // Run flags that change the objective change what the trained arm is: the table says so.
  const retrained = extra.some((f) => /^--(objective|credit|fixed-beta|kl)\b/.test(f));
  const rows = summarise(points, variants, problem.direction).map((r) =>
    retrained && r.variant === "ttt-discover"
      ? { ...r, description: "trained as the run flags say + PUCT" }
      : r
  );
  const rollouts = (name: string) => {
    const finals = new Map<number, number>();
    for (const p of points) if (p.variant === name) finals.set(p.seed, p.rollouts);
    return quantile([...finals.values()].sort((a, b) => a - b), 0.5);
  };
  const fmt = (x: number) => x.toPrecision(8);
  const better = problem.direction === "minimize" ? "lower" : "higher";
  const markdown = [
    `Final best ${problem.quantity} (${better} is better) after ${minutes} minutes per run, the variants of`,
    `one seed running at the same time with one worker each, ${parallel} seed(s) at once;`,
    `median [IQR] over ${seeds.length} seeds.`,
    `Run flags: ${extra.join(" ") || "(the problem's defaults)"}.`,
    ...(priorFrom ? [`learned-prior: the policy of ${priorFrom}, held fixed from the first step.`] : []),
    ...(pooledFrom ? [`Pooled from ${pooledFrom.join(", ")} (their curves.parquet hold the runs).`] : []),
    "",
    `| variant | ${problem.quantity} median | IQR | min .. max | seeds | p vs method | method ahead | paired p | rollouts/run |`,
    "|---|---|---|---|---|---|---|---|---|",
    ...rows.map((r, i) =>
      `| ${r.variant} (${r.description}) | ${fmt(r.median)} | ${fmt(r.q25)} .. ${fmt(r.q75)} | ` +
      `${fmt(r.min)} .. ${fmt(r.max)} | ${r.seeds} | ${comparison(r, i)} | ${rollouts(r.variant)} |`
    ),
    "",
    PAIRED_LEGEND,
    "",
  ].join("\n");
  Deno.mkdirSync(out, { recursive: true });
  await writeFileAtomic(join(out, "summary.md"), markdown);
  await writeFileAtomic(
    join(out, "summary.json"),
    JSON.stringify({ minutes, seeds, parallel, extra, pooledFrom, priorFrom, rows }, null, 2),
  );
  console.log(markdown);
  if (!writeCurves) return;
  const frame = pl.DataFrame(points.map((p) => ({ ...p, elapsed_ms: p.elapsedMs, elapsedMs: undefined })));
  frame.drop("elapsedMs").writeParquet(join(out, "curves.parquet"));
}

/**
 * Studies read back from their directories (curves.parquet and summary.json), pooled: the same
 * minutes, parallelism and run flags, no seed twice. One directory re-summarises a study.
 */
/**
 * Can these studies show training at all? What 1.5-3x the rollouts bought no-TTT's runs at their
 * end, against the spread of the paired final differences, and the seeds a paired test would need
 * to see a method that is worth that much compute.
 */
function powerReport(studies: CurvePoint[][], direction: "minimize" | "maximize"): string {
  const differences = studies.flatMap((points) => pairedFinalDifferences(points, { direction }));
  const sd = sampleSd(differences);
  const worth = computeWorth(studies, { direction });
  const lines = [
    `Paired final differences (method - no-TTT, negative: the method ahead): ${differences.length} seeds, ` +
    `median ${quantile([...differences].sort((a, b) => a - b), 0.5).toExponential(2)}, sd ${
      sd.toExponential(2)
    }.`,
    "",
    "| more rollouts | no-TTT runs | gain at the end, median | mean | seeds a paired test needs (mean) |",
    "|---|---|---|---|---|",
    ...worth.map((w) =>
      `| x${w.factor} | ${w.runs} | ${w.medianGain.toExponential(2)} | ${w.meanGain.toExponential(2)} | ${
        w.meanGain > 0 && Number.isFinite(sd) ? seedsForPairedTest(w.meanGain, sd) : "-"
      } |`
    ),
    "",
    "gain at the end: a no-TTT run's final best against its own best after 1/x of its rollouts. A trained " +
    "policy can at most spend its rollouts better; the seeds column is what a paired test (5%, power 0.8) " +
    "would need to see a method worth that much more compute.",
  ];
  return lines.join("\n");
}

/** Each seed's activity from step `from` on, for one variant of a study's --runs directory. */
function activityBySeed(
  runs: string,
  variant: string,
  problem: string,
  from: number,
): Map<number, RunActivity> {
  const base = join(runs, variant, problem);
  if (!existsSync(base)) {
    throw new Error(
      `${runs}: no ${variant} runs of ${problem} (expected ${base}; --activity reads the --runs directory of a study)`,
    );
  }
  const out = new Map<number, RunActivity>();
  for (const entry of Deno.readDirSync(base)) {
    const seed = Number(/-seed(\d+)/.exec(entry.name)?.[1]);
    if (!entry.isDirectory || !Number.isInteger(seed)) continue;
    const tables = readRunTables(join(base, entry.name));
    const steps = tables.steps.select("step", "best_reward").toRecords().map((r) => ({
      step: Number(r.step),
      bestReward: Number(r.best_reward),
    }));
    const attempts = tables.attempts.select("step", "reward", "valid").toRecords().map((r) => ({
      step: Number(r.step),
      reward: Number(r.reward),
      valid: Boolean(r.valid),
    }));
    out.set(seed, runActivity(steps, attempts, from));
  }
  return out;
}

function activityReport(runs: string, problem: string, from: number): string {
  const ours = activityBySeed(runs, "ttt-discover", problem, from);
  const theirs = activityBySeed(runs, "no-ttt", problem, from);
  const seeds = [...ours.keys()].filter((s) => theirs.has(s)).sort((a, b) => a - b);
  if (seeds.length === 0) {
    throw new Error(`${runs}: no seed has both a ttt-discover and a no-ttt run of ${problem}`);
  }
  const pair = (measure: keyof RunActivity) => {
    const a = seeds.map((s) => ours.get(s)![measure]), b = seeds.map((s) => theirs.get(s)![measure]);
    return `method higher in ${a.filter((x, i) => x > b[i]).length} of ${seeds.length} (sign test p = ${
      signTestP(a, b).toFixed(3)
    })`;
  };
  return [
    `From step ${from} on, method (ttt-discover) / no-TTT:`,
    "",
    "| seed | rollouts | records a rollout | best-reward gain a rollout |",
    "|---|---|---|---|",
    ...seeds.map((s) => {
      const a = ours.get(s)!, b = theirs.get(s)!;
      return `| ${s} | ${a.rollouts} / ${b.rollouts} | ${a.recordRate.toFixed(3)} / ${
        b.recordRate.toFixed(3)
      } | ${a.gainPerRollout.toExponential(2)} / ${b.gainPerRollout.toExponential(2)} |`;
    }),
    "",
    `records a rollout: ${pair("recordRate")}; gain a rollout: ${pair("gainPerRollout")}.`,
  ].join("\n");
}

/** The run directories of one arm of a study's --runs (`<base>/<run-id>-seedN`), by seed. */
function seedRuns(base: string): { dir: string; seed: number }[] {
  return [...Deno.readDirSync(base)].filter((e) => e.isDirectory && /-seed\d+$/.test(e.name))
    .map((e) => ({ dir: join(base, e.name), seed: Number(/-seed(\d+)$/.exec(e.name)![1]) }))
    .sort((a, b) => a.seed - b.seed);
}

/** Each arm's door groups, per seed and by kind (the sizes before and after the door), from a study's --runs. */
function doorsReport(runs: string, problem: Problem, by: number): string {
  if (!(by >= 0)) throw new Error(`--by must be a gain of 0 or more, got ${by}`);
  const lines = [`Door groups (start states at a new size) and their rollouts that gained more than ${by}:`];
  let found = false;
  for (const variant of STUDY.map((s) => s.variant.name)) {
    const base = join(runs, variant, problem.name);
    if (!existsSync(base)) continue;
    found = true;
    const kinds = new Map<string, DoorKind[]>();
    const rows: string[] = [];
    for (const { dir, seed } of seedRuns(base)) {
      const tables = readRunTables(dir);
      const states = tables.states.select("id", "parent_id", "value", "state").toRecords().map((r) => ({
        id: Number(r.id),
        parentId: Number(r.parent_id),
        value: Number(r.value),
        state: JSON.parse(String(r.state)),
      }));
      const rollouts = tables.attempts.select("step", "group", "parent_id", "value", "valid").toRecords()
        .map((r) => ({
          step: Number(r.step),
          group: Number(r.group),
          parentId: Number(r.parent_id),
          value: Number(r.value),
          valid: Boolean(r.valid),
        }));
      const d = doorSummary(problem, states, rollouts, by);
      rows.push(
        `| ${seed} | ${d.doorGroups} of ${d.groups} | ${d.doorRollouts} | ${d.gained} | ${
          d.kinds.slice(0, 3).map((k) => `${k.sizes} (${k.groups})`).join(", ")
        } |`,
      );
      for (const k of d.kinds) kinds.set(k.sizes, [...kinds.get(k.sizes) ?? [], k]);
    }
    const pooled = [...kinds].map(([sizes, ks]) => ({
      sizes,
      groups: ks.reduce((a, k) => a + k.groups, 0),
      rollouts: ks.reduce((a, k) => a + k.rollouts, 0),
      gained: ks.reduce((a, k) => a + k.gained, 0),
      bestGain: Math.max(...ks.map((k) => k.bestGain)),
      runs: ks.length,
    })).sort((a, b) => b.rollouts - a.rollouts);
    lines.push(
      "",
      `${variant}:`,
      "",
      "| seed | door groups | door rollouts | gained | commonest doors (groups) |",
      "|---|---|---|---|---|",
      ...rows,
      "",
      "| door (sizes) | runs | groups | rollouts | gained | best gain |",
      "|---|---|---|---|---|---|",
      ...pooled.map((k) =>
        `| ${k.sizes} | ${k.runs} | ${k.groups} | ${k.rollouts} | ${k.gained} | ${
          Number.isFinite(k.bestGain) ? k.bestGain.toExponential(2) : "-"
        } |`
      ),
    );
  }
  if (!found) throw new Error(`${runs}: no runs of ${problem.name} (give a study's --runs directory)`);
  return lines.join("\n");
}

/** The method's runs of a study, by seed: the first-move distributions of each run's archive states. */
async function conditioningReport(runs: string, problemName: string): Promise<string> {
  const base = join(runs, "ttt-discover", problemName);
  if (!existsSync(base)) {
    throw new Error(
      `${runs}: no ttt-discover runs of ${problemName} (expected ${base}; give a study's --runs directory)`,
    );
  }
  const problem = requireBuiltin(await loadProblem(problemName));
  const ops = problem.grammar.operators.map((o) => o.name);
  const lines = [
    "First move of the trained policy (ttt-discover) on each archived state, against its initial policy:",
    "",
    "| seed | states | spread across states, trained / initial (max) | moved | trained: likeliest first moves | initial |",
    "|---|---|---|---|---|---|",
  ];
  // The two likeliest first moves and their shares, e.g. "adam 0.83, basin 0.12".
  const top = (mean: number[]) => {
    const ranked = mean.map((share, op) => ({ share, op })).sort((a, b) => b.share - a.share).slice(0, 2);
    return ranked.map(({ share, op }) => `${ops[op]} ${share.toFixed(2)}`).join(", ");
  };
  for (const { dir, seed } of seedRuns(base)) {
    const config = JSON.parse(Deno.readTextFileSync(join(dir, "config.json")));
    const snapshot = readPolicySnapshot(dir) as { parameters: number[]; reference: number[] };
    const policyWith = async (parameters: number[]) => {
      const policy = new BuiltinPolicy({
        grammar: problem.grammar,
        featureDim: builtinFeatureDim(problem, config),
        hidden: config.hidden,
        seed,
        networks: builtinNetworks({ doorNetwork: config.doorNetwork ?? false }),
        heldShare: operatorNames(config.holdShare ?? ""), // absent in runs made before --hold-share
      });
      await policy.adopt({ ...snapshot, parameters });
      return policy;
    };
    const trained = await policyWith(snapshot.parameters), initial = await policyWith(snapshot.reference);
    const states = readRunTables(dir).states
      .select("id", "parent_id", "reward", "visits", "state").toRecords();
    const rewardOf = new Map(states.map((row) => [Number(row.id), Number(row.reward)]));
    const parentOf = new Map(states.map((row) => [Number(row.id), Number(row.parent_id)]));
    const ancestors = (id: number) => {
      const out: number[] = [];
      for (let p = parentOf.get(id) ?? -1; p >= 0 && out.length < PROGRESS_MOVES; p = parentOf.get(p) ?? -1) {
        out.push(p);
      }
      return out;
    };
    const bestReward = Math.max(...rewardOf.values());
    const stateOf = new Map(
      states.map((row) => [Number(row.id), problem.fromJSON(JSON.parse(String(row.state)))]),
    );
    const distributions = await Promise.all(states.map(async (row) => {
      const state = stateOf.get(Number(row.id))!;
      const own = problem.features(state, await problem.evaluate(state));
      const resized = newSize(problem, state, stateOf.get(Number(row.parent_id)));
      // A run with --search-features saw the state's standing too: here, as it stood at the run's end.
      const standing = config.searchFeatures
        ? searchFeatures({
          reward: Number(row.reward),
          visits: Number(row.visits),
          parentReward: rewardOf.get(Number(row.parent_id)),
          ancestorReward: ancestorReward(ancestors(Number(row.id)), (id) => rewardOf.get(id)),
          bestReward,
          resized,
        })
        : [];
      // As the run did: a door's first move is the door network's (--door-network).
      const context = { features: [...own, ...standing], network: resized && config.doorNetwork ? 1 : 0 };
      return {
        trained: trained.probabilities(context, [])!.probabilities,
        initial: initial.probabilities(context, [])!.probabilities,
      };
    }));
    const c = policyConditioning(distributions);
    lines.push(
      `| ${seed} | ${c.states} | ${c.trainedSpread.toFixed(3)} / ${c.initialSpread.toFixed(3)} (${
        c.trainedMaxSpread.toFixed(3)
      }) | ${c.moved.toFixed(2)} | ${top(c.trainedMean)} | ${top(c.initialMean)} |`,
    );
  }
  lines.push(
    "",
    "spread: mean total variation between a state's first-move distribution and the run's mean (0: the " +
      "state is ignored); moved: total variation between the trained and the initial mean.",
  );
  return lines.join("\n");
}

function readStudies(dirs: string[]): { meta: StudyMeta; points: CurvePoint[] } {
  const metas = dirs.map((dir) => {
    const parsed = StudyMetaSchema.safeParse(JSON.parse(Deno.readTextFileSync(join(dir, "summary.json"))));
    if (!parsed.success) {
      throw new Error(
        `${dir} is not a bench/ttt_pays.ts study (its summary.json has no minutes, seeds and run flags); ` +
          `studies of deno task ablate are joined with deno task ablate --merge`,
      );
    }
    return parsed.data;
  });
  const same = (m: StudyMeta) =>
    m.minutes === metas[0].minutes && m.parallel === metas[0].parallel &&
    flagSet(m.extra) === flagSet(metas[0].extra) && m.priorFrom === metas[0].priorFrom;
  const differs = metas.findIndex((m) => !same(m));
  if (differs >= 0) {
    throw new Error(
      `cannot pool ${dirs[differs]} with ${dirs[0]}: minutes, --parallel, run flags or --prior-from differ`,
    );
  }
  const seeds = metas.flatMap((m) => m.seeds);
  const twice = seeds.find((seed, i) => seeds.indexOf(seed) !== i);
  if (twice !== undefined) throw new Error(`cannot pool: seed ${twice} is in more than one study`);
  const points = dirs.flatMap(readCurves);
  return { meta: { ...metas[0], seeds: seeds.sort((a, b) => a - b) }, points };
}

if (import.meta.main) {
  // A wrong argument or directory is one line, not a stack trace.
  globalThis.addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    const reason = event.reason;
    console.error(`ttt_pays: ${reason instanceof Error ? reason.message : String(reason)}`);
    Deno.exit(1);
  });
  const dash = Deno.args.indexOf("--");
  const own = dash < 0 ? Deno.args : Deno.args.slice(0, dash);
  const extra = dash < 0 ? [] : Deno.args.slice(dash + 1);
  const { values, positionals } = parseArgs({
    args: own,
    allowPositionals: true,
    options: {
      minutes: { type: "string" },
      seeds: { type: "string" },
      "first-seed": { type: "string" },
      out: { type: "string" },
      variants: { type: "string" },
      parallel: { type: "string" },
      runs: { type: "string" },
      summarise: { type: "string" },
      power: { type: "string" },
      activity: { type: "string" },
      from: { type: "string" },
      "prior-from": { type: "string" },
      conditioning: { type: "string" },
      doors: { type: "string" },
      by: { type: "string" },
    },
  });
  const arms = values["prior-from"] ? [...STUDY, learnedPriorArm(values["prior-from"])] : STUDY;
  const problem = await loadProblem(positionals[0] ?? "erdos");
  if (values.summarise) {
    const dirs = values.summarise.split(",");
    const { meta, points } = readStudies(dirs);
    // The study's own order (its first row is the one the others are tested against).
    const order = (JSON.parse(Deno.readTextFileSync(join(dirs[0], "summary.json"))).rows ?? [])
      .map((r: { variant: string }) => r.variant);
    const rank = (name: string) => order.includes(name) ? order.indexOf(name) : order.length;
    const present = [...STUDY.map((s) => s.variant), LEARNED_PRIOR]
      .filter((v) => points.some((p) => p.variant === v.name))
      .sort((a, b) => rank(a.name) - rank(b.name));
    const pooled = dirs.length > 1;
    const out = values.out ?? (pooled ? undefined : dirs[0]);
    if (!out) throw new Error("pooling studies needs --out DIR for the pooled summary");
    // The curves stay where they are: in the study re-summarised, or in the studies pooled.
    const pooledFrom = pooled ? dirs.map((d) => basename(d)) : undefined;
    await writeStudy(out, problem, { ...meta, pooledFrom }, points, present, false);
    Deno.exit(0);
  }
  if (values.activity) {
    console.log(activityReport(values.activity, problem.name, Number(values.from ?? 10)));
    Deno.exit(0);
  }
  if (values.conditioning) {
    const report = await conditioningReport(values.conditioning, problem.name);
    console.log(report);
    if (values.out) await writeFileAtomic(join(values.out, "conditioning.md"), report + "\n");
    Deno.exit(0);
  }
  if (values.doors) {
    const report = doorsReport(values.doors, problem, Number(values.by ?? 1e-6));
    console.log(report);
    if (values.out) await writeFileAtomic(join(values.out, "doors.md"), report + "\n");
    Deno.exit(0);
  }
  if (values.power) {
    console.log(powerReport(values.power.split(",").map(readCurves), problem.direction));
    Deno.exit(0);
  }
  const minutes = Number(values.minutes ?? 5);
  const count = Number(values.seeds ?? 8), first = Number(values["first-seed"] ?? 0);
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(first) || first < 0) {
    throw new Error(
      `--seeds must be a whole number >= 1 and --first-seed >= 0, got ${values.seeds}, ${
        values["first-seed"]
      }`,
    );
  }
  const seeds = Array.from({ length: count }, (_, i) => first + i);
  const out = values.out ?? join(root, "data/ablations", `${problem.name}-wallclock`);
  const names = values.variants?.split(",") ?? STUDY.map((s) => s.variant.name);
  const study = names.map((name) => {
    const entry = arms.find((s) => s.variant.name === name);
    if (!entry) {
      const hint = name === LEARNED_PRIOR.name ? " (learned-prior needs --prior-from RUN_DIR)" : "";
      throw new Error(`unknown variant ${name}${hint}; valid: ${arms.map((s) => s.variant.name).join(", ")}`);
    }
    return entry;
  });
  const parallel = Number(values.parallel ?? 1);
  if (!Number.isInteger(parallel) || parallel < 1) {
    throw new Error(`--parallel must be a whole number of seeds at once (1 or more), got ${values.parallel}`);
  }
  const runs = values.runs ?? Deno.makeTempDirSync({ prefix: "ttt-pays-" });
  const points: CurvePoint[] = [];
  const runSeed = async (seed: number) => {
    const dirs = await Promise.all(
      study.map((s) => runVariant(problem.name, seed, minutes, s.flags, extra, join(runs, s.variant.name))),
    );
    dirs.forEach((dir, i) => {
      const curve = curveOf(study[i].variant.name, seed, dir);
      points.push(...curve);
      const last = curve.at(-1)!;
      console.log(
        `seed ${seed} ${study[i].variant.name}: ${problem.quantity} ${last.best} after ${
          last.step + 1
        } steps, ${last.rollouts} rollouts`,
      );
    });
  };
  try {
    for (let i = 0; i < seeds.length; i += parallel) {
      await Promise.all(seeds.slice(i, i + parallel).map(runSeed));
    }
  } finally {
    if (!values.runs) Deno.removeSync(runs, { recursive: true });
  }
  const priorFrom = study.some((s) => s.variant === LEARNED_PRIOR) ? values["prior-from"] : undefined;
  await writeStudy(
    out,
    problem,
    { minutes, seeds, parallel, extra, priorFrom },
    points,
    study.map((s) => s.variant),
  );
}

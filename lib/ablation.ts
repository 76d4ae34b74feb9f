/**
 * Ablations: what each part of TTT-Discover buys, on equal work. Every variant
 * runs the same rollout budget for the same seeds; the result is one table of
 * best-so-far curves and a summary in the layout of the paper's Table 8, with a
 * rank test against the full method so that indistinguishable variants are said
 * to be so.
 */
import type { RunConfigInput } from "./config.ts";
import { discover } from "./loop.ts";
import { registeredProblems } from "./problem_module.ts";

const PROBLEMS = await registeredProblems();

/** One row of the ablation: the method with some of its parts changed. */
export interface Variant {
  /** A short name, e.g. `no-ttt`. */
  readonly name: string;
  /** What it changes, for the summary table. */
  readonly description: string;
  /** The settings it changes, over the study's shared ones. */
  readonly settings: Partial<RunConfigInput>;
}

/** The paper's Table 8 rows that apply to any problem. */
export const VARIANTS: readonly Variant[] = [
  { name: "ttt-discover", description: "adaptive entropic + PUCT (the method)", settings: {} },
  {
    name: "improvement-credit",
    description: "adaptive entropic on gains over the parent + PUCT",
    settings: { credit: "improvement" },
  },
  { name: "constant-beta", description: "fixed beta = 2 + PUCT", settings: { objective: "fixed-beta" } },
  { name: "expected-reward", description: "expected reward + PUCT", settings: { objective: "expected" } },
  { name: "no-ttt", description: "no training + PUCT (search only)", settings: { train: false } },
  {
    name: "epsilon-greedy",
    description: "adaptive entropic + epsilon-greedy reuse",
    settings: { reuse: "epsilon" },
  },
  { name: "no-reuse", description: "adaptive entropic, no reuse", settings: { reuse: "none" } },
  {
    name: "naive-rl",
    description: "expected reward, no reuse",
    settings: { objective: "expected", reuse: "none" },
  },
  { name: "best-of-n", description: "no training, no reuse", settings: { train: false, reuse: "none" } },
];

/** One step of one run of a study (a row of curves.parquet). */
export interface CurvePoint {
  /** The variant's name. */
  variant: string;
  /** The run's seed. */
  seed: number;
  /** The step. */
  step: number;
  /** Rollouts spent so far in this run. */
  rollouts: number;
  /** The best value so far. */
  best: number;
  /** This step's mean reward. */
  mean: number;
  /** Time since the run started, in milliseconds. */
  elapsedMs: number;
}

/** What runAblation runs. */
export interface AblationOptions {
  /** A registered problem's name. */
  readonly problem: string;
  /** Shared settings (groups, groupSize, ...) applied to every variant before its own. */
  readonly base?: Partial<RunConfigInput>;
  /** The rollout budget of every run. */
  readonly rollouts: number;
  /** The seeds every variant runs. */
  readonly seeds: readonly number[];
  /** The variants (default: all of VARIANTS), the method first. */
  readonly variants?: readonly Variant[];
  /** Rollout worker threads (default: one per core). */
  readonly workers?: number;
  /** Sees each finished run: its best value and wall time. */
  readonly onRun?: (variant: string, seed: number, best: number, seconds: number) => void;
}

/** Runs every (variant, seed) pair and returns the curves, one point per step. */
export async function runAblation(options: AblationOptions): Promise<CurvePoint[]> {
  const points: CurvePoint[] = [];
  for (const variant of options.variants ?? VARIANTS) {
    for (const seed of options.seeds) {
      const config: RunConfigInput = {
        problem: options.problem,
        ...options.base,
        ...variant.settings,
        seed,
        workers: options.workers,
        maxRollouts: options.rollouts,
        // The rollout budget decides; the problem's step and time defaults must not cut runs short.
        steps: 1_000_000,
        minutes: 24 * 60,
      };
      const started = performance.now();
      let rollouts = 0, best = NaN;
      for await (const report of discover({ config })) {
        rollouts += report.row.rollouts;
        best = report.best.value;
        points.push({
          variant: variant.name,
          seed,
          step: report.step,
          rollouts,
          best,
          mean: report.row.meanReward,
          elapsedMs: report.row.elapsedMs,
        });
      }
      options.onRun?.(variant.name, seed, best, (performance.now() - started) / 1000);
    }
  }
  return points;
}

/** One variant's row of the summary table: its final best values over seeds. */
export interface SummaryRow {
  /** The variant's name. */
  variant: string;
  /** What it changes. */
  description: string;
  /** Seeds that ran. */
  seeds: number;
  /** Median of the final best values. */
  median: number;
  /** Their first quartile. */
  q25: number;
  /** Their third quartile. */
  q75: number;
  /** The lowest. */
  min: number;
  /** The highest. */
  max: number;
  /** Two-sided exact Mann-Whitney p-value against the first variant (the method). */
  pVsMethod: number;
  /** Median wall time of a run, in seconds. */
  seconds: number;
}

/** The q-quantile of sorted values, interpolated linearly between neighbours. */
export function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Final best per (variant, seed), summarised per variant, in the order the variants ran. */
export function summarise(
  points: readonly CurvePoint[],
  variants: readonly Variant[] = VARIANTS,
): SummaryRow[] {
  const finals = new Map<string, { best: number; seconds: number }[]>();
  const last = new Map<string, CurvePoint>();
  for (const p of points) last.set(`${p.variant}\u0000${p.seed}`, p);
  for (const p of last.values()) {
    const list = finals.get(p.variant) ?? [];
    list.push({ best: p.best, seconds: p.elapsedMs / 1000 });
    finals.set(p.variant, list);
  }
  const present = variants.filter((v) => finals.has(v.name));
  const method = finals.get(present[0]?.name)?.map((f) => f.best) ?? [];
  return present.map((v) => {
    const values = finals.get(v.name)!.map((f) => f.best).sort((a, b) => a - b);
    const seconds = finals.get(v.name)!.map((f) => f.seconds).sort((a, b) => a - b);
    return {
      variant: v.name,
      description: v.description,
      seeds: values.length,
      median: quantile(values, 0.5),
      q25: quantile(values, 0.25),
      q75: quantile(values, 0.75),
      min: values[0],
      max: values[values.length - 1],
      pVsMethod: v.name === present[0].name ? 1 : mannWhitneyP(method, values),
      seconds: quantile(seconds, 0.5),
    };
  });
}

/**
 * Exact two-sided Mann-Whitney U test (ties get half credit; the exact null
 * distribution assumes no ties, which holds for continuous values).
 */
export function mannWhitneyP(a: readonly number[], b: readonly number[]): number {
  const m = a.length, n = b.length;
  if (m === 0 || n === 0) return NaN;
  let u = 0;
  for (const x of a) for (const y of b) u += x < y ? 1 : x === y ? 0.5 : 0;
  // counts[k] = number of arrangements with U = k, by the recurrence over (m, n).
  const table = uDistribution(m, n);
  const total = table.reduce((s, c) => s + c, 0);
  const tail = (k: number) => table.slice(0, Math.floor(k) + 1).reduce((s, c) => s + c, 0) / total;
  const lowU = Math.min(u, m * n - u);
  return Math.min(1, 2 * tail(lowU));
}

/**
 * Exact two-sided sign test on paired values (a[i] against b[i], e.g. two variants of one seed that
 * started from the same states): under the null each pair is equally likely to go either way.
 * Ties are dropped. The ablation's designs pair by seed, and the spread between seeds is often far
 * larger than the effect, which an unpaired test cannot see past.
 */
export function signTestP(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new Error(`signTestP: ${a.length} and ${b.length} values are not paired`);
  let below = 0, above = 0;
  a.forEach((x, i) => (x < b[i] ? below++ : x > b[i] ? above++ : 0));
  const n = below + above;
  if (n === 0) return 1;
  // P(X <= k) for X ~ Binomial(n, 1/2), k the smaller count; doubled for two sides.
  let term = 0.5 ** n, tail = 0;
  for (let k = 0; k <= Math.min(below, above); k++) {
    tail += term;
    term = (term * (n - k)) / (k + 1);
  }
  return Math.min(1, 2 * tail);
}

function uDistribution(m: number, n: number): number[] {
  // f(m, n, k) = f(m - 1, n, k - n) + f(m, n - 1, k)
  const memo = new Map<string, number[]>();
  const f = (i: number, j: number): number[] => {
    if (i === 0 || j === 0) return [1];
    const key = `${i},${j}`;
    const hit = memo.get(key);
    if (hit) return hit;
    const out = new Array(i * j + 1).fill(0);
    f(i - 1, j).forEach((c, k) => (out[k + j] += c));
    f(i, j - 1).forEach((c, k) => (out[k] += c));
    memo.set(key, out);
    return out;
  };
  return f(m, n);
}

/** The summary as a Markdown table in the layout of the paper's Table 8. */
export function summaryMarkdown(problem: string, rows: readonly SummaryRow[], rollouts: number): string {
  const p = PROBLEMS[problem];
  if (!p) throw new Error(`unknown problem "${problem}"`);
  const better = p.direction === "minimize" ? "lower" : "higher";
  const fmt = (x: number) => x.toPrecision(7);
  const lines = [
    `Final best ${p.quantity} (${better} is better) after ${rollouts} rollouts per run; median [IQR] over seeds.`,
    "",
    `| variant | ${p.quantity} median | IQR | min .. max | seeds | p vs method | s/run |`,
    "|---|---|---|---|---|---|---|",
    ...rows.map((r) =>
      `| ${r.variant} (${r.description}) | ${fmt(r.median)} | ${fmt(r.q25)} .. ${fmt(r.q75)} | ` +
      `${fmt(r.min)} .. ${fmt(r.max)} | ${r.seeds} | ${
        r.variant === rows[0].variant ? "-" : r.pVsMethod.toFixed(3)
      }` +
      ` | ${r.seconds.toFixed(0)} |`
    ),
    "",
    "p: two-sided exact Mann-Whitney test of the final values against the first row; " +
    "p > 0.05 means the two variants are not distinguishable at these seeds.",
  ];
  return lines.join("\n");
}
